import type { Feedback, Silence } from '@vigie/common';
import { sampleAnomaly, sampleAttempt, sampleIncident, sampleOutboxEntry, sampleRule } from '@vigie/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AlertingApi, RECEIVER_SECRETS, startAlertingApi } from './alerting-harness.js';

let api: AlertingApi;
beforeEach(async () => {
  api = await startAlertingApi();
});
afterEach(() => api.close());

const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

describe('silences', () => {
  const body = (overrides: object = {}) => ({
    matchers: [{ field: 'service', value: 'checkout' }],
    endsAt: 'now+2h',
    comment: 'Database upgrade',
    ...overrides,
  });

  it('creates a silence from now, lists it as active, and expires it', async () => {
    const created = await api.call('POST', '/api/silences', 'sre', body());
    expect(created.statusCode).toBe(201);
    const silence: Silence = created.json().silence;
    expect(silence).toMatchObject({
      startsAt: iso(api.now),
      endsAt: iso(api.now + 2 * HOUR),
      createdBy: 'sam',
    });
    expect((await api.call('GET', '/api/silences?active=true', 'viewer')).json().silences).toHaveLength(1);
    expect((await api.call('DELETE', `/api/silences/${silence.id}`, 'viewer')).statusCode).toBe(403);
    const expired = await api.call('DELETE', `/api/silences/${silence.id}`, 'sre');
    expect(expired.json().silence.endsAt).toBe(iso(api.now));
    expect((await api.call('GET', '/api/silences?active=true', 'viewer')).json().silences).toEqual([]);
    expect((await api.call('GET', '/api/silences', 'viewer')).json().silences).toHaveLength(1);
    expect((await api.call('DELETE', '/api/silences/nope', 'sre')).statusCode).toBe(404);
  });

  it.each([
    ['ends before it starts', { startsAt: 'now+3h' }],
    ['ends in the past', { startsAt: 'now-3h', endsAt: 'now-1h' }],
    ['lasts more than 30 days', { endsAt: 'now+31d' }],
    ['has no matcher', { matchers: [] }],
    ['matches an unknown field', { matchers: [{ field: 'message', value: 'x' }] }],
    ['has no comment', { comment: '' }],
    ['has an unreadable time', { endsAt: 'tomorrow' }],
    [
      'uses a regex that can backtrack (ReDoS)',
      { matchers: [{ field: 'service', value: '(a+)+b', isRegex: true }] },
    ],
    ['would mute everything', { matchers: [{ field: 'service', value: '.*', isRegex: true }] }],
  ])('refuses a silence that %s', async (_name, overrides) => {
    const refused = await api.call('POST', '/api/silences', 'sre', body(overrides));
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.code).toBe('VIGIE_ERR_BAD_REQUEST');
    expect(await api.alerts.listSilences()).toEqual([]);
  });
});

describe('feedback', () => {
  it('scopes a suppression to the anomaly service, kind and dimension, expiring after the configured TTL', async () => {
    const anomaly = sampleAnomaly(4);
    await api.logs.writeAnomalies([anomaly]);
    const given = await api.call('POST', `/api/anomalies/${anomaly.id}/feedback`, 'sre', {
      verdict: 'false_alarm',
      comment: 'load test',
    });
    expect(given.statusCode).toBe(201);
    expect(given.json().feedback).toMatchObject({
      anomalyId: anomaly.id,
      verdict: 'false_alarm',
      service: anomaly.service,
      kind: anomaly.kind,
      dimension: anomaly.dimension,
      createdBy: 'sam',
      expiresAt: iso(api.now + 7 * 24 * HOUR),
    });
    const listed: Feedback[] = (
      await api.call('GET', `/api/feedback?anomalyId=${anomaly.id}`, 'viewer')
    ).json().feedback;
    expect(listed.map((f) => f.comment)).toEqual(['load test']);
  });

  it('finds a log rule anomaly through its incident, honours a TTL, and 404s an unknown anomaly', async () => {
    const incident = await api.alerts.saveIncident(sampleIncident(1, { service: 'rules-svc' }));
    const given = await api.call('POST', '/api/anomalies/anomaly-1/feedback', 'sre', {
      verdict: 'expected',
      incidentId: incident.id,
      ttlMs: HOUR,
    });
    expect(given.json().feedback).toMatchObject({
      service: 'rules-svc',
      incidentId: incident.id,
      expiresAt: iso(api.now + HOUR),
    });
    // The verdict is in the incident's timeline too, with who gave it.
    const timeline = (await api.alerts.getIncident(incident.id))?.timeline ?? [];
    expect(timeline.at(-1)).toMatchObject({ type: 'feedback', actor: 'sam', anomalyId: 'anomaly-1' });
    expect(timeline.at(-1)?.text).toContain('Marked expected until');
    expect(
      (await api.call('POST', '/api/anomalies/ghost/feedback', 'sre', { verdict: 'expected' })).statusCode,
    ).toBe(404);
    expect(
      (await api.call('POST', '/api/anomalies/anomaly-1/feedback', 'sre', { verdict: 'meh' })).statusCode,
    ).toBe(400);
    expect(
      (await api.call('POST', '/api/anomalies/anomaly-1/feedback', 'viewer', { verdict: 'expected' }))
        .statusCode,
    ).toBe(403);
  });
});

describe('delivery log', () => {
  it('answers attempts newest first, filtered by receiver and incident, and the outbox by status', async () => {
    for (let i = 0; i < 4; i++)
      await api.alerts.recordAttempt(sampleAttempt(i, i === 3 ? { receiver: 'chat' } : {}));
    const all = (await api.call('GET', '/api/deliveries', 'viewer')).json().attempts;
    expect(all.map((a: { id: string }) => a.id)).toEqual([
      'attempt-3',
      'attempt-2',
      'attempt-1',
      'attempt-0',
    ]);
    expect(all[2]).toMatchObject({
      ok: false,
      status: 503,
      error: 'HTTP 503 from the receiver',
      at: '2026-03-02T10:00:01.000Z',
    });
    const pd = (await api.call('GET', '/api/deliveries?receiver=pd', 'viewer')).json().attempts;
    expect(pd).toEqual([]);
    const one = (await api.call('GET', `/api/deliveries?incident=${sampleIncident(2).id}`, 'viewer')).json()
      .attempts;
    expect(one.map((a: { id: string }) => a.id)).toEqual(['attempt-2']);

    await api.alerts.enqueue([
      sampleOutboxEntry(1),
      sampleOutboxEntry(2, { receiver: 'chat', status: 'dead', lastError: 'HTTP 404' }),
    ]);
    const dead = (await api.call('GET', '/api/outbox?status=dead', 'viewer')).json().entries;
    expect(dead).toEqual([
      expect.objectContaining({ receiver: 'chat', action: 'trigger', lastError: 'HTTP 404' }),
    ]);
    expect(dead[0].notification).toBeUndefined();
  });
});

describe('rules', () => {
  const rule = {
    name: 'payment errors',
    query: 'service.name:payments AND log.level:error',
    windowMs: 300_000,
    condition: { type: 'above', threshold: 20 },
    severity: 'critical',
  };

  it('lets admins create, replace and delete rules, and everyone read them', async () => {
    expect((await api.call('POST', '/api/rules', 'sre', rule)).statusCode).toBe(403);
    const created = await api.call('POST', '/api/rules', 'admin', rule);
    expect(created.statusCode).toBe(201);
    const id = created.json().rule.id;
    expect(created.json().rule).toMatchObject({
      service: 'payment errors',
      enabled: true,
      labels: {},
      createdBy: 'ada',
    });
    const replaced = await api.call('PUT', `/api/rules/${id}`, 'admin', {
      ...rule,
      condition: { type: 'anomalous' },
      enabled: false,
    });
    expect(replaced.json().rule).toMatchObject({
      id,
      condition: { type: 'anomalous' },
      enabled: false,
      createdBy: 'ada',
    });
    expect((await api.call('GET', '/api/rules', 'viewer')).json().rules).toHaveLength(1);
    expect((await api.call('GET', `/api/rules/${id}`, 'viewer')).json().rule.enabled).toBe(false);
    expect((await api.call('DELETE', `/api/rules/${id}`, 'admin')).statusCode).toBe(204);
    expect((await api.call('DELETE', `/api/rules/${id}`, 'admin')).statusCode).toBe(404);
    expect((await api.call('PUT', '/api/rules/none', 'admin', rule)).statusCode).toBe(404);
  });

  it('refuses a query outside the grammar (with its position) and inconsistent conditions', async () => {
    const bad = await api.call('POST', '/api/rules', 'admin', { ...rule, query: 'level:error AND (' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('VIGIE_ERR_QUERY_SYNTAX');
    expect(bad.json().error.position).toBeDefined();
    for (const condition of [
      { type: 'above' },
      { type: 'anomalous', threshold: 3 },
      { type: 'between', threshold: 3 },
    ])
      expect((await api.call('POST', '/api/rules', 'admin', { ...rule, condition })).statusCode).toBe(400);
    // Label names as routes name them; a control character (which Elasticsearch's flattened
    // labels refuse) is a 400, not a store failure.
    for (const labels of [{ 'team\u0000x': 'a' }, { '': 'a' }, { 'a b': 'c' }, { team: 'x'.repeat(1025) }])
      expect((await api.call('POST', '/api/rules', 'admin', { ...rule, labels })).statusCode).toBe(400);
    const labelled = await api.call('POST', '/api/rules', 'admin', {
      ...rule,
      labels: { 'team.name': 'payments' },
    });
    expect(labelled.statusCode).toBe(201);
    await api.alerts.saveRule(sampleRule(0));
    expect((await api.call('GET', '/api/rules', 'viewer')).json().rules).toHaveLength(2);
  });
});

it('shows receivers by name, type and host, and no secret ever leaves the server or reaches the log', async () => {
  const answer = await api.call('GET', '/api/receivers', 'viewer');
  expect(answer.json().receivers).toEqual([
    { name: 'pd', type: 'pagerduty', host: 'events.pagerduty.com', rateLimitPerMinute: 60 },
    { name: 'chat', type: 'slack', host: 'hooks.slack.com', rateLimitPerMinute: 60 },
    { name: 'genie', type: 'opsgenie', host: 'api.opsgenie.com', rateLimitPerMinute: 60 },
    { name: 'am', type: 'alertmanager', host: 'alertmanager.internal:9093', rateLimitPerMinute: 60 },
    { name: 'teams', type: 'teams', host: 'example.webhook.office.com', rateLimitPerMinute: 60 },
    { name: 'hook', type: 'webhook', host: 'hooks.example.com', rateLimitPerMinute: 60 },
  ]);
  // Every readable answer of the API, as each role sees it.
  const urls = [
    '/api/receivers',
    '/api/incidents',
    '/api/silences',
    '/api/feedback',
    '/api/deliveries',
    '/api/outbox',
    '/api/rules',
    '/api/openapi.json',
  ];
  const bodies: string[] = [];
  for (const role of ['viewer', 'sre', 'admin'] as const)
    for (const url of urls) bodies.push((await api.call('GET', url, role)).body);
  const everything = [...bodies, ...api.logged].join('\n');
  expect(api.logged.length).toBeGreaterThan(0);
  for (const secret of [...RECEIVER_SECRETS, 'token=inquery', 'webhookb2', '/services/', 'ops:x@'])
    expect(everything).not.toContain(secret);
});
