import type { Anomaly, BucketMetric, LogEvent, StoredLog } from '@vigie/common';
import { ElasticsearchStore } from '@vigie/storage';
import { ENGINES, sampleAnomaly, testLogger } from '@vigie/testkit';

/** Messages a hostile client could send: each must show up as text and run nothing. */
export const HOSTILE_MESSAGES = [
  '<img src=x onerror=alert(1)>',
  '<script>window.__vigieCanary = "script"</script>',
  '<svg onload="window.__vigieCanary = \'svg\'"><circle r="5"/></svg>',
  '"><img src=x onerror="window.__vigieCanary=\'attr\'">',
  '<a href="javascript:window.__vigieCanary=1">click</a>',
  '\u001b[31mred terminal\u001b[0m <iframe src="javascript:alert(2)">',
];

/** A service name that is itself a payload. */
export const HOSTILE_SERVICE = '<img src=x onerror="window.__vigieCanary=\'service\'">';

/** What the seeded index holds, for the assertions. */
export interface Seeded {
  checkoutCount: number;
  checkoutErrors: number;
  anomaly: Anomaly;
  hostileIds: string[];
  /** The service name of the hostile events: itself a payload. */
  hostileService: string;
  /** All seeded log events. */
  total: number;
}

/** A log event of the seeded shape. */
export function event(
  at: number,
  service: string,
  level: string,
  message: string,
  extra: Partial<LogEvent> = {},
): LogEvent {
  return {
    '@timestamp': new Date(at).toISOString(),
    message,
    log: { level },
    service: { name: service, version: '1.4.2' },
    host: { name: `${service}-1` },
    ...extra,
  } as LogEvent;
}

/** The Elasticsearch store of a test's own prefix. */
export function openStore(prefix: string): ElasticsearchStore {
  return new ElasticsearchStore({
    url: ENGINES.elasticsearchUrl,
    indexPrefix: prefix,
    requestTimeoutMs: 30_000,
    totalFieldsLimit: 2000,
    logger: testLogger(),
  });
}

/** Indexes logs (the last hour), one anomaly and its metrics (the last 10 minutes). */
export async function seed(store: ElasticsearchStore): Promise<Seeded> {
  await store.setup();
  await store.setupDetection();
  const now = Date.now();
  const logs: StoredLog[] = [];
  const add = (id: string, logEvent: LogEvent) => logs.push({ id, event: logEvent, partitionTime: now });
  let checkoutErrors = 0;
  for (let i = 0; i < 30; i++) {
    const level = i % 5 === 0 ? 'error' : 'info';
    if (level === 'error') checkoutErrors++;
    add(
      `checkout-${i}`,
      event(
        now - 600_000 + i * 10_000,
        'checkout',
        level,
        `order ${i} ${level === 'error' ? 'payment refused zebrafish' : 'placed'}`,
        {
          http: { response: { status_code: level === 'error' ? 502 : 200 } },
        } as Partial<LogEvent>,
      ),
    );
  }
  for (let i = 0; i < 20; i++)
    add(`payments-${i}`, event(now - 590_000 + i * 15_000, 'payments', 'warn', `retry ${i} on gateway`));
  const hostileIds = HOSTILE_MESSAGES.map((message, i) => {
    const id = `hostile-${i}`;
    add(
      id,
      event(now - 300_000 + i * 1000, HOSTILE_SERVICE, 'error', message, {
        user: { name: message },
        labels: { suite: 'hostile', [`<svg onload="window.__vigieCanary='key${i}'">`]: message },
      } as Partial<LogEvent>),
    );
    return id;
  });
  // Older filler so that the last hour holds more than one page of results.
  for (let i = 0; i < 100; i++)
    add(`filler-${i}`, event(now - 3_000_000 + i * 20_000, 'filler', 'debug', `tick ${i}`));
  const outcomes = await store.writeLogs(logs);
  if (outcomes.some((outcome) => outcome.status !== 'ok'))
    throw new Error(`seeding failed: ${JSON.stringify(outcomes)}`);

  const start = new Date(now - 620_000).toISOString();
  const anomaly: Anomaly = {
    ...sampleAnomaly(0),
    id: 'checkout-error-spike',
    kind: 'error_spike',
    service: 'checkout',
    dimension: {},
    state: 'open',
    start,
    updated: new Date(now - 60_000).toISOString(),
    severity: 'critical',
    explanation: 'Errors of checkout rose to 40% of requests, against 2% expected.',
    contributors: [
      { field: 'url.path', value: '/pay', observed: 12, expected: 1, share: 0.8 },
      { field: 'user.name', value: HOSTILE_MESSAGES[0] ?? '', observed: 3, expected: 0, share: 0.2 },
    ],
    sampleEventIds: ['checkout-0', 'hostile-1'],
    query: 'service.name:checkout AND log.level:error',
  };
  await store.writeAnomalies([anomaly]);
  const metrics: BucketMetric[] = Array.from({ length: 20 }, (_, i) => {
    const errorRatio = i >= 14 ? 0.4 : 0.02;
    return {
      service: 'checkout',
      '@timestamp': new Date(now - 600_000 + i * 30_000).toISOString(),
      bucketMs: 30_000,
      count: 10,
      errors: Math.round(errorRatio * 10),
      errorRatio,
      status: { '1xx': 0, '2xx': 10, '3xx': 0, '4xx': 0, '5xx': 0 },
      latency: { samples: 10, p50: 40, p95: 120 + (i % 4) * 10, p99: 300 },
      expected: {
        errorRatio: 0.02,
        errorRatioUpper: 0.08,
        count: 10,
        countLower: 5,
        countUpper: 15,
        p95: 130,
        p95Lower: 90,
        p95Upper: 170,
        windowMs: 30_000,
      },
    };
  });
  await store.writeMetrics(metrics);
  await store.refresh();
  return {
    checkoutCount: 30,
    checkoutErrors,
    anomaly,
    hostileIds,
    hostileService: HOSTILE_SERVICE,
    total: logs.length,
  };
}
