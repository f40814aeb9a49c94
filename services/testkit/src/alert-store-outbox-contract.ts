import type { AlertStore, OutboxEntry } from '@vigie/common';
import { ConflictError } from '@vigie/common';
import { expect, it } from 'vitest';
import { sampleAttempt, sampleOutboxEntry } from './alert-samples.js';

const ids = (items: Array<{ id: string }>) => items.map((item) => item.id);

/** Entry `i` for `receiver`, with an id of its own. */
function entry(i: number, overrides: Partial<OutboxEntry> = {}): OutboxEntry {
  const receiver = overrides.receiver ?? 'pagerduty';
  return sampleOutboxEntry(i, { id: `${receiver}|entry-${i}`, ...overrides });
}

/**
 * The outbox and delivery-log part of the `AlertStore` contract, run inside
 * `describeAlertStoreContract`; `fresh` returns a new, set-up store.
 */
export function describeOutboxContract(fresh: () => Promise<AlertStore>): void {
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

  it('lets four dispatchers drain the outbox together: each entry claimed and delivered exactly once', async () => {
    const store = await fresh();
    const now = entry(100).createdAt;
    await store.enqueue(Array.from({ length: 40 }, (_, i) => entry(i)));
    const claims = new Map<string, string[]>();
    const drain = async (owner: string) => {
      for (;;) {
        const batch = await store.claimDue(now, owner, 600_000, 4);
        // Nothing won: either nothing is left, or whoever won is still draining.
        if (batch.length === 0) return;
        for (const claimed of batch) {
          claims.set(claimed.id, [...(claims.get(claimed.id) ?? []), owner]);
          await store.updateOutbox({ ...claimed, status: 'delivered', attempts: 1, deliveredAt: now });
        }
      }
    };
    await Promise.all(['d1', 'd2', 'd3', 'd4'].map(drain));
    expect(claims.size).toBe(40);
    expect([...claims.values()].every((owners) => owners.length === 1)).toBe(true);
    expect(await store.listOutbox({ status: 'delivered' })).toHaveLength(40);
  });
}
