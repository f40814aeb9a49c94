import type { LogEvent } from '@vigie/common';
import { parseJson } from './body.js';
import { type EventContext, textEvent, toEvent } from './event.js';

/**
 * One NDJSON (or plain text) line of `POST /ingest` as an event; never throws. A JSON
 * object goes through `toEvent`; anything else is kept as a text event, flagged with
 * `vigie.parse_error` when it looked like JSON but was not an object that could be used.
 * Runs on the event loop and in the parse workers alike, so that both give the same events.
 */
export function lineEvent(text: string, context: EventContext): LogEvent {
  const trimmed = text.trimStart();
  if (!trimmed.startsWith('{')) return textEvent(text, context, 'not a JSON object');
  let value: unknown;
  try {
    value = parseJson(trimmed);
  } catch (err) {
    return textEvent(text, context, `invalid JSON: ${(err as Error).message}`);
  }
  const event = toEvent(value, context);
  // Keep what was sent, not its re-serialisation, when the entry could not be used.
  if (event.vigie?.parse_error !== undefined) event.message = text;
  return event;
}
