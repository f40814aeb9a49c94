import type { LogEvent } from '@vigie/common';

/** Largest serialised event the collector sends: under Kafka's default 1 MiB message limit. */
export const MAX_EVENT_BYTES = 900 * 1024;

const MARK = '…[truncated]';

const sizeOf = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

/** `text` cut to at most `maxBytes` UTF-8 bytes, marked; a multi-byte character is never split. */
function cutTo(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text);
  if (bytes.length <= maxBytes) return text;
  const keep = Math.max(0, maxBytes - Buffer.byteLength(MARK));
  return `${bytes
    .subarray(0, keep)
    .toString('utf8')
    .replace(/\uFFFD+$/, '')}${MARK}`;
}

/**
 * Makes an event fit in one Kafka message by cutting its largest parts, in this order:
 * the copy of the raw line (`event.original`), the stack trace, the message, then
 * labels and attributes (kept as one cut JSON string). The event is flagged
 * `vigie.truncated`. Oversized input is cut and flagged, never dropped: an event that
 * Kafka refuses would stall the file or connection it came from.
 */
export function fitEvent(event: LogEvent, maxBytes = MAX_EVENT_BYTES): LogEvent {
  let excess = sizeOf(event) - maxBytes;
  if (excess <= 0) return event;
  event.vigie = { ...event.vigie, truncated: true };
  // JSON escaping can make the serialised form of a cut string larger than its bytes: keep a margin.
  const margin = 1024;

  if (event.event?.original !== undefined) {
    delete event.event.original;
    excess = sizeOf(event) - maxBytes;
  }
  if (excess > 0 && event.error?.stack_trace) {
    const trace = event.error.stack_trace;
    event.error.stack_trace = cutTo(trace, Math.max(0, Buffer.byteLength(trace) - excess - margin));
    excess = sizeOf(event) - maxBytes;
  }
  if (excess > 0) {
    event.message = cutTo(event.message, Math.max(0, Buffer.byteLength(event.message) - excess - margin));
    excess = sizeOf(event) - maxBytes;
  }
  if (excess > 0 && (event.attributes !== undefined || event.labels !== undefined)) {
    const extra = JSON.stringify({ labels: event.labels, attributes: event.attributes });
    delete event.labels;
    delete event.attributes;
    event.attributes = { truncated_json: cutTo(extra, Math.max(0, maxBytes - sizeOf(event) - margin)) };
  }
  return event;
}
