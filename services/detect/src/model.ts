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
  return parseEventTime(event['@timestamp']);
}

/**
 * `Date.parse` for the canonical `2026-01-05T10:00:00.000Z` the schema normalises to,
 * read digit by digit (Date.parse took a tenth of detection's time); anything else goes
 * through Date.parse.
 */
export function parseEventTime(text: string): number {
  if (
    text.length !== 24 ||
    text.charCodeAt(4) !== 45 ||
    text.charCodeAt(7) !== 45 ||
    text.charCodeAt(10) !== 84 ||
    text.charCodeAt(13) !== 58 ||
    text.charCodeAt(16) !== 58 ||
    text.charCodeAt(19) !== 46 ||
    text.charCodeAt(23) !== 90
  ) {
    return Date.parse(text);
  }
  const n = (from: number, length: number): number => {
    let value = 0;
    for (let i = from; i < from + length; i++) {
      const digit = text.charCodeAt(i) - 48;
      if (digit < 0 || digit > 9) return Number.NaN;
      value = value * 10 + digit;
    }
    return value;
  };
  const time = Date.UTC(n(0, 4), n(5, 2) - 1, n(8, 2), n(11, 2), n(14, 2), n(17, 2), n(20, 3));
  return Number.isNaN(time) ? Date.parse(text) : time;
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
