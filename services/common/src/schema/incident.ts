// Incidents and what surrounds them: the alerter writes them, the API and the UI read
// and act on them, the stores keep them. An incident groups related anomalies of one
// service; notifications about it go through a persisted outbox.

import type { AnomalyKind, AnomalyState, Contributor, Dimension, Severity } from './anomaly.js';

/**
 * Families of anomaly kinds that belong in one incident when they hit one service
 * together: an error spike and a latency shift are one availability problem.
 */
export type IncidentGroup = 'availability' | 'security' | 'rule';

/** Where an incident stands. `resolved` incidents can reopen within the grouping window. */
export type IncidentStatus = 'open' | 'acknowledged' | 'resolved';

/** The latest version of one anomaly of the incident, as much as notifications need. */
export interface IncidentAnomaly {
  id: string;
  kind: AnomalyKind | 'log_rule';
  dimension: Dimension;
  state: AnomalyState;
  severity: Severity;
  /** ISO 8601, event time. */
  start: string;
  end?: string;
  updated: string;
  observed: number;
  expected: number;
  unit: string;
  explanation: string;
  contributors: Contributor[];
  sampleEventIds: string[];
  query: string;
  /** Template of a `new_pattern` anomaly, when known. */
  template?: string;
}

/** What can happen to an incident; every entry of the timeline has one. */
export type TimelineEntryType =
  | 'opened'
  | 'anomaly_opened'
  | 'anomaly_updated'
  | 'anomaly_closed'
  | 'escalated'
  | 'quiet'
  | 'acknowledged'
  | 'resolved'
  | 'reopened'
  | 'comment'
  | 'notified'
  | 'silenced'
  | 'suppressed'
  | 'flapping'
  | 'feedback';

export interface TimelineEntry {
  /** ISO 8601, wall clock of the alerter or the API. */
  at: string;
  type: TimelineEntryType;
  /** Text, attacker-influenced where it quotes logs: render as text only. */
  text: string;
  /** API key name for actions by people; absent for the alerter. */
  actor?: string;
  anomalyId?: string;
  severity?: Severity;
  /** On `notified` entries: what was queued, kept so digests can be rebuilt from the store. */
  notification?: NotifiedDetails;
}

/** What a `notified` timeline entry stands for. */
export interface NotifiedDetails {
  action: NotificationAction;
  /** The incident's cycle when it was queued. */
  cycle: number;
  /** A trigger after one already queued in this cycle: the incident grew louder. */
  escalation: boolean;
  /**
   * Routes in digest mode (indices in `alerter.routes`) that summarise this in their next
   * digest instead of a message of its own.
   */
  digestRoutes: number[];
}

/** What the receivers were last told about an incident (so a restart resumes, not repeats). */
export interface NotifiedState {
  status: IncidentStatus;
  severity: Severity;
  cycle: number;
}

export interface Incident {
  /** Equals `dedupKey`: stable for the incident's whole life, across restarts. */
  id: string;
  /** Sent to PagerDuty as `dedup_key`, to Opsgenie as `alias`, to Alertmanager as a label. */
  dedupKey: string;
  service: string;
  environment?: string;
  group: IncidentGroup;
  title: string;
  status: IncidentStatus;
  /** Highest severity any of its anomalies reached; never goes down while open. */
  severity: Severity;
  /** Incremented each time a resolved incident reopens; part of the notification ids. */
  cycle: number;
  /** ISO 8601 wall-clock times. */
  openedAt: string;
  updatedAt: string;
  acknowledgedAt?: string;
  acknowledgedBy?: string;
  resolvedAt?: string;
  resolvedBy?: string;
  /** Since when every anomaly is closed; the incident resolves after the hysteresis. */
  quietSince?: string;
  anomalies: IncidentAnomaly[];
  timeline: TimelineEntry[];
  labels: Record<string, string>;
  /** True while its series keep opening and closing: re-notification is paused. */
  flapping: boolean;
  /** Recent anomaly open/close transitions, epoch ms, for flapping detection. */
  transitions: number[];
  /** Id of the silence or feedback suppression that mutes it, if any. */
  silencedBy?: string;
  suppressedBy?: string;
  /** What receivers were last told; absent before the first notification is queued. */
  notified?: NotifiedState;
  /** Optimistic-concurrency version kept by the store; 0 before the first save. */
  version: number;
}

/** What a notification asks the receiver to do. */
export type NotificationAction = 'trigger' | 'acknowledge' | 'resolve' | 'digest';

/** Evidence of one anomaly: what is anomalous and why, with a few redacted log lines. */
export interface NotificationEvidence {
  anomalyId: string;
  kind: IncidentAnomaly['kind'];
  dimension: Dimension;
  observed: number;
  expected: number;
  unit: string;
  explanation: string;
  contributors: Contributor[];
  template?: string;
  /** At most a few lines, secrets redacted, truncated. Attacker-controlled text. */
  sampleLines: string[];
  /** Why `sampleLines` is empty or short although the anomaly has samples (the log search failed). */
  sampleLinesUnavailable?: string;
  /** Drill-down link to the anomaly's logs. */
  link: string;
}

/** Everything a receiver needs to render one message; built when the outbox entry is queued. */
export interface Notification {
  action: NotificationAction;
  incidentId: string;
  dedupKey: string;
  title: string;
  service: string;
  environment?: string;
  severity: Severity;
  status: IncidentStatus;
  openedAt: string;
  resolvedAt?: string;
  /** One sentence: what is wrong, observed against expected. */
  summary: string;
  evidence: NotificationEvidence[];
  /** Drill-down link to the incident in the Vigie UI. */
  link: string;
  labels: Record<string, string>;
  /** For `digest` only: the incidents it summarises. */
  digest?: Array<
    Pick<Notification, 'incidentId' | 'title' | 'service' | 'severity' | 'status' | 'summary' | 'link'>
  >;
}

export type OutboxStatus = 'pending' | 'delivered' | 'dead';

/**
 * One notification for one receiver. Its id is deterministic (receiver, dedup key,
 * action, cycle, severity): queuing it twice is a no-op, so replays never double-send.
 */
export interface OutboxEntry {
  id: string;
  receiver: string;
  incidentId: string;
  notification: Notification;
  status: OutboxStatus;
  attempts: number;
  /** Epoch ms. */
  createdAt: number;
  nextAttemptAt: number;
  /** Set while one dispatcher holds it; others skip it until the lease ends. */
  leaseOwner?: string;
  leaseUntil?: number;
  deliveredAt?: number;
  lastError?: string;
  lastStatus?: number;
  /** Optimistic-concurrency version kept by the store. */
  version: number;
}

/** One try to deliver an outbox entry, for the delivery log. */
export interface DeliveryAttempt {
  id: string;
  outboxId: string;
  receiver: string;
  incidentId: string;
  action: NotificationAction;
  /** Epoch ms. */
  at: number;
  ok: boolean;
  /** HTTP status, when the receiver answered. */
  status?: number;
  /** Log-safe error text (never a URL with a secret, never a token). */
  error?: string;
  durationMs: number;
}

/** One condition of a silence: a field of the incident equals (or matches) a value. */
export interface SilenceMatcher {
  /** `service`, `environment`, `kind`, `severity`, `group`, or `labels.<name>`. */
  field: string;
  value: string;
  /** Value is a regular expression (anchored, checked against ReDoS on creation). */
  isRegex?: boolean;
}

/** A silence or maintenance window: matching incidents are recorded but not notified. */
export interface Silence {
  id: string;
  matchers: SilenceMatcher[];
  /** ISO 8601. */
  startsAt: string;
  endsAt: string;
  createdBy: string;
  createdAt: string;
  comment: string;
}

/** What a person said about an anomaly. */
export type FeedbackVerdict = 'expected' | 'false_alarm';

/**
 * Feedback on an anomaly: recorded for evaluating detectors, and a scoped suppression
 * (service + kind + dimension) until `expiresAt`.
 */
export interface Feedback {
  id: string;
  anomalyId: string;
  incidentId?: string;
  verdict: FeedbackVerdict;
  service: string;
  kind: IncidentAnomaly['kind'];
  dimension: Dimension;
  /** ISO 8601. */
  createdAt: string;
  expiresAt: string;
  createdBy: string;
  comment: string;
}

/** When a log alert rule fires. */
export type RuleCondition =
  | { type: 'above' | 'below'; threshold: number }
  /** Count outside the band the detection baselines expect for it. */
  | { type: 'anomalous' };

/** A saved query plus a condition, evaluated continuously by the alerter. */
export interface AlertRule {
  id: string;
  name: string;
  /** Vigie query language. */
  query: string;
  /** The service the incidents are filed under (default: the rule name). */
  service: string;
  /** Count window, ms. */
  windowMs: number;
  condition: RuleCondition;
  severity: Severity;
  enabled: boolean;
  labels: Record<string, string>;
  createdBy: string;
  createdAt: string;
}
