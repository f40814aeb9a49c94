import type { AlertRule, IncidentAnomaly, LogSearch } from '@vigie/common';
import { UnavailableError } from '@vigie/common';
import { MemoryStore, sampleRule } from '@vigie/testkit';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  definitionHash,
  type RuleAnomaly,
  RuleEvaluator,
  type RuleEvaluatorOptions,
} from '../../src/rules/index.js';

const BASE = Date.parse('2026-03-02T10:00:00Z');
const at = (seconds: number) => BASE + seconds * 1000;
const iso = (seconds: number) => new Date(at(seconds)).toISOString();

let store: MemoryStore;
let written = 0;

async function errorsAt(seconds: number[], service = 'checkout'): Promise<void> {
  await store.writeLogs(
    seconds.map((s) => ({
      id: `e${written++}`,
      event: {
        '@timestamp': new Date(at(s)).toISOString(),
        message: `payment failed #${written}`,
        log: { level: 'error' },
        service: { name: service },
      },
      partitionTime: at(s),
    })),
  );
}

function rule(overrides: Partial<AlertRule> = {}): AlertRule {
  return sampleRule(0, {
    id: 'r1',
    name: 'payment failures',
    service: 'checkout',
    query: 'service.name:checkout AND log.level:error',
    windowMs: 60_000,
    condition: { type: 'above', threshold: 5 },
    ...overrides,
  });
}

function evaluator(rules: () => AlertRule[], options: Partial<RuleEvaluatorOptions> = {}): RuleEvaluator {
  return new RuleEvaluator({
    search: store,
    listRules: async () => rules(),
    settleMs: 0,
    lookbackMs: 600_000,
    ...options,
  });
}

const brief = (a: RuleAnomaly) => ({
  id: a.id,
  state: a.state,
  start: a.start,
  end: a.end,
  observed: a.observed,
});

beforeEach(() => {
  store = new MemoryStore();
  written = 0;
});

describe('RuleEvaluator, threshold conditions', () => {
  it('opens when the count over the window goes above the threshold and closes when it falls back', async () => {
    await errorsAt([100, 101, 102, 103, 104, 105, 106, 107]);
    const r1 = rule();
    const rules = evaluator(() => [r1]);
    expect(await rules.evaluate(at(50))).toEqual([]);

    const [opened, ...more] = await rules.evaluate(at(130));
    expect(more).toEqual([]);
    // The first window end on the 10 s grid that holds all 8 errors is 110 s.
    const id = `log_rule:r1:${definitionHash(r1)}:${at(110)}`;
    expect(opened).toMatchObject({
      id,
      kind: 'log_rule',
      service: 'checkout',
      dimension: { field: 'rule', value: 'r1' },
      state: 'open',
      start: iso(110),
      updated: iso(110),
      severity: r1.severity,
      observed: 8,
      expected: 5,
      unit: 'events',
      windowMs: 60_000,
      query: r1.query,
      explanation: 'Log rule "payment failures": 8 matching events in 1 min, above the threshold of 5.',
    });
    expect(opened?.sampleEventIds).toEqual(['e7', 'e6', 'e5']);
    expect(await rules.evaluate(at(140))).toEqual([]);

    const [closed] = await rules.evaluate(at(200));
    // The window ending at 170 s no longer holds any of them.
    expect(brief(closed as RuleAnomaly)).toEqual({
      id,
      state: 'closed',
      start: iso(110),
      end: iso(170),
      observed: 0,
    });
    expect(closed?.updated).toBe(iso(170));
    expect(closed?.explanation).toBe(
      'Log rule "payment failures": 0 matching events in 1 min, no longer above the threshold of 5.',
    );
  });

  it('gives the same run the same id and versions after a restart', async () => {
    await errorsAt([100, 101, 102, 103, 104, 105, 106, 107]);
    const live = evaluator(() => [rule()]);
    await live.evaluate(at(50));
    const [opened] = await live.evaluate(at(130));
    const [closed] = await live.evaluate(at(200));

    // A new process replays the history from the logs.
    expect(await evaluator(() => [rule()]).evaluate(at(130))).toEqual([opened]);
    // After the run ended, a new process reports the close only (the incident path ignores
    // closes it never saw open, and recognises this one as a replay if it did: same id,
    // state and time; the samples of a run replayed as history are not read again).
    const replayed = await evaluator(() => [rule()]).evaluate(at(200));
    expect(replayed).toEqual([{ ...closed, sampleEventIds: [] }]);
  });

  it('fires a below rule when matching events stop', async () => {
    await errorsAt(Array.from({ length: 61 }, (_, i) => i * 5));
    const rules = evaluator(() => [rule({ condition: { type: 'below', threshold: 1 } })], {
      lookbackMs: 120_000,
    });
    expect(await rules.evaluate(at(290))).toEqual([]);
    const [opened] = await rules.evaluate(at(400));
    // The last event (300 s) leaves the window after 360 s.
    expect(brief(opened as RuleAnomaly)).toMatchObject({ state: 'open', start: iso(370), observed: 0 });
    expect(opened?.explanation).toContain('below the threshold of 1');
  });

  it('waits settleMs before judging a window, for events still being indexed', async () => {
    await errorsAt([100, 101, 102, 103, 104, 105, 106, 107]);
    const rules = evaluator(() => [rule()], { settleMs: 10_000 });
    expect(await rules.evaluate(at(115))).toEqual([]);
    expect((await rules.evaluate(at(125))).map((a) => a.start)).toEqual([iso(110)]);
  });

  it('closes the run of an edited rule and starts the new definition under a new id', async () => {
    await errorsAt([100, 101, 102, 103, 104, 105, 106, 107]);
    let current = rule();
    const rules = evaluator(() => [current]);
    const [opened] = await rules.evaluate(at(130));
    current = rule({ condition: { type: 'above', threshold: 6 } });
    const [closedOld, openedNew, ...more] = await rules.evaluate(at(140));
    expect(more).toEqual([]);
    expect(closedOld).toMatchObject({ id: opened?.id, state: 'closed' });
    expect(openedNew).toMatchObject({ state: 'open', start: iso(110) });
    expect(openedNew?.id).not.toBe(opened?.id);
  });

  it('closes the run of an edited rule even when the new definition cannot be evaluated', async () => {
    await errorsAt([100, 101, 102, 103, 104, 105, 106, 107]);
    let current = rule();
    const errors: unknown[] = [];
    const rules = evaluator(() => [current], { onRuleError: (_r, err) => errors.push(err) });
    const [opened] = await rules.evaluate(at(130));
    current = rule({ query: 'service.name:(' });
    expect(await rules.evaluate(at(140))).toEqual([
      expect.objectContaining({ id: opened?.id, state: 'closed' }),
    ]);
    expect(errors).toHaveLength(1);
    expect(await rules.evaluate(at(150))).toEqual([]);
  });

  it('closes the run of a rule that was disabled or deleted', async () => {
    await errorsAt([100, 101, 102, 103, 104, 105, 106, 107]);
    let current = [rule()];
    const rules = evaluator(() => current);
    const [opened] = await rules.evaluate(at(130));
    current = [rule({ enabled: false })];
    const [closed] = await rules.evaluate(at(140));
    expect(closed).toMatchObject({ id: opened?.id, state: 'closed', end: iso(130) });
    current = [];
    expect(await rules.evaluate(at(150))).toEqual([]);
  });

  it('evaluates the other rules when one has a broken query or its search fails', async () => {
    await errorsAt([100, 101, 102, 103, 104, 105, 106, 107]);
    const broken = rule({ id: 'broken', query: 'service.name:(' });
    const failing = rule({ id: 'failing', query: 'service.name:flaky' });
    const search: LogSearch = Object.assign(Object.create(store) as MemoryStore, {
      histogram: async (...args: Parameters<LogSearch['histogram']>) => {
        if (JSON.stringify(args[0].query).includes('flaky')) throw new UnavailableError('search down');
        return store.histogram(...args);
      },
    });
    const errors: string[] = [];
    const rules = evaluator(() => [broken, failing, rule()], {
      search,
      onRuleError: (r, err) => errors.push(`${r.id}: ${(err as Error).name}`),
    });
    const anomalies = await rules.evaluate(at(130));
    expect(anomalies.map((a) => a.dimension.value)).toEqual(['r1']);
    expect(errors).toEqual(['broken: QuerySyntaxError', 'failing: UnavailableError']);
  });

  it('closes, once after start, rule anomalies that incidents hold open but no run continues', async () => {
    await errorsAt([100, 101, 102, 103, 104, 105, 106, 107]);
    const r1 = rule();
    const ongoing = `log_rule:r1:${definitionHash(r1)}:${at(110)}`;
    const held = (id: string): { service: string; anomaly: IncidentAnomaly } => ({
      service: 'checkout',
      anomaly: {
        id,
        kind: 'log_rule',
        dimension: { field: 'rule', value: id },
        state: 'open',
        severity: 'warning',
        start: iso(0),
        updated: iso(0),
        observed: 9,
        expected: 5,
        unit: 'events',
        explanation: 'old run',
        contributors: [],
        sampleEventIds: [],
        query: 'x',
      },
    });
    let reads = 0;
    const rules = evaluator(() => [r1], {
      heldAnomalies: async () => {
        reads++;
        return [held(ongoing), held('log_rule:deleted-rule:0000:0')];
      },
    });
    const first = await rules.evaluate(at(130));
    expect(first.map((a) => [a.id, a.state])).toEqual([
      [ongoing, 'open'],
      ['log_rule:deleted-rule:0000:0', 'closed'],
    ]);
    expect(first[1]).toMatchObject({ service: 'checkout', end: iso(130), updated: iso(130) });
    expect(await rules.evaluate(at(140))).toEqual([]);
    expect(reads).toBe(1);
  });

  it('does not take the open anomaly of a rule that failed to evaluate for a stray', async () => {
    await errorsAt([100, 101, 102, 103, 104, 105, 106, 107]);
    const r1 = rule();
    const ongoing = `log_rule:r1:${definitionHash(r1)}:${at(110)}`;
    let down = true;
    const search: LogSearch = Object.assign(Object.create(store) as MemoryStore, {
      histogram: async (...args: Parameters<LogSearch['histogram']>) => {
        if (down) throw new UnavailableError('search down');
        return store.histogram(...args);
      },
    });
    const held = {
      service: 'checkout',
      anomaly: {
        id: ongoing,
        kind: 'log_rule' as const,
        dimension: { field: 'rule', value: 'r1' },
        state: 'open' as const,
        severity: 'warning' as const,
        start: iso(110),
        updated: iso(110),
        observed: 8,
        expected: 5,
        unit: 'events',
        explanation: 'open run',
        contributors: [],
        sampleEventIds: [],
        query: r1.query,
      },
    };
    const rules = evaluator(() => [r1], {
      search,
      heldAnomalies: async () => [held],
      onRuleError: () => undefined,
    });
    expect(await rules.evaluate(at(130))).toEqual([]);
    down = false;
    expect((await rules.evaluate(at(140))).map((a) => [a.id, a.state])).toEqual([[ongoing, 'open']]);
  });
});

describe('RuleEvaluator, anomalous condition', () => {
  // A steady but noisy count per minute (8..12), then one minute far above it.
  const MINUTES = 150;
  const normal = (minute: number) => 8 + ((minute * 7919) % 5);

  async function seedMinutes(from: number, to: number, count: (minute: number) => number): Promise<void> {
    for (let minute = from; minute < to; minute++) {
      const n = count(minute);
      await errorsAt(Array.from({ length: n }, (_, i) => minute * 60 + (i * 59) / n));
    }
  }

  it('learns the baseline from the logs and reports a window far outside it, then its end', async () => {
    await seedMinutes(0, MINUTES, normal);
    await seedMinutes(MINUTES, MINUTES + 1, () => 80);
    await seedMinutes(MINUTES + 1, MINUTES + 6, normal);
    const r1 = rule({ condition: { type: 'anomalous' } });
    const rules = evaluator(() => [r1]);

    // First evaluation right after the spike minute: the baseline is learned from the
    // 150 minutes before it (backfill), no warm-up wait.
    const [opened, ...more] = await rules.evaluate(at((MINUTES + 1) * 60));
    expect(more).toEqual([]);
    expect(opened).toMatchObject({
      id: `log_rule:r1:${definitionHash(r1)}:${at((MINUTES + 1) * 60)}`,
      state: 'open',
      start: iso((MINUTES + 1) * 60),
      observed: 80,
    });
    expect(opened?.expected).toBeGreaterThan(7);
    expect(opened?.expected).toBeLessThan(13);
    expect(opened?.upper).toBeLessThan(80);
    expect(opened?.score).toBeGreaterThanOrEqual(0.5);
    expect(opened?.explanation).toMatch(
      /^Log rule "payment failures": 80 matching events in 1 min against about \d/,
    );
    expect(opened?.sampleEventIds).toHaveLength(3);

    const [closed] = await rules.evaluate(at((MINUTES + 6) * 60));
    expect(closed).toMatchObject({ id: opened?.id, state: 'closed', end: iso((MINUTES + 2) * 60) });
    expect(closed?.explanation).toContain('back within the normal');
  });

  it('stays quiet on normal traffic, and while the baseline has too little history', async () => {
    await seedMinutes(0, MINUTES, normal);
    expect(
      await evaluator(() => [rule({ condition: { type: 'anomalous' } })]).evaluate(at(MINUTES * 60)),
    ).toEqual([]);

    store = new MemoryStore();
    await seedMinutes(0, 20, normal);
    await seedMinutes(20, 21, () => 80);
    expect(await evaluator(() => [rule({ condition: { type: 'anomalous' } })]).evaluate(at(21 * 60))).toEqual(
      [],
    );
  });
});
