import type { AlertStore, Incident } from '@vigie/common';
import { ConflictError } from '@vigie/common';
import { describe, expect, it } from 'vitest';
import { sampleFeedback, sampleIncident, sampleRule, sampleSilence } from './alert-samples.js';
import { describeOutboxContract } from './alert-store-outbox-contract.js';

const at = (iso: string) => Date.parse(iso);
const ids = (items: Array<{ id: string }>) => items.map((item) => item.id);

/**
 * The behaviour every `AlertStore` must have. The factory returns a fresh, empty store
 * (its own index prefix or database) for each test; it is set up by the suite.
 */
export function describeAlertStoreContract(name: string, createStore: () => Promise<AlertStore>): void {
  async function fresh(): Promise<AlertStore> {
    const store = await createStore();
    await store.setupAlerting();
    await store.setupAlerting(); // safe to repeat
    return store;
  }

  describe(`AlertStore contract: ${name}`, () => {
    it('creates an incident at version 0, then writes it only on top of the version it read', async () => {
      const store = await fresh();
      expect(await store.getIncident('vigie-incident-1')).toBeUndefined();
      const created = await store.saveIncident(sampleIncident(1));
      expect(created.version).toBeGreaterThan(0);
      expect(await store.getIncident('vigie-incident-1')).toEqual(created);
      expect(created).toEqual({ ...sampleIncident(1), version: created.version });

      const acked: Incident = {
        ...created,
        status: 'acknowledged',
        acknowledgedAt: '2026-03-02T10:05:00.000Z',
        acknowledgedBy: 'alice',
        timeline: [...created.timeline, { at: '2026-03-02T10:05:00.000Z', type: 'acknowledged', text: 'ok' }],
      };
      const second = await store.saveIncident(acked);
      expect(second.version).toBeGreaterThan(created.version);
      expect(await store.getIncident('vigie-incident-1')).toEqual(second);

      // A writer still holding the first version lost the race: its write is refused.
      await expect(store.saveIncident({ ...created, title: 'stale' })).rejects.toBeInstanceOf(ConflictError);
      // Version 0 means "must not exist yet".
      await expect(store.saveIncident(sampleIncident(1))).rejects.toBeInstanceOf(ConflictError);
      // A version that was never stored is no licence to create.
      await expect(store.saveIncident({ ...sampleIncident(2), version: 3 })).rejects.toBeInstanceOf(
        ConflictError,
      );
      expect(await store.getIncident('vigie-incident-2')).toBeUndefined();
      expect(await store.getIncident('vigie-incident-1')).toEqual(second);
    });

    it('lets exactly one of two concurrent writers of one version win', async () => {
      const store = await fresh();
      const created = await store.saveIncident(sampleIncident(3));
      const results = await Promise.allSettled([
        store.saveIncident({ ...created, title: 'writer A' }),
        store.saveIncident({ ...created, title: 'writer B' }),
      ]);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r) => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect(lost[0]?.status === 'rejected' && lost[0].reason).toBeInstanceOf(ConflictError);
      const winner = won[0]?.status === 'fulfilled' ? won[0].value : undefined;
      expect((await store.getIncident(created.id))?.title).toBe(winner?.title);

      const fresh2 = await Promise.allSettled([
        store.saveIncident(sampleIncident(4)),
        store.saveIncident(sampleIncident(4, { title: 'other creator' })),
      ]);
      expect(fresh2.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    });

    it('lists incidents most recently updated first, by service, status, time and limit', async () => {
      const store = await fresh();
      const statuses = ['open', 'acknowledged', 'resolved'] as const;
      for (let i = 0; i < 9; i += 1) {
        await store.saveIncident(sampleIncident(i, { status: statuses[i % 3] ?? 'open' }));
      }
      const all = await store.listIncidents();
      expect(ids(all)).toEqual(Array.from({ length: 9 }, (_, i) => `vigie-incident-${8 - i}`));
      expect(ids(await store.listIncidents({ service: 'svc-1' }))).toEqual([
        'vigie-incident-7',
        'vigie-incident-4',
        'vigie-incident-1',
      ]);
      expect(ids(await store.listIncidents({ status: 'resolved' }))).toEqual([
        'vigie-incident-8',
        'vigie-incident-5',
        'vigie-incident-2',
      ]);
      const active = await store.listIncidents({ status: 'active' });
      expect(active).toHaveLength(6);
      expect(active.every((incident) => incident.status !== 'resolved')).toBe(true);
      expect(ids(await store.listIncidents({ status: 'open', service: 'svc-0' }))).toEqual([
        'vigie-incident-6',
        'vigie-incident-3',
        'vigie-incident-0',
      ]);
      const since = at(sampleIncident(6).updatedAt); // inclusive
      expect(ids(await store.listIncidents({ since }))).toEqual([
        'vigie-incident-8',
        'vigie-incident-7',
        'vigie-incident-6',
      ]);
      expect(ids(await store.listIncidents({ limit: 2 }))).toEqual(['vigie-incident-8', 'vigie-incident-7']);
      expect(await store.listIncidents({ service: 'nobody' })).toEqual([]);
    });

    describeOutboxContract(fresh);

    it('keeps silences by id and tells which are active at a time', async () => {
      const store = await fresh();
      for (let i = 0; i < 3; i += 1) await store.saveSilence(sampleSilence(i));
      const replaced = sampleSilence(1, { comment: 'Extended', endsAt: sampleSilence(2).endsAt });
      await store.saveSilence(replaced);
      expect(ids(await store.listSilences())).toEqual(['silence-2', 'silence-1', 'silence-0']);
      expect((await store.listSilences()).find((s) => s.id === 'silence-1')).toEqual(replaced);
      // Starts inclusive, ends exclusive.
      expect(ids(await store.listSilences({ activeAt: at(sampleSilence(0).startsAt) }))).toEqual([
        'silence-0',
      ]);
      expect(ids(await store.listSilences({ activeAt: at(sampleSilence(1).startsAt) }))).toEqual([
        'silence-1',
      ]);
      expect(ids(await store.listSilences({ activeAt: at(sampleSilence(2).startsAt) + 1 }))).toEqual([
        'silence-2',
        'silence-1',
      ]);
      expect(await store.listSilences({ activeAt: at(sampleSilence(2).endsAt) })).toEqual([]);
      expect(await store.deleteSilence('silence-1')).toBe(true);
      expect(await store.deleteSilence('silence-1')).toBe(false);
      expect(ids(await store.listSilences())).toEqual(['silence-2', 'silence-0']);
    });

    it('records feedback and lists it newest first, active, by service and anomaly', async () => {
      const store = await fresh();
      for (let i = 0; i < 4; i += 1) await store.saveFeedback(sampleFeedback(i));
      expect(ids(await store.listFeedback())).toEqual([
        'feedback-3',
        'feedback-2',
        'feedback-1',
        'feedback-0',
      ]);
      expect((await store.listFeedback({ anomalyId: 'anomaly-2' }))[0]).toEqual(sampleFeedback(2));
      expect(ids(await store.listFeedback({ service: 'svc-0' }))).toEqual(['feedback-3', 'feedback-0']);
      // feedback-i expires at base + (i + 1) h: at base + 2 h, 0 and 1 have expired.
      const twoHours = at(sampleFeedback(1).expiresAt);
      expect(ids(await store.listFeedback({ activeAt: twoHours }))).toEqual(['feedback-3', 'feedback-2']);
      expect(ids(await store.listFeedback({ activeAt: twoHours, service: 'svc-0' }))).toEqual(['feedback-3']);
      expect(await store.listFeedback({ activeAt: twoHours, anomalyId: 'anomaly-1' })).toEqual([]);
      // feedback-i was created at base + i s; both ends of the range are included.
      const created = (i: number) => at(sampleFeedback(i).createdAt);
      expect(ids(await store.listFeedback({ createdFrom: created(1), createdTo: created(2) }))).toEqual([
        'feedback-2',
        'feedback-1',
      ]);
      expect(ids(await store.listFeedback({ createdFrom: created(2) + 1 }))).toEqual(['feedback-3']);
      expect(ids(await store.listFeedback({ createdTo: created(1) - 1, service: 'svc-0' }))).toEqual([
        'feedback-0',
      ]);
    });

    it('creates, replaces, lists and deletes log alert rules', async () => {
      const store = await fresh();
      expect(await store.getRule('rule-1')).toBeUndefined();
      expect(await store.listRules()).toEqual([]);
      for (const i of [2, 0, 1]) await store.saveRule(sampleRule(i));
      expect(await store.getRule('rule-1')).toEqual(sampleRule(1));
      const disabled = sampleRule(0, { enabled: false, condition: { type: 'below', threshold: 1 } });
      await store.saveRule(disabled);
      expect(await store.listRules()).toEqual([disabled, sampleRule(1), sampleRule(2)]);
      expect(await store.deleteRule('rule-2')).toBe(true);
      expect(await store.deleteRule('rule-2')).toBe(false);
      expect(await store.getRule('rule-2')).toBeUndefined();
      expect(ids(await store.listRules())).toEqual(['rule-0', 'rule-1']);
    });
  });
}
