import type { AlertStore, OutboxEntry } from '@vigie/common';
import { UnavailableError } from '@vigie/common';
import { metricValue } from '@vigie/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  deliveryConfig,
  type Harness,
  harness,
  outboxEntry,
  ReceiverServer,
  T0,
  TestReceiver,
} from './dispatcher-harness.js';

describe('Dispatcher against a real receiver server', () => {
  let server: ReceiverServer;
  let h: Harness;
  const open = async (config = deliveryConfig()) => {
    h = harness([new TestReceiver('hook', server.url)], config);
    return h;
  };
  const entry = async (id: string): Promise<OutboxEntry> => {
    const found = await h.store.getOutbox(id);
    if (found === undefined) throw new Error(`no outbox entry ${id}`);
    return found;
  };

  beforeEach(async () => {
    server = await ReceiverServer.start();
  });
  afterEach(async () => {
    await h?.close();
    await server.close();
  });

  it('honours Retry-After on 429: the entry and the rest of its receiver wait, then go once', async () => {
    await open();
    server.mode = 'throttle';
    const [first, second] = [outboxEntry(1, 'trigger', T0), outboxEntry(2, 'trigger', T0)];
    await h.store.enqueue([first, second]);
    const dispatcher = h.dispatcher();

    expect(await dispatcher.runOnce()).toMatchObject({ claimed: 2, retried: 1, deferred: 1 });
    expect(server.server.requests).toHaveLength(1);
    expect(await entry(first.id)).toMatchObject({
      attempts: 1,
      lastStatus: 429,
      nextAttemptAt: T0 + 120_000,
    });
    expect(await entry(second.id)).toMatchObject({
      attempts: 0,
      status: 'pending',
      nextAttemptAt: T0 + 120_000,
    });

    server.mode = 'up';
    h.clock.now = T0 + 119_999;
    expect((await dispatcher.runOnce()).claimed).toBe(0);
    h.clock.now = T0 + 120_000;
    expect(await dispatcher.runOnce()).toMatchObject({ delivered: 2 });
    expect(server.accepted.sort()).toEqual([first.id, second.id].sort());
    const log = await h.store.listAttempts();
    expect(log.map((a) => [a.outboxId, a.ok, a.status])).toEqual(
      expect.arrayContaining([
        [first.id, false, 429],
        [first.id, true, 202],
        [second.id, true, 202],
      ]),
    );
    expect(log).toHaveLength(3);
  });

  it('delivers every notification exactly once, in order, after 5 minutes of 5xx and timeouts', async () => {
    await open();
    server.mode = 'alternate';
    const triggers = [1, 2, 3, 4, 5, 6].map((i) => outboxEntry(i, 'trigger', T0 + i * 1000));
    const resolves = [1, 2, 3].map((i) => outboxEntry(i, 'resolve', T0 + 10_000 + i * 1000));
    await h.store.enqueue([...resolves, ...triggers]);
    const dispatcher = h.dispatcher();

    h.clock.now = T0 + 20_000;
    while (h.clock.now < T0 + 5 * 60_000) {
      await dispatcher.runOnce();
      h.clock.advance(5_000);
    }
    const triedWhileDown = server.server.requests.length;
    expect(server.accepted).toEqual([]);
    // The circuit keeps it to a trial per cooldown, not one try per entry per round.
    expect(triedWhileDown).toBeGreaterThanOrEqual(3);
    expect(triedWhileDown).toBeLessThanOrEqual(3 + (5 * 60_000) / 30_000 + 1);
    expect(await metricValue(h.registry, 'vigie_receiver_circuit_open', { receiver: 'hook' })).toBe(1);

    server.mode = 'up';
    for (let round = 0; round < 60 && server.accepted.length < 9; round++) {
      await dispatcher.runOnce();
      h.clock.advance(5_000);
    }
    for (const sent of [...triggers, ...resolves]) {
      expect(server.acceptedCount(sent.id), sent.id).toBe(1);
      expect((await entry(sent.id)).status).toBe('delivered');
    }
    for (const [i, resolve] of resolves.entries()) {
      expect(server.accepted.indexOf(resolve.id)).toBeGreaterThan(
        server.accepted.indexOf(triggers[i]?.id ?? ''),
      );
    }
    // Every try is in the delivery log; resolves were never tried before their trigger went.
    expect(await h.store.listAttempts({ limit: 1000 })).toHaveLength(server.server.requests.length);
    expect(await metricValue(h.registry, 'vigie_notifications_total', { outcome: 'delivered' })).toBe(9);
    expect(await metricValue(h.registry, 'vigie_receiver_circuit_open', { receiver: 'hook' })).toBe(0);
    expect(await metricValue(h.registry, 'vigie_outbox_pending')).toBe(0);
  });

  it('opens the circuit after breakerFailures, then lets one trial through per cooldown', async () => {
    await open(deliveryConfig({ breakerFailures: 2, breakerCooldownMs: 30_000 }));
    server.mode = 'error';
    const entries = [1, 2, 3, 4, 5].map((i) => outboxEntry(i, 'trigger', T0));
    await h.store.enqueue(entries);
    const dispatcher = h.dispatcher();

    expect(await dispatcher.runOnce()).toMatchObject({ claimed: 5, retried: 2, deferred: 3 });
    expect(server.server.requests).toHaveLength(2);
    expect(await metricValue(h.registry, 'vigie_receiver_circuit_open', { receiver: 'hook' })).toBe(1);
    expect((await entry(entries[4]?.id ?? '')).nextAttemptAt).toBe(T0 + 30_000);

    h.clock.now = T0 + 29_999; // the two failed entries are due again, the circuit is still open
    expect(await dispatcher.runOnce()).toMatchObject({ claimed: 2, deferred: 2 });
    expect(server.server.requests).toHaveLength(2);

    h.clock.now = T0 + 30_000; // half-open: one trial, which fails
    expect(await dispatcher.runOnce()).toMatchObject({ claimed: 5, retried: 1, deferred: 4 });
    expect(server.server.requests).toHaveLength(3);

    server.mode = 'up';
    h.clock.now = T0 + 60_000; // the next trial succeeds and closes it: the rest follow at once
    expect(await dispatcher.runOnce()).toMatchObject({ claimed: 5, delivered: 5 });
    expect(await metricValue(h.registry, 'vigie_receiver_circuit_open', { receiver: 'hook' })).toBe(0);
    for (const sent of entries) expect(server.acceptedCount(sent.id)).toBe(1);
  });

  it('holds notifications beyond the rate limit in the outbox, untried, and sends them all later', async () => {
    await open();
    const entries = Array.from({ length: 10 }, (_, i) => outboxEntry(i + 1, 'trigger', T0));
    await h.store.enqueue(entries);
    const dispatcher = h.dispatcher({ rateLimits: new Map([['hook', 3]]) });

    expect(await dispatcher.runOnce()).toMatchObject({ delivered: 3, deferred: 7 });
    const waiting = (await h.store.listOutbox({ status: 'pending' })).map((e) => [
      e.attempts,
      e.nextAttemptAt,
    ]);
    expect(waiting).toEqual(Array.from({ length: 7 }, () => [0, T0 + 60_000]));
    expect(await h.store.listAttempts()).toHaveLength(3);

    for (let round = 0; round < 40 && server.accepted.length < 10; round++) {
      h.clock.advance(10_000);
      await dispatcher.runOnce();
    }
    for (const sent of entries) expect(server.acceptedCount(sent.id)).toBe(1);
    const sentAt = (await h.store.listAttempts({ limit: 100 })).map((a) => a.at).sort((a, b) => a - b);
    expect(sentAt).toHaveLength(10);
    for (let i = 3; i < sentAt.length; i++)
      expect((sentAt[i] ?? 0) - (sentAt[i - 3] ?? 0)).toBeGreaterThanOrEqual(60_000);
    expect(
      await metricValue(h.registry, 'vigie_notifications_deferred_total', { reason: 'rate_limited' }),
    ).toBe(7 + 4 + 1);
  });

  it('never sends an acknowledge before its trigger, even when only the acknowledge is due', async () => {
    await open();
    const trigger = { ...outboxEntry(1, 'trigger', T0), nextAttemptAt: T0 + 10_000 };
    const ack = outboxEntry(1, 'acknowledge', T0 + 1000);
    await h.store.enqueue([trigger, ack]);
    const dispatcher = h.dispatcher();

    h.clock.now = T0 + 2000;
    expect(await dispatcher.runOnce()).toMatchObject({ claimed: 1, deferred: 1 });
    expect(server.server.requests).toHaveLength(0);
    expect((await entry(ack.id)).nextAttemptAt).toBe(T0 + 10_000);

    server.mode = 'error';
    h.clock.now = T0 + 10_000; // the trigger fails: its acknowledge stays behind it
    expect(await dispatcher.runOnce()).toMatchObject({ claimed: 2, retried: 1, deferred: 1 });
    expect(server.server.requests).toHaveLength(1);

    server.mode = 'up';
    h.clock.now = T0 + 20_000;
    expect(await dispatcher.runOnce()).toMatchObject({ delivered: 2 });
    expect(server.accepted).toEqual([trigger.id, ack.id]);
  });

  it('marks dead what the receiver rejects, what expired, and what policy refuses, with log-safe reasons', async () => {
    await open();
    server.mode = 'reject';
    const rejected = outboxEntry(1, 'trigger', T0);
    const expired = outboxEntry(2, 'trigger', T0 - 3_600_001);
    const blocked = outboxEntry(3, 'trigger', T0, 'internal');
    const orphan = outboxEntry(4, 'trigger', T0, 'removed-from-config');
    await h.store.enqueue([rejected, expired, blocked, orphan]);
    const dispatcher = h.dispatcher({
      receivers: new Map([
        ['hook', new TestReceiver('hook', server.url)],
        ['internal', new TestReceiver('internal', 'http://10.1.2.3:8080')],
      ]),
    });

    expect(await dispatcher.runOnce()).toMatchObject({ claimed: 4, dead: 4 });
    expect(server.server.requests).toHaveLength(1);
    expect(await entry(rejected.id)).toMatchObject({ status: 'dead', attempts: 1, lastError: 'HTTP 400' });
    expect(await entry(expired.id)).toMatchObject({
      status: 'dead',
      lastError: 'expired: older than maxAgeMs',
    });
    expect(await entry(orphan.id)).toMatchObject({ status: 'dead' });
    const refused = await entry(blocked.id);
    expect(refused.lastError).toMatch(/^Request to 10\.1\.2\.3 failed: blocked_address/);
    expect(refused.lastError).not.toContain('S3CR3T');
    const log = await h.store.listAttempts();
    expect(log.every((a) => !a.ok && !JSON.stringify(a).includes('S3CR3T'))).toBe(true);
    expect(await metricValue(h.registry, 'vigie_notifications_total', { outcome: 'dead' })).toBe(4);
  });

  it('is at least once: a store failure after a send sends it again after the lease, same key', async () => {
    await open();
    const sent = outboxEntry(1, 'trigger', T0);
    await h.store.enqueue([sent]);
    const failing: AlertStore = Object.assign(Object.create(h.store) as AlertStore, {
      recordAttempt: async () => {
        throw new UnavailableError('alert store');
      },
    });
    await expect(h.dispatcher({ store: failing }).runOnce()).rejects.toThrow(UnavailableError);
    expect(server.accepted).toEqual([sent.id]);
    expect(await entry(sent.id)).toMatchObject({ status: 'pending', leaseUntil: T0 + 40_000 });

    const dispatcher = h.dispatcher();
    h.clock.now = T0 + 39_999;
    expect((await dispatcher.runOnce()).claimed).toBe(0);
    h.clock.now = T0 + 40_000;
    expect(await dispatcher.runOnce()).toMatchObject({ delivered: 1 });
    expect(server.accepted).toEqual([sent.id, sent.id]);
  });
});
