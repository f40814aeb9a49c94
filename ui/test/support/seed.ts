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

/** What the seeded index holds, for the assertions. */
export interface Seeded {
  checkoutCount: number;
  checkoutErrors: number;
  anomaly: Anomaly;
  hostileIds: string[];
}

function event(
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

/** Indexes logs, one anomaly and its metrics under `prefix`, all in the last 10 minutes. */
export async function seed(prefix: string): Promise<Seeded> {
  const store = new ElasticsearchStore({
    url: ENGINES.elasticsearchUrl,
    indexPrefix: prefix,
    requestTimeoutMs: 30_000,
    totalFieldsLimit: 2000,
    logger: testLogger(),
  });
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
      event(now - 300_000 + i * 1000, 'hostile', 'error', message, {
        user: { name: message },
      } as Partial<LogEvent>),
    );
    return id;
  });
  await store.writeLogs(logs);

  const start = new Date(now - 620_000).toISOString();
  const anomaly: Anomaly = {
    ...sampleAnomaly(0),
    id: `${prefix}-error-spike`,
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
      expected: { errorRatio: 0.02, errorRatioUpper: 0.08, windowMs: 30_000 },
    };
  });
  await store.writeMetrics(metrics);
  await store.refresh();
  await store.close();
  return { checkoutCount: 30, checkoutErrors, anomaly, hostileIds };
}
