import type { LogEvent } from '@vigie/common';
import { expandDottedKeys, normalizeEvent, UNKNOWN_SERVICE } from '@vigie/common';
import { applyOrigin, type ParseContext } from './origin.js';
import { readTimestamp } from './timestamp.js';

/**
 * What a format parser produces: fields in the shape `normalizeEvent` reads (nested or
 * dotted keys, logger aliases), `@timestamp` still raw (any type), read here.
 */
export type Draft = Record<string, unknown>;

/**
 * Deepest nesting kept. Storage maps `attributes` as a flattened field, whose default
 * depth limit is 20; anything deeper is hostile or broken and is kept as raw text.
 */
export const MAX_DEPTH = 16;
// A field of the wrong type moves to attributes and the event is checked again; a
// few rounds cover real logs, the bound keeps hostile input from looping long.
const MAX_REPAIRS = 8;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Whether a JSON value nests deeper than `limit`; iterative, so any depth is safe to test. */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (typeof node !== 'object' || node === null) continue;
    if (depth >= limit) return true;
    for (const child of Object.values(node)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}

/**
 * The event of a line that could not be parsed: the text as message and as
 * event.original, the reason in vigie.parse_error, the time of reception.
 */
export function errorEvent(text: string, reason: string, context: ParseContext): LogEvent {
  const event: LogEvent = {
    '@timestamp': new Date(context.receivedAt).toISOString(),
    message: text,
    service: { name: UNKNOWN_SERVICE },
    event: { original: text },
    vigie: { parse_error: reason.slice(0, 200), timestamp_fallback: true },
  };
  return applyOrigin(event, context);
}

/**
 * Turns a draft into a valid event: reads its timestamp (falling back to the time of
 * reception, flagged), keeps the collector's own `vigie` fields out of the content's
 * reach, moves fields of the wrong type to attributes, then stamps origin and hints.
 * `text` is what becomes the message if the draft cannot be made valid (a function when
 * making it costs, called only then). `addExact`
 * adds, to the valid event, fields whose keys must not be read as dotted paths.
 */
export function buildEvent(
  draft: Draft,
  text: string | (() => string),
  context: ParseContext,
  addExact?: (event: LogEvent) => void,
): LogEvent {
  const expanded = expandDottedKeys(draft);
  quarantine(expanded, 'vigie');
  if (expanded.attributes !== undefined && !isObject(expanded.attributes)) {
    expanded.attributes = { attributes: expanded.attributes };
  }

  const raw = expanded['@timestamp'];
  const time = raw === undefined ? undefined : readTimestamp(raw, context.receivedAt);
  const fallback = time === undefined || !time.ok;
  expanded['@timestamp'] = new Date(time?.ok ? time.ms : context.receivedAt).toISOString();
  if (raw !== undefined && fallback) moveToAttributes(expanded, ['original_timestamp'], raw);

  // Filled in here rather than by normalizeEvent so that drafts already in the schema's
  // shape (access logs, syslog, text) take its fast path.
  const service = expanded.service;
  if (service === undefined) expanded.service = { name: UNKNOWN_SERVICE };
  else if (isObject(service) && service.name === undefined) service.name = UNKNOWN_SERVICE;

  for (let repair = 0; ; repair++) {
    const result = normalizeEvent(expanded);
    if (result.ok) {
      const event = result.event;
      if (fallback) event.vigie = { ...event.vigie, timestamp_fallback: true };
      addExact?.(event);
      return applyOrigin(event, context);
    }
    const path = result.detail.split(':', 1)[0]?.split('.') ?? [];
    if (repair >= MAX_REPAIRS || !moveFieldToAttributes(expanded, path)) {
      return errorEvent(
        typeof text === 'function' ? text() : text,
        `invalid field ${result.detail}`,
        context,
      );
    }
  }
}

/** Content cannot set the collector's own flags: its `vigie` object goes to attributes. */
function quarantine(draft: Draft, key: string): void {
  if (draft[key] === undefined) return;
  moveToAttributes(draft, [key], draft[key]);
  delete draft[key];
}

function moveFieldToAttributes(draft: Draft, path: string[]): boolean {
  if (path.length === 0 || path[0] === 'attributes' || path[0] === '@timestamp') return false;
  let node: unknown = draft;
  for (const part of path.slice(0, -1)) {
    node = isObject(node) ? node[part] : undefined;
  }
  const leaf = path.at(-1) as string;
  if (!isObject(node) || !(leaf in node)) return false;
  moveToAttributes(draft, path, node[leaf]);
  delete node[leaf];
  return true;
}

function moveToAttributes(draft: Draft, path: string[], value: unknown): void {
  const attributes = isObject(draft.attributes) ? draft.attributes : {};
  draft.attributes = attributes;
  let node = attributes;
  for (const part of path.slice(0, -1)) {
    const next = node[part];
    node[part] = isObject(next) ? next : next === undefined ? {} : { value: next };
    node = node[part] as Record<string, unknown>;
  }
  node[path.at(-1) as string] = value;
}
