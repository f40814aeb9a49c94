import { Value } from '@sinclair/typebox/value';
import type { AlerterConfig, Anomaly, OutboxEntry } from '@vigie/common';
import { AlerterConfigSchema } from '@vigie/common';
import { MemoryAlertStore, MemoryStore, sampleAnomaly, testLogger } from '@vigie/testkit';
import { describe, expect, it } from 'vitest';
import { DIGEST_SETTLE_MS } from '../../src/digest/index.js';
import { IncidentFlow } from '../../src/service/incident-flow.js';

// Digest routes through the real incident flow on the memory store: what is queued, when,
// and that a restart or a second pass never queues a window's digest again.

const DIGEST_MS = 5 * 60_000;
const WINDOW = Date.parse('2026-03-02T10:00:00Z');
const WINDOW_END = WINDOW + DIGEST_MS;
const AFTER_WINDOW = WINDOW_END + DIGEST_SETTLE_MS;

function alerterConfig(routes: AlerterConfig['routes']): AlerterConfig {
  const defaults = Value.Default(AlerterConfigSchema, {}) as AlerterConfig;
  return {
    ...defaults,
    publicUrl: 'https://vigie.example',
    resolveAfterMs: 60_000,
    receivers: [
      {
        name: 'slack',
        type: 'slack',
        url: 'https://hooks.slack.test/x',
        rateLimitPerMinute: 60,
        timeoutMs: 1000,
      },
      {
        name: 'pd',
        type: 'pagerduty',
        routingKey: 'k'.repeat(32),
        url: 'https://pd.test',
        rateLimitPerMinute: 60,
        timeoutMs: 1000,
      },
    ],
    routes,
  };
}

/** Route 0: every incident to Slack in digest mode; route 1 (continue): every incident to PagerDuty. */
const DIGEST_AND_PAGE: AlerterConfig['routes'] = [
  { match: {}, receivers: ['slack'], continue: true, digestMs: DIGEST_MS },
  { match: {}, receivers: ['pd'], continue: false },
];

function flowOn(store: MemoryAlertStore, routes = DIGEST_AND_PAGE): IncidentFlow {
  return new IncidentFlow({
    store,
    search: new MemoryStore(),
    config: alerterConfig(routes),
    logger: testLogger(),
  });
}

function anomalyOf(service: string, at: number, overrides: Partial<Anomaly> = {}): Anomaly {
  return sampleAnomaly(0, {
    id: `anomaly-${service}`,
    service,
    start: new Date(at).toISOString(),
    updated: new Date(at).toISOString(),
    ...overrides,
  });
}

async function outboxOf(store: MemoryAlertStore, receiver: string): Promise<OutboxEntry[]> {
  return (await store.listOutbox({ limit: 1000 })).filter((e) => e.receiver === receiver);
}

const SERVICES = ['cart', 'checkout', 'search', 'auth', 'payments'];

describe('digest routes', () => {
  it('queue one digest listing the 5 incidents of a window once it ended, while the other route pages each', async () => {
    const store = new MemoryAlertStore();
    const flow = flowOn(store);
    for (const [i, service] of SERVICES.entries()) {
      const at = WINDOW + 30_000 + i * 20_000;
      await flow.handleAnomalies([anomalyOf(service, at)], at);
    }
    await flow.reconcile(WINDOW_END - 1000);
    await flow.reconcile(WINDOW_END + 1000); // ended, but within the settle time
    expect(await outboxOf(store, 'slack')).toEqual([]);

    await flow.reconcile(AFTER_WINDOW);
    const slack = await outboxOf(store, 'slack');
    expect(slack).toHaveLength(1);
    const [digest] = slack;
    expect(digest?.id).toBe('slack|digest|0|2026-03-02T10:00:00.000Z');
    expect(digest?.notification.action).toBe('digest');
    expect(digest?.notification.digest?.map((d) => d.service)).toEqual(SERVICES);
    expect(digest?.notification.summary).toBe('5 incidents in this window: 5 opened.');
    expect(digest?.notification.digest?.[0]?.link).toMatch(
      /^https:\/\/vigie\.example\/#\/incidents\?incident=vigie-/,
    );

    const pd = await outboxOf(store, 'pd');
    expect(pd.map((e) => e.notification.action)).toEqual(Array(5).fill('trigger'));

    await flow.reconcile(AFTER_WINDOW + 60_000);
    expect(await outboxOf(store, 'slack')).toHaveLength(1);
  });

  it('is not queued again by a restarted alerter (a new flow on the same store), even once delivered', async () => {
    const store = new MemoryAlertStore();
    const first = flowOn(store);
    for (const [i, service] of SERVICES.entries()) {
      await first.handleAnomalies([anomalyOf(service, WINDOW + i * 1000)], WINDOW + i * 1000);
    }
    await first.reconcile(AFTER_WINDOW);
    const [queued] = await outboxOf(store, 'slack');
    if (!queued) throw new Error('no digest queued');
    await store.updateOutbox({ ...queued, status: 'delivered', deliveredAt: AFTER_WINDOW + 500 });

    const queuedByRestart: OutboxEntry[] = [];
    const restarted = new IncidentFlow({
      store,
      search: new MemoryStore(),
      config: alerterConfig(DIGEST_AND_PAGE),
      logger: testLogger(),
      onQueued: (entries) => queuedByRestart.push(...entries),
    });
    await restarted.reconcile(AFTER_WINDOW + 1000);
    await restarted.reconcile(AFTER_WINDOW + 10 * 60_000);
    expect(queuedByRestart).toEqual([]);
    const slack = await outboxOf(store, 'slack');
    expect(slack.map((e) => [e.id, e.status])).toEqual([
      ['slack|digest|0|2026-03-02T10:00:00.000Z', 'delivered'],
    ]);
  });

  it('queues the digest of a window that ended while no alerter ran, built from the store', async () => {
    const store = new MemoryAlertStore();
    const crashed = flowOn(store);
    await crashed.handleAnomalies([anomalyOf('cart', WINDOW + 1000)], WINDOW + 1000);
    // The alerter that filed the incident is gone; another one starts 20 minutes later.
    await flowOn(store).reconcile(WINDOW_END + 20 * 60_000);
    const slack = await outboxOf(store, 'slack');
    expect(slack.map((e) => e.id)).toEqual(['slack|digest|0|2026-03-02T10:00:00.000Z']);
    expect(slack[0]?.notification.digest?.map((d) => d.service)).toEqual(['cart']);
  });

  it('summarises escalations and resolutions of the window, also of incidents opened in an earlier one', async () => {
    const store = new MemoryAlertStore();
    const flow = flowOn(store);
    const earlier = WINDOW - 60_000;
    const old = anomalyOf('search', earlier);
    await flow.handleAnomalies([old], earlier);
    const closedAt = WINDOW + 10_000;
    await flow.handleAnomalies(
      [
        {
          ...old,
          state: 'closed',
          end: new Date(closedAt).toISOString(),
          updated: new Date(closedAt).toISOString(),
        },
      ],
      closedAt,
    );

    const opened = anomalyOf('checkout', WINDOW + 20_000);
    await flow.handleAnomalies([opened], WINDOW + 20_000);
    const louder = {
      ...opened,
      severity: 'critical' as const,
      score: 0.99,
      updated: new Date(WINDOW + 40_000).toISOString(),
    };
    await flow.handleAnomalies([louder], WINDOW + 40_000);
    await flow.reconcile(closedAt + 61_000); // 'search' quiet for resolveAfterMs: resolved
    await flow.reconcile(AFTER_WINDOW);

    const digests = (await outboxOf(store, 'slack'))
      .sort((a, b) => b.id.localeCompare(a.id))
      .map((e) => e.notification);
    expect(digests.map((n) => n.incidentId)).toEqual([
      'vigie-digest-route0-2026-03-02T10:00:00.000Z',
      'vigie-digest-route0-2026-03-02T09:55:00.000Z',
    ]);
    const [current, previous] = digests;
    expect(previous?.digest?.map((d) => [d.service, d.summary.split(' UTC')[0]])).toEqual([
      ['search', 'Opened 09:59:00'],
    ]);
    expect(current?.summary).toBe('2 incidents in this window: 1 opened, 1 escalated, 1 resolved.');
    expect(current?.severity).toBe('critical');
    expect(
      current?.digest?.map((d) => [d.service, d.status, d.severity, d.summary.split(' UTC')[0]]),
    ).toEqual([
      ['checkout', 'open', 'critical', 'Opened 10:00:20, escalated to critical 10:00:40'],
      ['search', 'resolved', 'warning', 'Resolved 10:01:11'],
    ]);
    // Per-incident messages only on the PagerDuty route.
    const pdActions = (await outboxOf(store, 'pd')).map(
      (e) => `${e.notification.service}:${e.notification.action}`,
    );
    expect(pdActions.sort()).toEqual([
      'checkout:trigger',
      'checkout:trigger',
      'search:resolve',
      'search:trigger',
    ]);
  });

  it('leaves out what a silence keeps quiet, as it does for messages', async () => {
    const store = new MemoryAlertStore();
    await store.saveSilence({
      id: 'maintenance',
      matchers: [{ field: 'service', value: 'auth' }],
      startsAt: new Date(WINDOW - 60_000).toISOString(),
      endsAt: new Date(WINDOW_END + 60 * 60_000).toISOString(),
      createdBy: 'alice',
      createdAt: new Date(WINDOW - 60_000).toISOString(),
      comment: 'upgrade',
    });
    const flow = flowOn(store);
    await flow.handleAnomalies([anomalyOf('auth', WINDOW + 1000)], WINDOW + 1000);
    await flow.handleAnomalies([anomalyOf('cart', WINDOW + 2000)], WINDOW + 2000);
    await flow.reconcile(AFTER_WINDOW);
    const [digest] = await outboxOf(store, 'slack');
    expect(digest?.notification.digest?.map((d) => d.service)).toEqual(['cart']);
    expect((await outboxOf(store, 'pd')).map((e) => e.notification.service)).toEqual(['cart']);
  });

  it('queues nothing for a window without openings, escalations or resolutions', async () => {
    const store = new MemoryAlertStore();
    const flow = flowOn(store);
    await flow.handleAnomalies([anomalyOf('cart', WINDOW - 1000)], WINDOW - 1000);
    // Same anomaly, new figures in the next window: an update, not an escalation.
    await flow.handleAnomalies(
      [anomalyOf('cart', WINDOW - 1000, { observed: 0.09, updated: new Date(WINDOW + 1000).toISOString() })],
      WINDOW + 1000,
    );
    await flow.reconcile(AFTER_WINDOW);
    expect((await outboxOf(store, 'slack')).map((e) => e.notification.incidentId)).toEqual([
      'vigie-digest-route0-2026-03-02T09:55:00.000Z',
    ]);
  });

  it('cut each route by its own window, catching up on every window missed while down', async () => {
    const store = new MemoryAlertStore();
    const routes: AlerterConfig['routes'] = [
      { match: {}, receivers: ['slack'], continue: true, digestMs: 60_000 },
      { match: {}, receivers: ['pd'], continue: false, digestMs: DIGEST_MS },
    ];
    const before = flowOn(store, routes);
    for (const [minute, service] of [
      [0, 'cart'],
      [0, 'auth'],
      [2, 'search'],
      [3, 'checkout'],
    ] as const) {
      const at = WINDOW + minute * 60_000 + (service === 'auth' ? 20_000 : 15_000);
      await before.handleAnomalies([anomalyOf(service, at)], at);
    }
    await flowOn(store, routes).reconcile(WINDOW + 20 * 60_000);
    const listed = async (receiver: string) =>
      (await outboxOf(store, receiver))
        .map(
          (e) =>
            `${e.id.split('|')[3]?.slice(11, 16)} ${e.notification.digest?.map((d) => d.service).join(',')}`,
        )
        .sort();
    expect(await listed('slack')).toEqual(['10:00 cart,auth', '10:02 search', '10:03 checkout']);
    expect(await listed('pd')).toEqual(['10:00 cart,auth,search,checkout']);
  });
});
