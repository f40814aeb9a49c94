import type { LogEvent } from '@vigie/common';
import { normalizeEvent } from '@vigie/common';
import type { RawLine } from '../model.js';

/**
 * Turns a raw line into an event; never throws. A line that cannot be parsed becomes
 * an event whose message is the line, flagged with `vigie.parse_error`.
 */
export function parseLine(line: RawLine): LogEvent {
  const fallback = (reason: string): LogEvent => ({
    '@timestamp': new Date(line.receivedAt).toISOString(),
    message: line.text,
    service: { name: line.hints?.service ?? 'unknown_service' },
    vigie: { parse_error: reason, timestamp_fallback: true },
  });
  const trimmed = line.text.trimStart();
  if (!trimmed.startsWith('{')) return fallback('format not recognised');
  try {
    const result = normalizeEvent(JSON.parse(trimmed), { defaultTimestamp: line.receivedAt });
    return result.ok ? result.event : fallback(result.detail);
  } catch (err) {
    return fallback((err as Error).message);
  }
}
