import type { EventContext, IncidentAnomaly, LogEvent, LogSearch } from '@vigie/common';
import { UnavailableError } from '@vigie/common';
import { MemoryStore, sampleIncident } from '@vigie/testkit';
import { beforeEach, describe, expect, it } from 'vitest';
import { buildNotification, EVIDENCE_MAX, SAMPLE_LINE_MAX } from '../../src/evidence/index.js';

const NOW = Date.parse('2026-03-02T10:20:00Z');
const PUBLIC_URL = 'https://vigie.example.com/';

function event(message: string, at = '2026-03-02T10:01:00.000Z'): LogEvent {
  return { '@timestamp': at, message, log: { level: 'error' }, service: { name: 'checkout' } };
}

function anomaly(id: string, overrides: Partial<IncidentAnomaly> = {}): IncidentAnomaly {
  return {
    id,
    kind: 'error_spike',
    dimension: { field: 'url.path', value: 'POST /api/orders' },
    state: 'open',
    severity: 'warning',
    start: '2026-03-02T10:00:00.000Z',
    updated: '2026-03-02T10:05:00.000Z',
    observed: 0.081,
    expected: 0.005,
    unit: 'ratio',
    explanation: 'Error spike on checkout route POST /api/orders.',
    contributors: [],
    sampleEventIds: [],
    query: 'service.name:"checkout" AND url.path:"POST /api/orders" AND log.level:error',
    ...overrides,
  };
}

describe('buildNotification', () => {
  let store: MemoryStore;

  beforeEach(async () => {
    store = new MemoryStore();
    const logs: Array<[string, string]> = [
      ['e1', 'payment refused password=hunter2 for order 17'],
      ['e2', 'upstream call failed Authorization: Bearer abcdefghijklmnop.qrstuvwx'],
      ['e3', 'card 4111 1111 1111 1111 declined'],
      ['e4', 'fourth line, beyond the three samples'],
    ];
    await store.writeLogs(logs.map(([id, message]) => ({ id, event: event(message), partitionTime: 0 })));
  });

  it('says what is anomalous, observed against expected with units, and links to the drill-down', async () => {
    const incident = sampleIncident(1, {
      service: 'checkout',
      anomalies: [anomaly('a1', { sampleEventIds: ['e1'] })],
    });
    const notification = await buildNotification(incident, 'trigger', {
      search: store,
      publicUrl: PUBLIC_URL,
      now: NOW,
    });

    expect(notification.summary).toBe(
      'Error ratio 8.1 % vs 0.5 % expected on checkout route POST /api/orders',
    );
    expect(notification.link).toBe('https://vigie.example.com/#/incidents?incident=vigie-incident-1');
    expect(notification).toMatchObject({
      action: 'trigger',
      incidentId: incident.id,
      dedupKey: incident.dedupKey,
      title: incident.title,
      service: 'checkout',
      severity: incident.severity,
      status: 'open',
      labels: { team: 'payments' },
    });
    const [evidence] = notification.evidence;
    expect(evidence).toMatchObject({ anomalyId: 'a1', observed: 0.081, expected: 0.005, unit: 'ratio' });

    const link = new URL((evidence?.link ?? '').replace('/#/', '/'));
    expect(link.origin + link.pathname).toBe('https://vigie.example.com/search');
    expect(link.searchParams.get('q')).toBe(incident.anomalies[0]?.query);
    expect(link.searchParams.get('from')).toBe('2026-03-02T09:55:00.000Z');
    // Open: up to now.
    expect(link.searchParams.get('to')).toBe(new Date(NOW).toISOString());
  });

  it('ends the logs link at the anomaly end once it closed', async () => {
    const closed = anomaly('a1', { state: 'closed', end: '2026-03-02T10:07:00.000Z' });
    const incident = sampleIncident(1, { anomalies: [closed], status: 'resolved' });
    const notification = await buildNotification(incident, 'resolve', {
      search: store,
      publicUrl: PUBLIC_URL,
      now: NOW,
    });
    expect(notification.evidence).toHaveLength(1);
    const link = new URLSearchParams(notification.evidence[0]?.link.split('?')[1]);
    expect(link.get('to')).toBe('2026-03-02T10:07:00.000Z');
  });

  it('redacts secrets in sample lines and keeps at most three', async () => {
    const incident = sampleIncident(1, {
      anomalies: [anomaly('a1', { sampleEventIds: ['e1', 'e2', 'e3', 'e4'] })],
    });
    const notification = await buildNotification(incident, 'trigger', {
      search: store,
      publicUrl: PUBLIC_URL,
      now: NOW,
    });
    const lines = notification.evidence[0]?.sampleLines ?? [];
    expect(lines).toHaveLength(3);
    expect(lines.join('\n')).not.toMatch(/hunter2|abcdefghijklmnop|4111 1111/);
    expect(lines[0]).toBe('2026-03-02T10:01:00.000Z ERROR payment refused password=[REDACTED] for order 17');
    expect(lines[1]).toContain('Bearer [REDACTED]');
    expect(lines[2]).toBe('2026-03-02T10:01:00.000Z ERROR card [REDACTED] declined');
    expect(notification.evidence[0]?.sampleLinesUnavailable).toBeUndefined();
  });

  it('truncates long lines and flattens control characters', async () => {
    await store.writeLogs([
      { id: 'long', event: event(`first\nsecond\u202e ${'x'.repeat(1000)}`), partitionTime: 0 },
    ]);
    const incident = sampleIncident(1, { anomalies: [anomaly('a1', { sampleEventIds: ['long'] })] });
    const notification = await buildNotification(incident, 'trigger', {
      search: store,
      publicUrl: PUBLIC_URL,
      now: NOW,
    });
    const [line] = notification.evidence[0]?.sampleLines ?? [];
    expect(line?.length).toBe(SAMPLE_LINE_MAX);
    expect(line?.endsWith('…')).toBe(true);
    expect(line).toMatch(/^2026-03-02T10:01:00.000Z ERROR first second x+…$/);
  });

  it('skips sample ids whose events are gone', async () => {
    const incident = sampleIncident(1, { anomalies: [anomaly('a1', { sampleEventIds: ['expired', 'e4'] })] });
    const notification = await buildNotification(incident, 'trigger', {
      search: store,
      publicUrl: PUBLIC_URL,
      now: NOW,
    });
    expect(notification.evidence[0]?.sampleLines).toEqual([
      '2026-03-02T10:01:00.000Z ERROR fourth line, beyond the three samples',
    ]);
  });

  it('is still built when the search fails, and says the lines are missing', async () => {
    const failing: LogSearch = Object.assign(Object.create(store) as MemoryStore, {
      context: async (): Promise<EventContext | undefined> => {
        throw new UnavailableError('Elasticsearch unavailable at http://elastic:changeme@10.0.0.9:9200');
      },
    });
    const incident = sampleIncident(1, { anomalies: [anomaly('a1', { sampleEventIds: ['e1'] })] });
    const notification = await buildNotification(incident, 'trigger', {
      search: failing,
      publicUrl: PUBLIC_URL,
      now: NOW,
    });
    const [evidence] = notification.evidence;
    expect(evidence?.sampleLines).toEqual([]);
    expect(evidence?.sampleLinesUnavailable).toMatch(
      /^Sample log lines unavailable: the log search failed \(VIGIE_ERR_/,
    );
    // The store's message may carry its address and credentials: it stays out.
    expect(evidence?.sampleLinesUnavailable).not.toContain('changeme');
    expect(notification.summary).toContain('Error ratio');
  });

  it('does not wait for a search that never answers', async () => {
    const hanging: LogSearch = Object.assign(Object.create(store) as MemoryStore, {
      context: () => new Promise<EventContext | undefined>(() => undefined),
    });
    const incident = sampleIncident(1, { anomalies: [anomaly('a1', { sampleEventIds: ['e1'] })] });
    const started = Date.now();
    const notification = await buildNotification(incident, 'trigger', {
      search: hanging,
      publicUrl: PUBLIC_URL,
      now: NOW,
      sampleTimeoutMs: 50,
    });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(notification.evidence[0]?.sampleLinesUnavailable).toBe(
      'Sample log lines unavailable: the log search did not answer within 50 ms.',
    );
  });

  it('shows open anomalies newest first, at most five, with their top three contributors and template', async () => {
    const open = Array.from({ length: 7 }, (_, i) =>
      anomaly(`open-${i}`, {
        updated: new Date(Date.parse('2026-03-02T10:00:00Z') + i * 1000).toISOString(),
      }),
    );
    const contributors = [0.1, 0.5, 0.2, 0.9].map((share, i) => ({
      field: 'host.name',
      value: `web-${i}`,
      observed: 10,
      expected: 1,
      share,
    }));
    const pattern = anomaly('pattern', {
      kind: 'new_pattern',
      updated: '2026-03-02T10:10:00.000Z',
      dimension: { field: 'template', value: 't1' },
      unit: 'events',
      observed: 14,
      expected: 0,
      template: 'Timeout calling <*> after <*> ms',
      contributors,
    });
    const closed = anomaly('closed', { state: 'closed', updated: '2026-03-02T10:15:00.000Z' });
    const incident = sampleIncident(1, { service: 'checkout', anomalies: [...open, pattern, closed] });
    const notification = await buildNotification(incident, 'trigger', {
      search: store,
      publicUrl: PUBLIC_URL,
      now: NOW,
    });

    expect(notification.evidence.map((e) => e.anomalyId)).toEqual([
      'pattern',
      'open-6',
      'open-5',
      'open-4',
      'open-3',
    ]);
    expect(notification.evidence).toHaveLength(EVIDENCE_MAX);
    const [first] = notification.evidence;
    expect(first?.template).toBe('Timeout calling <*> after <*> ms');
    expect(first?.contributors.map((c) => c.value)).toEqual(['web-3', 'web-1', 'web-2']);
    // Same severity everywhere: the newest open anomaly is the headline.
    expect(notification.summary).toBe(
      'New error pattern 14 events vs 0 events expected on checkout: "Timeout calling <*> after <*> ms"; 7 more anomalies open',
    );
  });

  it('puts the most severe open anomaly in the summary, in its unit', async () => {
    const latency = anomaly('slow', {
      kind: 'latency',
      severity: 'critical',
      updated: '2026-03-02T10:01:00.000Z',
      dimension: { field: 'host.name', value: 'web-2' },
      observed: 1240.4,
      expected: 180.2,
      unit: 'ms',
    });
    const incident = sampleIncident(1, { service: 'checkout', anomalies: [anomaly('a1'), latency] });
    const notification = await buildNotification(incident, 'trigger', {
      search: store,
      publicUrl: PUBLIC_URL,
      now: NOW,
    });
    expect(notification.summary).toBe(
      'Latency 1,240 ms vs 180 ms expected on checkout host web-2; 1 more anomaly open',
    );
  });

  it('lets a log rule speak through its explanation', async () => {
    const rule = anomaly('rule', {
      kind: 'log_rule',
      dimension: { field: 'rule', value: 'r1' },
      unit: 'events',
      observed: 42,
      expected: 10,
      explanation: 'Log rule "payment failures": 42 events in 5 min, above 10.',
    });
    const incident = sampleIncident(1, { anomalies: [rule] });
    const notification = await buildNotification(incident, 'trigger', {
      search: store,
      publicUrl: PUBLIC_URL,
      now: NOW,
    });
    expect(notification.summary).toBe('Log rule "payment failures": 42 events in 5 min, above 10');
  });
});
