import type { LogEvent } from '@vigie/common';
import { UNKNOWN_SERVICE } from '@vigie/common';
import type { SourceHints } from '../../model.js';
import { parseObject } from '../../parse/index.js';

/** Where an event came from and what to assume when it does not say. */
export interface EventContext {
  /** Source id, written to `vigie.source`. */
  source: string;
  /** Per-request stream id, written to `vigie.stream`. */
  stream: string;
  /** Position of the event in its request, from 0; written to `event.sequence`. */
  sequence: number;
  /** When the request arrived, epoch ms. */
  receivedAt: number;
  /** service.name when the event names none. */
  defaultService: string;
  /** Time of the event when its content has none (Loki entry time), epoch ms. */
  timestamp?: number;
  /** Labels added to the event; its own labels win. */
  labels?: Record<string, string>;
  /** service.environment when the event names none. */
  environment?: string;
}

const TIME_KEYS = ['@timestamp', 'time', 'timestamp', 'ts', 'instant', 'timeMillis'];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Turns one decoded value (a JSON object, or a line of text) into an event; never
 * throws. Objects go through the collector's JSON logger mappings (`parseObject`), which
 * also stamp origin and defaults; what cannot be read as an event is kept whole as the
 * message of a text event flagged with `vigie.parse_error`, so one bad entry never
 * costs its neighbours.
 */
export function toEvent(value: unknown, context: EventContext): LogEvent {
  if (typeof value === 'string') return textEvent(value, context);
  // The entry's own time (Loki, OTLP) stands in for a time the content does not name.
  const timed =
    context.timestamp !== undefined && isObject(value) && !TIME_KEYS.some((key) => value[key] !== undefined)
      ? { ...value, '@timestamp': new Date(context.timestamp).toISOString() }
      : value;
  const hints: SourceHints = { service: context.defaultService };
  if (context.environment !== undefined) hints.environment = context.environment;
  if (context.labels !== undefined) hints.labels = context.labels;
  const event = parseObject(timed, {
    origin: { source: context.source, stream: context.stream, sequence: context.sequence },
    receivedAt: context.receivedAt,
    hints,
  });
  // The request's default service also replaces an explicit `unknown_service`.
  if (event.service.name === UNKNOWN_SERVICE) event.service.name = context.defaultService;
  return event;
}

/** A line kept as it is: its message is the line; `parseError` says why it was not parsed. */
export function textEvent(line: string, context: EventContext, parseError?: string): LogEvent {
  const at = context.timestamp ?? context.receivedAt;
  const event: LogEvent = {
    '@timestamp': new Date(at).toISOString(),
    message: line,
    service: { name: UNKNOWN_SERVICE },
  };
  if (parseError !== undefined) {
    event.event = { original: line };
    event.vigie = { parse_error: parseError };
  }
  if (context.timestamp === undefined) event.vigie = { ...event.vigie, timestamp_fallback: true };
  return stamp(event, context);
}

/** Applies the request's defaults and origin; a client cannot choose its own origin fields. */
function stamp(event: LogEvent, context: EventContext): LogEvent {
  if (event.service.name === UNKNOWN_SERVICE) event.service.name = context.defaultService;
  if (context.environment !== undefined && event.service.environment === undefined) {
    event.service.environment = context.environment;
  }
  if (context.labels !== undefined && Object.keys(context.labels).length > 0) {
    event.labels = { ...context.labels, ...event.labels };
  }
  event.event = {
    ...event.event,
    sequence: context.sequence,
    ingested: new Date(context.receivedAt).toISOString(),
  };
  event.vigie = { ...event.vigie, source: context.source, stream: context.stream };
  return event;
}
