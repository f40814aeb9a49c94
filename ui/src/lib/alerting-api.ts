// Client of the alerting routes (/api/incidents, /api/silences, /api/deliveries, …).
// Every text field can quote logs: render it with {text} only.

import { getJson, getText, type Severity, sendJson } from './api.js';

export type IncidentStatus = 'open' | 'acknowledged' | 'resolved';

export interface IncidentAnomaly {
  id: string;
  kind: string;
  dimension: { field?: string; value?: string };
  state: 'open' | 'closed';
  severity: Severity;
  start: string;
  end?: string;
  updated: string;
  observed: number;
  expected: number;
  unit: string;
  explanation: string;
  contributors: { field: string; value: string; observed: number; expected: number; share: number }[];
  sampleEventIds: string[];
  query: string;
  template?: string;
}

export interface TimelineEntry {
  at: string;
  type: string;
  text: string;
  actor?: string;
  anomalyId?: string;
  severity?: Severity;
}

export interface Incident {
  id: string;
  dedupKey: string;
  service: string;
  environment?: string;
  group: 'availability' | 'security' | 'rule';
  title: string;
  status: IncidentStatus;
  severity: Severity;
  cycle: number;
  openedAt: string;
  updatedAt: string;
  acknowledgedAt?: string;
  acknowledgedBy?: string;
  resolvedAt?: string;
  resolvedBy?: string;
  anomalies: IncidentAnomaly[];
  timeline: TimelineEntry[];
  labels: Record<string, string>;
  flapping: boolean;
  silencedBy?: string;
  suppressedBy?: string;
}

export interface SilenceMatcher {
  field: string;
  value: string;
  isRegex?: boolean;
}

export interface Silence {
  id: string;
  matchers: SilenceMatcher[];
  startsAt: string;
  endsAt: string;
  createdBy: string;
  createdAt: string;
  comment: string;
}

export interface DeliveryAttempt {
  id: string;
  outboxId: string;
  receiver: string;
  incidentId: string;
  action: string;
  at: string;
  ok: boolean;
  status?: number;
  error?: string;
  durationMs: number;
}

export type FeedbackVerdict = 'expected' | 'false_alarm';

export interface Feedback {
  id: string;
  anomalyId: string;
  incidentId?: string;
  verdict: FeedbackVerdict;
  service: string;
  kind: string;
  createdAt: string;
  expiresAt: string;
  createdBy: string;
  comment: string;
}

/** What a person can do to an incident. */
export type IncidentAction = 'ack' | 'resolve' | 'reopen' | 'comment';

const incidentPath = (id: string) => `/api/incidents/${encodeURIComponent(id)}`;

/** GET /api/incidents. */
export function incidents(
  filter: { status?: string; service?: string; since?: string; limit?: number },
  signal?: AbortSignal,
): Promise<{ incidents: Incident[] }> {
  return getJson('/api/incidents', { ...filter }, signal);
}

/** GET /api/incidents/:id. */
export function incident(id: string, signal?: AbortSignal): Promise<{ incident: Incident }> {
  return getJson(incidentPath(id), {}, signal);
}

/** POST /api/incidents/:id/{ack,resolve,reopen,comment}. */
export function actOnIncident(
  id: string,
  action: IncidentAction,
  text = '',
): Promise<{ incident: Incident }> {
  return sendJson('POST', `${incidentPath(id)}/${action}`, { text });
}

/** GET /api/incidents/:id/export.md. */
export function incidentMarkdown(id: string): Promise<string> {
  return getText(`${incidentPath(id)}/export.md`);
}

/** GET /api/silences. */
export function silences(active: boolean, signal?: AbortSignal): Promise<{ silences: Silence[] }> {
  return getJson('/api/silences', { active: active || undefined }, signal);
}

/** POST /api/silences. */
export function createSilence(input: {
  matchers: SilenceMatcher[];
  endsAt: string;
  comment: string;
}): Promise<{ silence: Silence }> {
  return sendJson('POST', '/api/silences', input);
}

/** DELETE /api/silences/:id: ends it now. */
export function expireSilence(id: string): Promise<{ silence: Silence }> {
  return sendJson('DELETE', `/api/silences/${encodeURIComponent(id)}`);
}

/** POST /api/anomalies/:id/feedback. */
export function giveFeedback(
  anomalyId: string,
  verdict: FeedbackVerdict,
  incidentId: string,
): Promise<{ feedback: Feedback }> {
  return sendJson('POST', `/api/anomalies/${encodeURIComponent(anomalyId)}/feedback`, {
    verdict,
    incidentId,
  });
}

/** GET /api/feedback. */
export function feedback(
  filter: { anomalyId?: string },
  signal?: AbortSignal,
): Promise<{ feedback: Feedback[] }> {
  return getJson('/api/feedback', { ...filter }, signal);
}

/** How one anomaly kind fared with reviewers (GET /api/detectors/review). */
export interface KindReview {
  kind: string;
  /** Anomalies that started in the range; null for log rules (not in the anomalies index). */
  raised: number | null;
  reviewed: number;
  expected: number;
  falseAlarms: number;
  /** falseAlarms / reviewed; null when none was reviewed. */
  falseAlarmRate: number | null;
  /** reviewed / raised; null when unknown. Can exceed 1. */
  reviewRate: number | null;
}

/** A (service, kind, dimension) people called a false alarm. */
export interface NoisyScope {
  service: string;
  kind: string;
  dimension: { field?: string; value?: string };
  falseAlarms: number;
  reviewed: number;
}

/** GET /api/detectors/review: every kind in a fixed order, log_rule last. */
export interface DetectorReview {
  from: string;
  to: string;
  kinds: KindReview[];
  noisiestScopes: NoisyScope[];
  /** More feedback than the store reads at once: only the newest was counted. */
  feedbackTruncated: boolean;
}

/** GET /api/detectors/review. */
export function detectorReview(
  range: { from: string; to: string },
  signal?: AbortSignal,
): Promise<DetectorReview> {
  return getJson('/api/detectors/review', { ...range }, signal);
}

/** GET /api/deliveries. */
export function deliveries(
  filter: { receiver?: string; incident?: string; limit?: number },
  signal?: AbortSignal,
): Promise<{ attempts: DeliveryAttempt[] }> {
  return getJson('/api/deliveries', { ...filter }, signal);
}

/** A queued notification, as GET /api/outbox lists it (without its body). */
export interface OutboxEntry {
  id: string;
  receiver: string;
  incidentId: string;
  action: string;
  status: 'pending' | 'delivered' | 'dead';
  attempts: number;
  createdAt: string;
  nextAttemptAt: string;
  deliveredAt?: string;
  lastError?: string;
  lastStatus?: number;
}

/** GET /api/outbox. */
export function outbox(
  filter: { status?: OutboxEntry['status']; incident?: string; limit?: number },
  signal?: AbortSignal,
): Promise<{ entries: OutboxEntry[] }> {
  return getJson('/api/outbox', { ...filter }, signal);
}

/** When a log alert rule fires: its count over the window above/below a threshold, or anomalous. */
export type RuleCondition = { type: 'above' | 'below'; threshold: number } | { type: 'anomalous' };

/** What POST /api/rules and PUT /api/rules/:id take. */
export interface RuleInput {
  name: string;
  query: string;
  /** The service its incidents are filed under; the API defaults it to the name. */
  service?: string;
  windowMs: number;
  condition: RuleCondition;
  severity: Severity;
  enabled: boolean;
  labels: Record<string, string>;
}

/** A log alert rule (a saved query plus a condition), as GET /api/rules lists it. */
export interface AlertRule extends RuleInput {
  id: string;
  service: string;
  createdBy?: string;
  createdAt?: string;
}

const rulePath = (id: string) => `/api/rules/${encodeURIComponent(id)}`;

/** GET /api/rules. */
export function rules(signal?: AbortSignal): Promise<{ rules: AlertRule[] }> {
  return getJson('/api/rules', {}, signal);
}

/** POST /api/rules (admin): a bad query answers 400 with its position. */
export function createRule(input: RuleInput): Promise<{ rule: AlertRule }> {
  return sendJson('POST', '/api/rules', input);
}

/** PUT /api/rules/:id (admin): replaces the whole rule. */
export function updateRule(id: string, input: RuleInput): Promise<{ rule: AlertRule }> {
  return sendJson('PUT', rulePath(id), input);
}

/** DELETE /api/rules/:id (admin). */
export function deleteRule(id: string): Promise<void> {
  return sendJson('DELETE', rulePath(id));
}
