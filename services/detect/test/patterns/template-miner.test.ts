import { TemplateMiner } from '@vigie/detect';
import { describe, expect, it } from 'vitest';

// Small samples written for Vigie: three kinds of events of a checkout service, mixed.
const CHECKOUT = [
  'payment refused for order 1042 by provider stripe',
  'connection to db-7.internal:5432 lost after 1200ms',
  'payment refused for order 1043 by provider adyen',
  'login of user alice from 10.0.0.4',
  'connection to db-2.internal:5432 lost after 35ms',
  'login of user bob from 10.0.0.9',
  'payment refused for order 77 by provider stripe',
  'login of user carol from 192.168.1.20',
];

function ids(miner: TemplateMiner, messages: string[]): string[] {
  return messages.map((m) => miner.add(m).templateId);
}

describe('TemplateMiner', () => {
  it('groups messages of the same event and separates different events', () => {
    const miner = new TemplateMiner();
    const got = ids(miner, CHECKOUT);
    expect(new Set([got[0], got[2], got[6]]).size).toBe(1);
    expect(new Set([got[1], got[4]]).size).toBe(1);
    expect(new Set([got[3], got[5], got[7]]).size).toBe(1);
    expect(new Set(got).size).toBe(3);
    expect(miner.size).toBe(3);
    expect(miner.match('login of user dave from 10.9.9.9')?.template).toBe('login of user <*> from <*>');
  });

  it('keeps events apart when they differ on a state word', () => {
    const miner = new TemplateMiner();
    const a = miner.add('job 12 moved from QUEUED to RUNNING');
    const b = miner.add('job 13 moved from RUNNING to DONE');
    expect(b.templateId).not.toBe(a.templateId);
  });

  it('keeps events apart when too few of their words agree', () => {
    const miner = new TemplateMiner();
    const a = miner.add('disk sda1 is healthy');
    const b = miner.add('disk quota exceeded again');
    expect(b.isNew).toBe(true);
    expect(b.templateId).not.toBe(a.templateId);
  });

  it('starts a new template when a message differs on two words at once', () => {
    const miner = new TemplateMiner();
    const a = miner.add('backup of volume data finished with warnings today');
    const b = miner.add('backup of volume logs aborted with warnings today');
    expect(b.isNew).toBe(true);
    expect(miner.add('backup of volume logs finished with warnings today').templateId).toBe(a.templateId);
  });

  it('keeps apart messages where a field is present in one and empty in the other', () => {
    const miner = new TemplateMiner();
    const a = miner.add('session refused for host=gw.example.org reason=quota');
    const b = miner.add('session refused for host= reason=quota');
    expect(b.templateId).not.toBe(a.templateId);
  });

  it('treats dates written in words as variables', () => {
    const miner = new TemplateMiner();
    const a = miner.add('lease renewed at Fri Jul 22 09:04:41 2005');
    const b = miner.add('lease renewed at Mon Aug 1 10:00:00 2005');
    expect(b.templateId).toBe(a.templateId);
    expect(b.template).toBe('lease renewed at <*>');
  });

  it('keeps the id of a template that generalises', () => {
    const miner = new TemplateMiner();
    const first = miner.add('cache warmed for tenant acme in region eu');
    expect(first).toEqual({
      templateId: 't0',
      template: 'cache warmed for tenant acme in region eu',
      isNew: true,
    });
    const second = miner.add('cache warmed for tenant globex in region eu');
    expect(second).toEqual({
      templateId: 't0',
      template: 'cache warmed for tenant <*> in region eu',
      isNew: false,
    });
    const third = miner.add('cache warmed for tenant initech in region us');
    expect(third.templateId).toBe('t0');
    expect(third.template).toBe('cache warmed for tenant <*> in region <*>');
  });

  it('match() does not learn', () => {
    const miner = new TemplateMiner();
    expect(miner.match('queue orders drained at noon')).toBeUndefined();
    miner.add('queue orders drained at noon');
    expect(miner.match('queue orders drained at dawn')?.template).toBe('queue orders drained at noon');
    expect(miner.add('queue orders drained at noon').template).toBe('queue orders drained at noon');
    expect(miner.size).toBe(1);
  });

  it('gives the same results after a snapshot is restored, through plain JSON', () => {
    const live = new TemplateMiner();
    ids(live, CHECKOUT.slice(0, 4));
    const snapshot = JSON.parse(JSON.stringify(live.snapshot()));
    expect(snapshot.version).toBe(1);
    const restored = TemplateMiner.restore(snapshot);
    const rest = [
      ...CHECKOUT.slice(4),
      'a brand new kind of message',
      'payment refused for order 5 by provider x',
    ];
    expect(rest.map((m) => restored.add(m))).toEqual(rest.map((m) => live.add(m)));
    expect(restored.snapshot()).toEqual(live.snapshot());
  });

  it('rejects a snapshot of another version or a damaged one, naming the problems', () => {
    type Snapshot = ReturnType<TemplateMiner['snapshot']>;
    const good = new TemplateMiner().snapshot();
    expect(() => TemplateMiner.restore({ ...good, version: 2 } as unknown as Snapshot)).toThrow(/version 2/);
    const damaged = {
      version: 1,
      nextId: -1,
      templates: [
        { id: 't0', tokens: ['a'], count: 1 },
        { id: 't0', tokens: ['b'], count: 1 },
        { id: 't1', tokens: [3], count: 1 },
      ],
    } as unknown as Snapshot;
    expect(() => TemplateMiner.restore(damaged)).toThrow(/nextId.*templates\[1\].*templates\[2\]/);
    expect(() => TemplateMiner.restore(null as unknown as Snapshot)).toThrow(/not an object/);
  });

  it('forgets the least recently matched template past maxTemplates, never reusing its id', () => {
    const miner = new TemplateMiner({ maxTemplates: 2 });
    const a = miner.add('alpha service started');
    miner.add('beta queue flushed completely now');
    miner.add('alpha service started');
    const c = miner.add('gamma worker crashed hard');
    expect(miner.size).toBe(2);
    expect(miner.match('alpha service started')?.templateId).toBe(a.templateId);
    expect(miner.match('beta queue flushed completely now')).toBeUndefined();
    const again = miner.add('beta queue flushed completely now');
    expect(again.isNew).toBe(true);
    expect(new Set([a.templateId, c.templateId, again.templateId]).size).toBe(3);
    expect(miner.size).toBe(2);
  });

  it('stays within maxTemplates under a flood of distinct messages', () => {
    const miner = new TemplateMiner({ maxTemplates: 50 });
    const words = ['red', 'green', 'blue', 'cyan', 'pink', 'gray', 'gold', 'teal'];
    for (let i = 0; i < 2000; i++) {
      miner.add(`${words[i % 8]}${words[(i >> 3) % 8]} ${words[(i >> 6) % 8]}x${words[(i >> 9) % 8]}`);
      expect(miner.size).toBeLessThanOrEqual(50);
    }
    expect(miner.size).toBe(50);
  });

  it('bounds a crowded leaf, forgetting its least recently matched template', () => {
    const miner = new TemplateMiner({ maxLeafTemplates: 3 });
    const first = miner.add('request failed red green blue');
    miner.add('request failed cyan pink gray');
    miner.add('request failed gold teal plum');
    miner.add('request failed red green blue');
    miner.add('request failed navy rust sand');
    expect(miner.size).toBe(3);
    expect(miner.match('request failed red green blue')?.templateId).toBe(first.templateId);
    expect(miner.match('request failed cyan pink gray')).toBeUndefined();
    // Another leaf (another length) is not affected.
    miner.add('request failed');
    expect(miner.size).toBe(4);
  });

  it('gives empty and blank messages one template of their own', () => {
    const miner = new TemplateMiner();
    const empty = miner.add('');
    expect(empty.template).toBe('');
    expect(miner.add(' \t ').templateId).toBe(empty.templateId);
    expect(miner.add('échec de paiement pour la commande 42').templateId).not.toBe(empty.templateId);
    expect(miner.add('échec de paiement pour la commande 43').template).toBe(
      'échec de paiement pour la commande <*>',
    );
  });

  it('truncates long messages to maxTokens', () => {
    const miner = new TemplateMiner({ maxTokens: 3 });
    expect(miner.add('one two three four five').template).toBe('one two three');
  });

  it('rejects invalid options', () => {
    expect(() => new TemplateMiner({ similarity: 2 })).toThrow(/similarity/);
    expect(() => new TemplateMiner({ maxTemplates: 0, depth: 1 })).toThrow(
      /depth.*maxTemplates|maxTemplates.*depth/,
    );
  });
});
