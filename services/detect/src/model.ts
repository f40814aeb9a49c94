import type { LogEvent } from '@vigie/common';

/** What a detector looks for. */
export type AnomalyKind =
  | 'error_spike'
  | 'latency'
  | 'volume_high'
  | 'volume_low'
  | 'new_pattern'
  | 'brute_force'
  | 'password_spraying'
  | 'scan';

/** How loud an anomaly is; derived from its score. */
export type Severity = 'info' | 'warning' | 'critical';

/** The slice of a service an anomaly is about. `service` alone when `field` is absent. */
export interface Dimension {
  /** ECS field that splits the service, e.g. `url.path`, `host.name`, `source.ip`, `template`. */
  field?: string;
  value?: string;
}

/** One value that accounts for part of what is anomalous, against its baseline. */
export interface Contributor {
  field: string;
  value: string;
  observed: number;
  expected: number;
  /** Share of the excess over the baseline that this value explains, 0..1. */
  share: number;
}

/** Where an anomaly stands. */
export type AnomalyState = 'open' | 'closed';

/**
 * An anomaly as stored (`vigie-anomalies`) and published (`vigie.anomalies`). The same
 * id is written on open, on every update and on close, so the latest version wins.
 */
export interface Anomaly {
  id: string;
  kind: AnomalyKind;
  service: string;
  dimension: Dimension;
  state: AnomalyState;
  /** Event time of the first anomalous bucket, ISO 8601. */
  start: string;
  /** Event time when it closed; absent while ongoing. */
  end?: string;
  /** Event time of the latest evaluation. */
  updated: string;
  score: number;
  severity: Severity;
  /** What was measured in the latest anomalous window and what the baseline expected. */
  observed: number;
  expected: number;
  lower: number;
  upper: number;
  /** Unit of observed/expected: `events`, `ratio`, `ms`, `failures`, `paths`. */
  unit: string;
  /** Width of the evaluated window in ms. */
  windowMs: number;
  explanation: string;
  contributors: Contributor[];
  sampleEventIds: string[];
  /** A query for the search page that shows the events behind the anomaly. */
  query: string;
  /** The version change the anomaly followed, if it started soon after one. */
  change?: ChangeMarker;
}

/** A new version of a service seen in the logs or posted as a deploy marker. */
export interface ChangeMarker {
  service: string;
  version: string;
  /** Epoch ms. */
  at: number;
  source: 'logs' | 'deploy';
}

/** One log event handed to detection, with the id it is stored under. */
export interface DetectionInput {
  id: string;
  event: LogEvent;
}

/** Event time of a log event in epoch ms. */
export function eventTime(event: LogEvent): number {
  return Date.parse(event['@timestamp']);
}

/** Whether an event counts as an error: level error/fatal, or an HTTP status of 500 or more. */
export function isError(event: LogEvent): boolean {
  const level = event.log?.level;
  if (level === 'error' || level === 'fatal') return true;
  const status = event.http?.response?.status_code;
  return status !== undefined && status >= 500;
}

/** Severity from a score in [0,1]. */
export function severityOf(score: number): Severity {
  if (score >= 0.9) return 'critical';
  if (score >= 0.7) return 'warning';
  return 'info';
}
