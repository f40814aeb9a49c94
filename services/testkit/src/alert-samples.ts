import type {
  AlertRule,
  DeliveryAttempt,
  Feedback,
  Incident,
  Notification,
  OutboxEntry,
  Silence,
} from '@vigie/common';

const BASE = Date.parse('2026-03-02T10:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

/** An incident of `svc-<i % 3>`, opened `i` minutes after the base time, never saved (version 0). */
export function sampleIncident(i: number, overrides: Partial<Incident> = {}): Incident {
  const opened = BASE + i * 60_000;
  const id = `vigie-incident-${i}`;
  return {
    id,
    dedupKey: id,
    service: `svc-${i % 3}`,
    environment: 'production',
    group: 'availability',
    title: `Error spike on svc-${i % 3} "quoted" <b>not html</b>`,
    status: 'open',
    severity: 'warning',
    cycle: 0,
    openedAt: iso(opened),
    updatedAt: iso(opened + 30_000),
    anomalies: [
      {
        id: `anomaly-${i}`,
        kind: 'error_spike',
        dimension: { field: 'url.path', value: `/orders/${i}` },
        state: 'open',
        severity: 'warning',
        start: iso(opened),
        updated: iso(opened + 30_000),
        observed: 0.08,
        expected: 0.005,
        unit: 'ratio',
        explanation: 'Error ratio 8% against 0.5% expected.',
        contributors: [{ field: 'url.path', value: `/orders/${i}`, observed: 12, expected: 0.5, share: 1 }],
        sampleEventIds: [`vigie.logs-0-${i}`],
        query: `service.name:"svc-${i % 3}"`,
      },
    ],
    timeline: [
      { at: iso(opened), type: 'opened', text: 'Opened by an error spike.', anomalyId: `anomaly-${i}` },
    ],
    labels: { team: 'payments' },
    flapping: false,
    transitions: [opened],
    version: 0,
    ...overrides,
  };
}

/** A trigger notification about `sampleIncident(i)`. */
export function sampleNotification(i: number, overrides: Partial<Notification> = {}): Notification {
  const incident = sampleIncident(i);
  return {
    action: 'trigger',
    incidentId: incident.id,
    dedupKey: incident.dedupKey,
    title: incident.title,
    service: incident.service,
    environment: 'production',
    severity: incident.severity,
    status: incident.status,
    openedAt: incident.openedAt,
    summary: 'Error ratio 8% against 0.5% expected on /orders.',
    evidence: [],
    link: `http://vigie.test/#/incidents?incident=${incident.id}`,
    labels: incident.labels,
    ...overrides,
  };
}

/** A pending outbox entry for `receiver`, created `i` seconds after the base time and due then. */
export function sampleOutboxEntry(i: number, overrides: Partial<OutboxEntry> = {}): OutboxEntry {
  const notification = sampleNotification(i);
  const receiver = overrides.receiver ?? 'pagerduty';
  const createdAt = BASE + i * 1_000;
  return {
    id: `${receiver}|${notification.dedupKey}|trigger|0|warning`,
    receiver,
    incidentId: notification.incidentId,
    notification,
    status: 'pending',
    attempts: 0,
    createdAt,
    nextAttemptAt: createdAt,
    version: 0,
    ...overrides,
  };
}

/** One delivery attempt, `i` seconds after the base time. */
export function sampleAttempt(i: number, overrides: Partial<DeliveryAttempt> = {}): DeliveryAttempt {
  return {
    id: `attempt-${i}`,
    outboxId: sampleOutboxEntry(i).id,
    receiver: 'pagerduty',
    incidentId: sampleIncident(i).id,
    action: 'trigger',
    at: BASE + i * 1_000,
    ok: i % 2 === 0,
    ...(i % 2 === 0 ? { status: 202 } : { status: 503, error: 'HTTP 503 from the receiver' }),
    durationMs: 40 + i,
    ...overrides,
  };
}

/** A silence of `svc-<i % 3>` from the base time plus `i` hours, for one hour. */
export function sampleSilence(i: number, overrides: Partial<Silence> = {}): Silence {
  const starts = BASE + i * 3_600_000;
  return {
    id: `silence-${i}`,
    matchers: [
      { field: 'service', value: `svc-${i % 3}` },
      { field: 'labels.team', value: 'pay.*', isRegex: true },
    ],
    startsAt: iso(starts),
    endsAt: iso(starts + 3_600_000),
    createdBy: 'alice',
    createdAt: iso(BASE + i * 1_000),
    comment: `Maintenance window ${i}`,
    ...overrides,
  };
}

/** Feedback on `anomaly-<i>`, suppressing for `i + 1` hours from the base time. */
export function sampleFeedback(i: number, overrides: Partial<Feedback> = {}): Feedback {
  return {
    id: `feedback-${i}`,
    anomalyId: `anomaly-${i}`,
    incidentId: sampleIncident(i).id,
    verdict: i % 2 === 0 ? 'expected' : 'false_alarm',
    service: `svc-${i % 3}`,
    kind: 'error_spike',
    dimension: { field: 'url.path', value: `/orders/${i}` },
    createdAt: iso(BASE + i * 1_000),
    expiresAt: iso(BASE + (i + 1) * 3_600_000),
    createdBy: 'bob',
    comment: 'Deploy in progress',
    ...overrides,
  };
}

/** A log alert rule named `rule <i>`. */
export function sampleRule(i: number, overrides: Partial<AlertRule> = {}): AlertRule {
  return {
    id: `rule-${i}`,
    name: `rule ${i}`,
    query: `service.name:"svc-${i % 3}" AND log.level:error`,
    service: `svc-${i % 3}`,
    windowMs: 300_000,
    condition: i % 2 === 0 ? { type: 'above', threshold: 10 + i } : { type: 'anomalous' },
    severity: 'warning',
    enabled: true,
    labels: { team: 'payments' },
    createdBy: 'alice',
    createdAt: iso(BASE + i * 1_000),
    ...overrides,
  };
}
