import type { ReceiverConfig } from '@vigie/common';
import { afterEach, describe, expect, it } from 'vitest';
import { createReceiver } from '../../src/receivers/create-receiver.js';
import { verifyWebhookSignature } from '../../src/receivers/webhook.js';
import { type Harness, harness, outboxEntry, T0 } from './dispatcher-harness.js';
import { answer, LocalServer } from './local-server.js';

const SECRET = 'webhook-secret-0123456789';
const common = { rateLimitPerMinute: 60, timeoutMs: 1000 };

describe('Dispatcher with the real receivers', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });
  async function setUp(
    configs: (url: string) => ReceiverConfig[],
    respond: Parameters<typeof LocalServer.start>[0],
  ) {
    const server = await LocalServer.start(respond);
    cleanup.push(() => server.close());
    const h: Harness = harness(configs(`http://127.0.0.1:${server.port}`).map(createReceiver));
    cleanup.push(() => h.close());
    return { server, h };
  }

  it('sends the signed webhook with the outbox id as Idempotency-Key, the same on its retry', async () => {
    let answers = 0;
    const { server, h } = await setUp(
      (url) => [{ ...common, type: 'webhook', name: 'hook', url: `${url}/vigie`, secret: SECRET }],
      (_req, res) => answer(res, ++answers === 1 ? 502 : 200),
    );
    const entry = outboxEntry(1, 'trigger', T0);
    await h.store.enqueue([entry]);
    const dispatcher = h.dispatcher();
    expect(await dispatcher.runOnce()).toMatchObject({ retried: 1 });
    h.clock.advance(60_000);
    expect(await dispatcher.runOnce()).toMatchObject({ delivered: 1 });

    expect(server.requests).toHaveLength(2);
    for (const request of server.requests) {
      expect(request.headers['idempotency-key']).toBe(entry.id);
      const headers = {
        timestamp: String(request.headers['x-vigie-timestamp']),
        signature: String(request.headers['x-vigie-signature']),
      };
      expect(verifyWebhookSignature(SECRET, headers, request.body, h.clock.now)).toBe(true);
      expect(JSON.parse(request.body)).toMatchObject({
        id: entry.id,
        notification: { dedupKey: entry.notification.dedupKey },
      });
    }
  });

  it("waits out PagerDuty's 429 Retry-After, then delivers once", async () => {
    const statuses = [429, 202];
    const { server, h } = await setUp(
      (url) => [
        { ...common, type: 'pagerduty', name: 'pd', routingKey: 'R0UT1NGKEY', url: `${url}/v2/enqueue` },
      ],
      (_req, res) =>
        answer(res, statuses.shift() ?? 202, { 'retry-after': '30' }, '{"status":"success","dedup_key":"x"}'),
    );
    const entry = outboxEntry(1, 'trigger', T0, 'pd');
    await h.store.enqueue([entry]);
    const dispatcher = h.dispatcher();
    expect(await dispatcher.runOnce()).toMatchObject({ retried: 1 });
    expect((await h.store.getOutbox(entry.id))?.nextAttemptAt).toBe(T0 + 30_000);
    h.clock.now = T0 + 29_999;
    expect((await dispatcher.runOnce()).claimed).toBe(0);
    h.clock.now = T0 + 30_000;
    expect(await dispatcher.runOnce()).toMatchObject({ delivered: 1 });
    expect(server.requests.map((r) => JSON.parse(r.body).routing_key)).toEqual(['R0UT1NGKEY', 'R0UT1NGKEY']);
    const log = await h.store.listAttempts();
    expect(JSON.stringify(log)).not.toContain('R0UT1NGKEY');
  });
});
