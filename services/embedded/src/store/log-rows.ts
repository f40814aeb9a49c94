import type { StoredLog, WriteOutcome } from '@vigie/common';
import { summarizeError } from '@vigie/common';
import { DAY_MS } from './log-schema.js';

/**
 * A log as the `logs` table and its FTS index store it: plain strings and numbers, so
 * that it crosses to the writer thread cheaply (a structured clone of strings, not of the
 * event's nested objects).
 */
export interface LogRow {
  id: string;
  ts: number;
  day: number;
  service: string;
  level: string | null;
  version: string | null;
  /** The whole event as JSON. */
  doc: string;
  message: string | undefined;
  errorMessage: string | undefined;
  stackTrace: string | undefined;
  /** The fields that name the event's source (`SOURCE_COLUMNS`), null when absent. */
  sourceFile: string | null;
  sourceContainer: string | null;
  sourceStream: string | null;
  sourceSyslog: string | null;
}

/** The row of a log, or its rejection when it cannot be stored (a timestamp that is not a date). */
export function toLogRow(log: StoredLog): LogRow | WriteOutcome {
  const { event } = log;
  const ts = Date.parse(event['@timestamp']);
  if (Number.isNaN(ts))
    return {
      status: 'rejected',
      reason: summarizeError(new Error(`'@timestamp' is not a date: ${event['@timestamp']}`)).message,
    };
  return {
    id: log.id,
    ts,
    day: Math.floor(log.partitionTime / DAY_MS) * DAY_MS,
    service: event.service.name,
    level: event.log?.level ?? null,
    version: event.service.version ?? null,
    doc: log.json ?? JSON.stringify(event),
    message: event.message,
    errorMessage: event.error?.message,
    stackTrace: event.error?.stack_trace,
    sourceFile: event.log?.file?.path ?? null,
    sourceContainer: event.container?.id ?? null,
    sourceStream: event.vigie?.stream ?? null,
    sourceSyslog: event.log?.syslog?.hostname ?? null,
  };
}
