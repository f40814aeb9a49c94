import type { AlertStore, Incident, OutboxEntry } from '@vigie/common';
import { ConflictError } from '@vigie/common';
import { describe, expect, it } from 'vitest';
import {
  sampleAttempt,
  sampleFeedback,
  sampleIncident,
  sampleOutboxEntry,
  sampleRule,
  sampleSilence,
} from './alert-samples.js';

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

  /** Entry `i` for `receiver`, with an id of its own. */
  function entry(i: number, overrides: Partial<OutboxEntry> = {}): OutboxEntry {
    const receiver = overrides.receiver ?? 'pagerduty';
    return sampleOutboxEntry(i, { id: `${receiver}|entry-${i}`, ...overrides });
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

    it('enqueues an outbox entry once: queuing the same id again leaves it untouched', async () => {
      const store = await fresh();
      expect(await store.getOutbox('pagerduty|entry-1')).toBeUndefined();
      await store.enqueue([entry(1), entry(2)]);
      const first = await store.getOutbox('pagerduty|entry-1');
      expect(first).toEqual({ ...entry(1), version: first?.version });
      expect(first?.version).toBeGreaterThan(0);

      const claimed = await store.claimDue(entry(1).nextAttemptAt, 'dispatcher-a', 30_000, 1);
      expect(ids(claimed)).toEqual(['pagerduty|entry-1']);
      // A replay queues the same notification again, with other content: nothing changes.
      await store.enqueue([entry(1, { attempts: 0, notification: entry(3).notification }), entry(3)]);
      expect(await store.getOutbox('pagerduty|entry-1')).toEqual(claimed[0]);
      expect(await store.getOutbox('pagerduty|entry-3')).toBeDefined();
      await store.enqueue([]);
      expect(await store.listOutbox()).toHaveLength(3);
    });

    it('claims due entries under a lease: never one entry twice while the lease holds', async () => {
      const store = await fresh();
      const now = entry(20).createdAt;
      await store.enqueue([
        ...Array.from({ length: 10 }, (_, i) => entry(i)),
        entry(10, { nextAttemptAt: now + 60_000 }), // not due yet
        entry(11, { status: 'delivered', deliveredAt: now }),
        entry(12, { status: 'dead' }),
      ]);
      const [a, b] = await Promise.all([
        store.claimDue(now, 'dispatcher-a', 30_000, 6),
        store.claimDue(now, 'dispatcher-b', 30_000, 6),
      ]);
      const claimedIds = [...ids(a ?? []), ...ids(b ?? [])];
      expect(new Set(claimedIds).size).toBe(claimedIds.length);
      expect(claimedIds.every((id) => Number(id.split('-')[1]) < 10)).toBe(true);
      for (const claimed of a ?? []) {
        expect(claimed).toMatchObject({ leaseOwner: 'dispatcher-a', leaseUntil: now + 30_000 });
        expect(await store.getOutbox(claimed.id)).toEqual(claimed);
      }
      // What is left of the ten, and nothing leased, not due, delivered or dead.
      const rest = await store.claimDue(now + 1_000, 'dispatcher-c', 30_000, 100);
      expect([...claimedIds, ...ids(rest)].sort()).toEqual(
        Array.from({ length: 10 }, (_, i) => `pagerduty|entry-${i}`).sort(),
      );
      expect(await store.claimDue(now + 2_000, 'dispatcher-c', 30_000, 100)).toEqual([]);
    });

    it('hands out the earliest due entries first, up to the limit', async () => {
      const store = await fresh();
      const base = entry(0).createdAt;
      await store.enqueue([
        entry(1, { nextAttemptAt: base + 3_000 }),
        entry(2, { nextAttemptAt: base + 1_000 }),
        entry(3, { nextAttemptAt: base + 2_000 }),
      ]);
      expect(ids(await store.claimDue(base + 5_000, 'd', 10_000, 2))).toEqual([
        'pagerduty|entry-2',
        'pagerduty|entry-3',
      ]);
      expect(await store.claimDue(base + 5_000, 'd', 10_000, 0)).toEqual([]);
    });

    it('lets another dispatcher reclaim an entry whose lease expired, and fences the old holder', async () => {
      const store = await fresh();
      const now = entry(5).createdAt;
      await store.enqueue([entry(5)]);
      const [held] = await store.claimDue(now, 'dispatcher-a', 10_000, 10);
      expect(held).toBeDefined();
      expect(await store.claimDue(now + 9_999, 'dispatcher-b', 10_000, 10)).toEqual([]);
      const [taken] = await store.claimDue(now + 10_000, 'dispatcher-b', 10_000, 10);
      expect(taken).toMatchObject({
        id: 'pagerduty|entry-5',
        leaseOwner: 'dispatcher-b',
        leaseUntil: now + 20_000,
      });
      // dispatcher-a comes back late: its write is refused, so the entry is not delivered twice.
      if (!held || !taken) throw new Error('expected both claims');
      await expect(
        store.updateOutbox({ ...held, status: 'delivered', deliveredAt: now }),
      ).rejects.toBeInstanceOf(ConflictError);
      const done = await store.updateOutbox({
        ...taken,
        status: 'delivered',
        attempts: 1,
        deliveredAt: now + 10_500,
        lastStatus: 202,
        leaseOwner: undefined,
        leaseUntil: undefined,
      });
      expect(done.version).toBeGreaterThan(taken.version);
      const stored = await store.getOutbox('pagerduty|entry-5');
      expect(stored).toMatchObject({
        status: 'delivered',
        attempts: 1,
        deliveredAt: now + 10_500,
        lastStatus: 202,
      });
      expect(stored?.leaseOwner).toBeUndefined();
      expect(await store.claimDue(now + 60_000, 'dispatcher-c', 10_000, 10)).toEqual([]);
    });

    it('reschedules a retried entry: claimed again only once it is due', async () => {
      const store = await fresh();
      const now = entry(6).createdAt;
      await store.enqueue([entry(6)]);
      const [held] = await store.claimDue(now, 'd', 30_000, 10);
      if (!held) throw new Error('expected a claim');
      const retry = await store.updateOutbox({
        ...held,
        attempts: 1,
        nextAttemptAt: now + 5_000,
        lastError: 'HTTP 503',
        lastStatus: 503,
        leaseOwner: undefined,
        leaseUntil: undefined,
      });
      expect(await store.getOutbox(held.id)).toEqual(retry);
      expect(await store.claimDue(now + 4_999, 'd', 30_000, 10)).toEqual([]);
      expect(ids(await store.claimDue(now + 5_000, 'd', 30_000, 10))).toEqual([held.id]);
      await expect(store.updateOutbox(entry(99, { version: 1 }))).rejects.toBeInstanceOf(ConflictError);
      expect(await store.getOutbox(entry(99).id)).toBeUndefined();
    });

    it('lists outbox entries newest first, by incident, status and limit', async () => {
      const store = await fresh();
      await store.enqueue([
        entry(1),
        entry(2, { status: 'dead' }),
        entry(3, { receiver: 'slack' }),
        entry(4, { incidentId: 'vigie-incident-1' }),
      ]);
      expect(ids(await store.listOutbox())).toEqual([
        'pagerduty|entry-4',
        'slack|entry-3',
        'pagerduty|entry-2',
        'pagerduty|entry-1',
      ]);
      expect(ids(await store.listOutbox({ incidentId: 'vigie-incident-1' }))).toEqual([
        'pagerduty|entry-4',
        'pagerduty|entry-1',
      ]);
      expect(ids(await store.listOutbox({ status: 'dead' }))).toEqual(['pagerduty|entry-2']);
      expect(ids(await store.listOutbox({ status: 'pending', limit: 2 }))).toEqual([
        'pagerduty|entry-4',
        'slack|entry-3',
      ]);
    });

    it('records delivery attempts and lists them newest first, by receiver and incident', async () => {
      const store = await fresh();
      for (let i = 0; i < 5; i += 1)
        await store.recordAttempt(sampleAttempt(i, { receiver: i < 3 ? 'pagerduty' : 'slack' }));
      await store.recordAttempt(sampleAttempt(4, { receiver: 'slack' })); // same id: one record
      const all = await store.listAttempts();
      expect(ids(all)).toEqual(['attempt-4', 'attempt-3', 'attempt-2', 'attempt-1', 'attempt-0']);
      expect(all[3]).toEqual(sampleAttempt(1));
      expect(ids(await store.listAttempts({ receiver: 'slack' }))).toEqual(['attempt-4', 'attempt-3']);
      expect(ids(await store.listAttempts({ incidentId: 'vigie-incident-2' }))).toEqual(['attempt-2']);
      expect(ids(await store.listAttempts({ limit: 1 }))).toEqual(['attempt-4']);
    });

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
