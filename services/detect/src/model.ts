import type { LogEvent, Severity } from '@vigie/common';

export type {
  Anomaly,
  AnomalyKind,
  AnomalyState,
  ChangeMarker,
  Contributor,
  Dimension,
  Severity,
} from '@vigie/common';

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
