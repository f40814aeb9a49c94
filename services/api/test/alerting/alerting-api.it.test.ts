import type { Incident } from '@vigie/common';
import { ElasticsearchAlertStore } from '@vigie/storage';
import { deletePrefix, ENGINES, sampleAttempt, sampleIncident, uniqueName } from '@vigie/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type AlertingApi, startAlertingApi } from './alerting-harness.js';

// The alerting routes over the real Elasticsearch alert store: conditional writes with
// real sequence numbers, the store's own filters and order.

const prefix = uniqueName('vigie-it-alerting-api');
const store = new ElasticsearchAlertStore({
  url: ENGINES.elasticsearchUrl,
  indexPrefix: prefix,
  requestTimeoutMs: 30_000,
});
let api: AlertingApi;

beforeAll(async () => {
  await store.setupAlerting();
  api = await startAlertingApi(Date.now(), store);
});

afterAll(async () => {
  await api?.close();
  await store.close();
  await deletePrefix(prefix);
});

it('keeps every one of three simultaneous comments, retrying over the conflicts', async () => {
  await store.saveIncident(sampleIncident(7, { id: 'es-comments', dedupKey: 'es-comments' }));
  const texts = ['first', 'second', 'third'];
  const answers = await Promise.all(
    texts.map((text) => api.call('POST', '/api/incidents/es-comments/comment', 'sre', { text })),
  );
  expect(answers.map((a) => a.statusCode)).toEqual([200, 200, 200]);
  const stored = (await store.getIncident('es-comments')) as Incident;
  expect(
    stored.timeline
      .filter((t) => t.type === 'comment')
      .map((t) => t.text)
      .sort(),
  ).toEqual(texts.sort());
  expect(stored.version).toBe(4);
});

it('acknowledges, then lists by status from Elasticsearch', async () => {
  await store.saveIncident(
    sampleIncident(8, { id: 'es-ack', dedupKey: 'es-ack', updatedAt: new Date().toISOString() }),
  );
  expect((await api.call('POST', '/api/incidents/es-ack/ack', 'sre', {})).statusCode).toBe(200);
  const acknowledged = (
    await api.call('GET', '/api/incidents?status=acknowledged&since=now-1h', 'viewer')
  ).json();
  expect(acknowledged.incidents.map((i: Incident) => i.id)).toEqual(['es-ack']);
  expect((await api.call('GET', '/api/incidents/es-ack/export.md', 'viewer')).body).toContain('acknowledged');
});

it('creates, lists and expires silences, and reads the delivery log newest first', async () => {
  const created = await api.call('POST', '/api/silences', 'sre', {
    matchers: [{ field: 'labels.team', value: 'pay(ments)?', isRegex: true }],
    endsAt: 'now+1h',
    comment: 'migration',
  });
  expect(created.statusCode).toBe(201);
  expect((await api.call('GET', '/api/silences?active=true', 'viewer')).json().silences).toHaveLength(1);
  await api.call('DELETE', `/api/silences/${created.json().silence.id}`, 'sre');
  expect((await api.call('GET', '/api/silences?active=true', 'viewer')).json().silences).toEqual([]);

  for (const i of [1, 2, 3]) await store.recordAttempt(sampleAttempt(i));
  const attempts = (await api.call('GET', '/api/deliveries?receiver=pagerduty', 'viewer')).json().attempts;
  expect(attempts.map((a: { id: string }) => a.id)).toEqual(['attempt-3', 'attempt-2', 'attempt-1']);
});
