import type { AlertStore, Incident } from '@vigie/common';
import { ConflictError } from '@vigie/common';
import { sampleIncident } from '@vigie/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AlertingApi, startAlertingApi } from './alerting-harness.js';

let api: AlertingApi;
beforeEach(async () => {
  api = await startAlertingApi();
});
afterEach(() => api.close());

async function seedIncidents(): Promise<Incident[]> {
  const saved: Incident[] = [];
  for (let i = 0; i < 5; i++)
    saved.push(
      await api.alerts.saveIncident(
        sampleIncident(i, i === 3 ? { status: 'resolved', resolvedAt: '2026-03-02T10:20:00Z' } : {}),
      ),
    );
  return saved;
}

/** Lets the alerter "write" the incident `times` times between the API's read and its write. */
function raceSaves(store: AlertStore, times: number): void {
  const save = store.saveIncident.bind(store);
  let left = times;
  store.saveIncident = async (incident) => {
    if (left-- > 0) {
      const current = await store.getIncident(incident.id);
      if (current)
        await save({
          ...current,
          timeline: [...current.timeline, { at: current.updatedAt, type: 'quiet', text: 'by the alerter' }],
        });
    }
    return save(incident);
  };
}

describe('GET /api/incidents', () => {
  it('lists incidents newest first, filtered by status, service and since', async () => {
    await seedIncidents();
    const all = (await api.call('GET', '/api/incidents', 'viewer')).json();
    expect(all.incidents.map((i: Incident) => i.id)).toEqual(
      [4, 3, 2, 1, 0].map((i) => `vigie-incident-${i}`),
    );
    const active = (await api.call('GET', '/api/incidents?status=active&service=svc-0', 'viewer')).json();
    expect(active.incidents.map((i: Incident) => i.id)).toEqual(['vigie-incident-0']);
    const resolved = (await api.call('GET', '/api/incidents?status=resolved', 'viewer')).json();
    expect(resolved.incidents.map((i: Incident) => i.id)).toEqual(['vigie-incident-3']);
    const recent = (
      await api.call('GET', '/api/incidents?since=2026-03-02T10:03:00Z&limit=1', 'viewer')
    ).json();
    expect(recent.incidents.map((i: Incident) => i.id)).toEqual(['vigie-incident-4']);
    expect((await api.call('GET', '/api/incidents?status=closed', 'viewer')).statusCode).toBe(400);
    expect((await api.call('GET', '/api/incidents?since=yesterday', 'viewer')).statusCode).toBe(400);
  });

  it('answers one incident whole, and 404 for an unknown id', async () => {
    await seedIncidents();
    const one = await api.call('GET', '/api/incidents/vigie-incident-2', 'viewer');
    expect(one.statusCode).toBe(200);
    expect(one.json().incident).toMatchObject({
      id: 'vigie-incident-2',
      title: sampleIncident(2).title,
      version: 1,
    });
    expect(one.json().incident.anomalies[0].contributors).toHaveLength(1);
    const missing = await api.call('GET', '/api/incidents/nope', 'viewer');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('VIGIE_ERR_NOT_FOUND');
  });
});

describe('incident actions', () => {
  it('acknowledges as the key name, audited; the viewer may not', async () => {
    await seedIncidents();
    const refused = await api.call('POST', '/api/incidents/vigie-incident-0/ack', 'viewer', {});
    expect(refused.statusCode).toBe(403);
    const acked = await api.call('POST', '/api/incidents/vigie-incident-0/ack', 'sre', { text: 'on it' });
    expect(acked.statusCode).toBe(200);
    expect(acked.json().incident).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'sam' });
    const stored = await api.alerts.getIncident('vigie-incident-0');
    expect(stored?.status).toBe('acknowledged');
    expect(stored?.timeline.at(-1)).toMatchObject({ type: 'acknowledged', actor: 'sam' });
    // The API queues nothing: the alerter's reconciler notifies.
    expect(await api.alerts.listOutbox()).toEqual([]);
    expect(api.audit.records.map((r) => [r.http.route, r.http.status, r.actor.name])).toContainEqual([
      '/api/incidents/:id/ack',
      200,
      'sam',
    ]);
  });

  it('resolves, and comments keep their text as it was typed', async () => {
    await seedIncidents();
    const text = '<img src=x onerror=alert(1)> **bold** `code`';
    const commented = await api.call('POST', '/api/incidents/vigie-incident-1/comment', 'sre', { text });
    expect(commented.statusCode).toBe(200);
    expect(commented.json().incident.timeline.at(-1)).toMatchObject({ type: 'comment', text, actor: 'sam' });
    expect(
      (await api.call('POST', '/api/incidents/vigie-incident-1/comment', 'sre', { text: '' })).statusCode,
    ).toBe(400);
    const resolved = await api.call('POST', '/api/incidents/vigie-incident-1/resolve', 'sre', {});
    expect(resolved.json().incident).toMatchObject({ status: 'resolved', resolvedBy: 'sam' });
    expect((await api.call('POST', '/api/incidents/missing/resolve', 'sre', {})).statusCode).toBe(404);
  });

  it('refuses to acknowledge a resolved incident, reopens it, and saves nothing for a repeated action', async () => {
    await seedIncidents();
    const refused = await api.call('POST', '/api/incidents/vigie-incident-3/ack', 'sre', {});
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe('VIGIE_ERR_INCIDENT_STATE');
    const reopened = await api.call('POST', '/api/incidents/vigie-incident-3/reopen', 'sre', {
      text: 'not fixed',
    });
    expect(reopened.json().incident).toMatchObject({ status: 'open', cycle: 1 });
    const version = reopened.json().incident.version;
    const again = await api.call('POST', '/api/incidents/vigie-incident-3/reopen', 'sre', {});
    expect(again.json().incident.version).toBe(version);
  });

  it('reapplies an action over a concurrent write, and answers 409 after three conflicts', async () => {
    await seedIncidents();
    raceSaves(api.alerts, 2);
    const acked = await api.call('POST', '/api/incidents/vigie-incident-2/ack', 'sre', {});
    expect(acked.statusCode).toBe(200);
    // Both of the alerter's writes survived, and the acknowledgement came after them.
    expect(acked.json().incident.timeline.map((t: { type: string }) => t.type)).toEqual([
      'opened',
      'quiet',
      'quiet',
      'acknowledged',
    ]);
    raceSaves(api.alerts, 3);
    const lost = await api.call('POST', '/api/incidents/vigie-incident-4/ack', 'sre', {});
    expect(lost.statusCode).toBe(409);
    expect(lost.json().error.code).toBe(new ConflictError('x').code);
    expect((await api.alerts.getIncident('vigie-incident-4'))?.status).toBe('open');
  });

  it('exports the incident as a Markdown attachment', async () => {
    await seedIncidents();
    const md = await api.call('GET', '/api/incidents/vigie-incident-0/export.md', 'viewer');
    expect(md.statusCode).toBe(200);
    expect(md.headers['content-type']).toBe('text/markdown; charset=utf-8');
    expect(md.headers['content-disposition']).toBe('attachment; filename="incident-vigie-incident-0.md"');
    expect(md.body).toContain('| opened | Vigie | Opened by an error spike');
    expect(md.body).toContain('## Timeline');
    expect((await api.call('GET', '/api/incidents/zzz/export.md', 'viewer')).statusCode).toBe(404);
  });
});

it('lists every alerting route and status in the OpenAPI document', async () => {
  const doc = (await api.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
  const paths = doc.paths as Record<string, Record<string, { responses: Record<string, unknown> }>>;
  expect(Object.keys(paths['/api/incidents/{id}/ack']?.post?.responses ?? {}).sort()).toEqual([
    '200',
    '400',
    '401',
    '403',
    '404',
    '409',
    '429',
    '500',
    '503',
  ]);
  for (const path of [
    '/api/silences',
    '/api/deliveries',
    '/api/outbox',
    '/api/rules',
    '/api/receivers',
    '/api/feedback',
  ])
    expect(paths[path], path).toBeDefined();
  expect(paths['/api/incidents/{id}/export.md']?.get?.responses['200']).toMatchObject({
    content: { 'text/markdown': expect.anything() },
  });
});
