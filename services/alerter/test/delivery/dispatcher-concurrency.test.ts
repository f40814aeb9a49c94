import { until } from '@vigie/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import {
  deliveryConfig,
  harness,
  outboxEntry,
  ReceiverServer,
  T0,
  TestReceiver,
} from './dispatcher-harness.js';
import { answer, LocalServer } from './local-server.js';

describe('Two dispatchers on one store', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  it('deliver every entry exactly once between them', async () => {
    const server = await ReceiverServer.start();
    cleanup.push(() => server.close());
    const h = harness([new TestReceiver('hook', server.url)]);
    cleanup.push(() => h.close());
    const entries = Array.from({ length: 40 }, (_, i) => outboxEntry(i + 1, 'trigger', T0));
    await h.store.enqueue(entries);
    const [a, b] = [h.dispatcher({ batchSize: 5 }), h.dispatcher({ batchSize: 5 })];

    const delivered = { a: 0, b: 0 };
    for (let round = 0; round < 20 && server.accepted.length < 40; round++) {
      const [ra, rb] = await Promise.all([a.runOnce(), b.runOnce()]);
      delivered.a += ra.delivered;
      delivered.b += rb.delivered;
    }
    for (const sent of entries) expect(server.acceptedCount(sent.id)).toBe(1);
    expect(server.server.requests).toHaveLength(40);
    expect(delivered.a).toBeGreaterThan(0);
    expect(delivered.b).toBeGreaterThan(0);
    expect(delivered.a + delivered.b).toBe(40);
  });

  it('leave an entry whose lease ran out while queued behind slow sends to the dispatcher that took it', async () => {
    // The receiver holds the requests the test names until it lets them go.
    const held = new Map<string, () => void>();
    const hold = new Set<string>();
    const server = await LocalServer.start((req, res) => {
      const id = String(req.headers['idempotency-key']);
      const release = () => answer(res, 202);
      if (hold.has(id)) held.set(id, release);
      else release();
    });
    cleanup.push(() => server.close());
    const h = harness([new TestReceiver('hook', `http://127.0.0.1:${server.port}`)]);
    cleanup.push(() => h.close());
    const entries = [1, 2, 3, 4, 5].map((i) => outboxEntry(i, 'trigger', T0));
    const [e1, e2, e3] = entries.map((e) => e.id);
    for (const id of [e1, e2, e3]) hold.add(id ?? '');
    await h.store.enqueue(entries);
    const timeouts = new Map([['hook', 10_000]]);
    const a = h.dispatcher({ timeouts });
    const b = h.dispatcher({ timeouts });
    const sentBy = (id: string | undefined) =>
      server.requests.filter((r) => r.headers['idempotency-key'] === id);
    const letGo = async (id: string | undefined, advanceTo: number) => {
      await until(`request ${id}`, () => held.has(id ?? ''));
      h.clock.now = advanceTo;
      held.get(id ?? '')?.();
    };

    // A claims all five (lease 40 s) and sends them one by one; each takes 10 s of clock.
    const roundA = a.runOnce();
    await letGo(e1, T0 + 10_000);
    await letGo(e2, T0 + 20_000);
    // A renewed e3's lease before sending it (too little left); e4 and e5 wait with leases ending at T0 + 40 s.
    await until('request e3', () => held.has(e3 ?? ''));
    h.clock.now = T0 + 41_000;
    const roundB = await b.runOnce();
    expect(roundB).toMatchObject({ claimed: 2, delivered: 2 });
    held.get(e3 ?? '')?.();
    // A then finds e4 and e5 taken over (its conditional lease renewal conflicts) and leaves them.
    expect(await roundA).toMatchObject({ claimed: 5, delivered: 3 });
    for (const sent of entries) {
      expect(sentBy(sent.id), sent.id).toHaveLength(1);
      expect((await h.store.getOutbox(sent.id))?.status).toBe('delivered');
    }
  });
});

describe('Dispatcher lifecycle', () => {
  it('polls the outbox on its own once started, and not after stop(), which is safe without start()', async () => {
    const server = await ReceiverServer.start();
    const h = harness([new TestReceiver('hook', server.url)], deliveryConfig({ pollMs: 20 }));
    try {
      await h.dispatcher().stop();
      const dispatcher = h.dispatcher({ clock: Date.now });
      dispatcher.start();
      dispatcher.start();
      const first = outboxEntry(1, 'trigger', Date.now());
      await h.store.enqueue([first]);
      await until('first delivery', () => server.accepted.length === 1);
      await dispatcher.stop();
      await dispatcher.stop();
      await h.store.enqueue([outboxEntry(2, 'trigger', Date.now())]);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(server.accepted).toEqual([first.id]);
    } finally {
      await h.close();
      await server.close();
    }
  });
});
