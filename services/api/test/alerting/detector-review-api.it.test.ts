import type { Anomaly, Feedback } from '@vigie/common';
import { ElasticsearchAlertStore, ElasticsearchStore } from '@vigie/storage';
import { deletePrefix, ENGINES, sampleAnomaly, testLogger, uniqueName } from '@vigie/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type AlertingApi, startAlertingApi } from './alerting-harness.js';

// GET /api/detectors/review over the real Elasticsearch stores: anomalies counted by the
// anomalies index's aggregation, feedback read from the alert store.

const NOW = Date.parse('2026-11-20T12:00:00Z');
const DAY = 86_400_000;
const prefix = uniqueName('vigie-it-detector-review');
const connection = { url: ENGINES.elasticsearchUrl, indexPrefix: prefix, requestTimeoutMs: 30_000 };
const search = new ElasticsearchStore({ ...connection, totalFieldsLimit: 1000, logger: testLogger() });
const alerts = new ElasticsearchAlertStore(connection);
let api: AlertingApi;

const anomaly = (id: string, daysAgo: number, overrides: Partial<Anomaly>): Anomaly =>
  sampleAnomaly(0, {
    id,
    start: new Date(NOW - daysAgo * DAY).toISOString(),
    updated: new Date(NOW - daysAgo * DAY + 60_000).toISOString(),
    ...overrides,
  });

let serial = 0;
function feedback(anomalyId: string, daysAgo: number, overrides: Partial<Feedback>): Feedback {
  serial++;
  return {
    id: `fb-${serial}`,
    anomalyId,
    verdict: 'false_alarm',
    service: 'checkout',
    kind: 'error_spike',
    dimension: { field: 'url.path', value: '/cart' },
    createdAt: new Date(NOW - daysAgo * DAY).toISOString(),
    expiresAt: new Date(NOW + 7 * DAY).toISOString(),
    createdBy: 'sam',
    comment: '',
    ...overrides,
  };
}

beforeAll(async () => {
  await search.setupDetection();
  await alerts.setupAlerting();
  const spike = { kind: 'error_spike', service: 'checkout' } as const;
  await search.writeAnomalies([
    anomaly('a1', 3, spike),
    anomaly('a2', 2, spike),
    anomaly('a3', 1, spike),
    anomaly('l1', 5, { kind: 'latency', service: 'payments' }),
    // Raised 40 days ago: outside the default range of 30 days.
    anomaly('s1', 40, { kind: 'scan', service: 'edge' }),
  ]);
  await search.refresh();
  // A newer version of a1: the same anomaly, still counted once.
  await search.writeAnomalies([
    anomaly('a1', 3, { ...spike, state: 'closed', end: new Date(NOW).toISOString() }),
  ]);
  await search.refresh();
  for (const record of [
    feedback('a1', 2, { verdict: 'expected' }),
    // The newer verdict on a1 wins.
    feedback('a1', 1, {}),
    feedback('a2', 1, {}),
    feedback('a3', 1, { verdict: 'expected', dimension: { field: 'url.path', value: '/pay' } }),
    feedback('l1', 4, { kind: 'latency', service: 'payments', dimension: {} }),
    feedback('rule-1:auth', 1, { kind: 'log_rule', service: 'auth', dimension: {} }),
    feedback('s1', 39, {
      kind: 'scan',
      service: 'edge',
      dimension: { field: 'source.ip', value: '10.0.0.9' },
    }),
  ]) {
    await alerts.saveFeedback(record);
  }
  api = await startAlertingApi(NOW, alerts, search);
});

afterAll(async () => {
  await api?.close();
  await search.close();
  await alerts.close();
  await deletePrefix(prefix);
});

it('reviews the last 30 days by default: raised, verdicts, rates and the noisiest scopes', async () => {
  const answer = await api.call('GET', '/api/detectors/review', 'viewer');
  expect(answer.statusCode).toBe(200);
  const review = answer.json();
  expect(review.from).toBe(new Date(NOW - 30 * DAY).toISOString());
  expect(review.to).toBe(new Date(NOW).toISOString());
  expect(review.feedbackTruncated).toBe(false);
  const byKind = new Map(review.kinds.map((k: { kind: string }) => [k.kind, k]));
  expect(byKind.get('error_spike')).toEqual({
    kind: 'error_spike',
    raised: 3,
    reviewed: 3,
    expected: 1,
    falseAlarms: 2,
    falseAlarmRate: 2 / 3,
    reviewRate: 1,
  });
  expect(byKind.get('latency')).toMatchObject({ raised: 1, reviewed: 1, falseAlarms: 1, falseAlarmRate: 1 });
  expect(byKind.get('scan')).toMatchObject({
    raised: 0,
    reviewed: 0,
    falseAlarmRate: null,
    reviewRate: null,
  });
  expect(byKind.get('log_rule')).toMatchObject({
    raised: null,
    reviewed: 1,
    falseAlarms: 1,
    reviewRate: null,
  });
  expect(review.noisiestScopes).toEqual([
    {
      service: 'checkout',
      kind: 'error_spike',
      dimension: { field: 'url.path', value: '/cart' },
      falseAlarms: 2,
      reviewed: 2,
    },
    { service: 'auth', kind: 'log_rule', dimension: {}, falseAlarms: 1, reviewed: 1 },
    { service: 'payments', kind: 'latency', dimension: {}, falseAlarms: 1, reviewed: 1 },
  ]);
});

it('reads the range asked for, relative or absolute', async () => {
  const wide = (await api.call('GET', '/api/detectors/review?from=now-60d', 'viewer')).json();
  const scan = wide.kinds.find((k: { kind: string }) => k.kind === 'scan');
  expect(scan).toMatchObject({ raised: 1, reviewed: 1, falseAlarms: 1, reviewRate: 1 });
  const from = new Date(NOW - 2.5 * DAY).toISOString();
  const to = new Date(NOW - 1.5 * DAY).toISOString();
  const narrow = (await api.call('GET', `/api/detectors/review?from=${from}&to=${to}`, 'viewer')).json();
  // a2 started in it; a1's first verdict (expected) is the only one given in it.
  expect(narrow.kinds.find((k: { kind: string }) => k.kind === 'error_spike')).toMatchObject({
    raised: 1,
    reviewed: 1,
    expected: 1,
    falseAlarms: 0,
    falseAlarmRate: 0,
  });
  expect(narrow.noisiestScopes).toEqual([]);
});

it('refuses a range it cannot read, and callers without a key', async () => {
  expect((await api.call('GET', '/api/detectors/review?from=yesterday', 'viewer')).statusCode).toBe(400);
  expect((await api.call('GET', '/api/detectors/review?from=now&to=now-1d', 'viewer')).statusCode).toBe(400);
  expect((await api.call('GET', '/api/detectors/review?size=5', 'viewer')).statusCode).toBe(400);
  expect((await api.app.inject({ method: 'GET', url: '/api/detectors/review' })).statusCode).toBe(401);
});
