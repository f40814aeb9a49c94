import { type TObject, type TSchema, TypeGuard } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { Value } from '@sinclair/typebox/value';
import { LOG_LEVELS, type LogEvent, LogEventSchema } from './log-event.js';

/** Why an input could not become a log event. Snake case, used as a metric label. */
export type RejectReason = 'not_an_object' | 'invalid_timestamp' | 'schema_violation';

/** Outcome of `normalizeEvent`: the event, or why it was refused and what exactly is wrong. */
export type NormalizeResult =
  | { ok: true; event: LogEvent }
  | { ok: false; reason: RejectReason; detail: string };

/** Options of `normalizeEvent`. */
export interface NormalizeOptions {
  /** Timestamp (epoch ms) used when the input has none, e.g. the bus record's time. */
  defaultTimestamp?: number;
}

/** Service name used when an event names none (the OpenTelemetry convention). */
export const UNKNOWN_SERVICE = 'unknown_service';

const check = TypeCompiler.Compile(LogEventSchema);
// What Elasticsearch's default date format reads: anything else is rewritten to it.
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const CANONICAL_LEVELS: ReadonlySet<string> = new Set(LOG_LEVELS);

const LEVEL_ALIASES: Record<string, string> = {
  warning: 'warn',
  err: 'error',
  crit: 'fatal',
  critical: 'fatal',
  alert: 'fatal',
  emerg: 'fatal',
  emergency: 'fatal',
  panic: 'fatal',
  notice: 'info',
  information: 'info',
  informational: 'info',
  verbose: 'debug',
};

/**
 * Top-level names that common JSON loggers (pino, bunyan, zap, logrus, structlog) use
 * for ECS fields; they apply only when the ECS field itself is absent.
 */
const FIELD_ALIASES: Array<[alias: string, path: string[]]> = [
  ['msg', ['message']],
  ['level', ['log', 'level']],
  ['severity', ['log', 'level']],
  ['time', ['@timestamp']],
  ['timestamp', ['@timestamp']],
  ['ts', ['@timestamp']],
];

// pino and bunyan numeric levels.
const NUMERIC_LEVELS: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

type JsonObject = Record<string, unknown>;

/** A scalar sent where the schema has an object (`"host": "web-1"`) means this field of it. */
const SCALAR_SHORTHANDS: Record<string, string> = {
  host: 'name',
  service: 'name',
  user: 'name',
  container: 'name',
  error: 'message',
  trace: 'id',
  span: 'id',
  source: 'ip',
};

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Turns what a producer sent into a `LogEvent`. Accepts ECS JSON with nested objects,
 * with dotted keys (ecs-logging style) or a mix of both. Nothing is lost: fields outside
 * the schema move under `attributes`; values of the wrong scalar type are converted
 * where that is unambiguous (`"500"` to 500), otherwise the event is refused with the
 * path of the offending field.
 */
export function normalizeEvent(input: unknown, options: NormalizeOptions = {}): NormalizeResult {
  if (!isObject(input)) {
    return { ok: false, reason: 'not_an_object', detail: 'an event must be a JSON object' };
  }
  // Fast path: collectors already send the normalised shape.
  if (
    check.Check(input) &&
    ISO_TIMESTAMP.test(input['@timestamp']) &&
    Number.isFinite(Date.parse(input['@timestamp'])) &&
    (input.log?.level === undefined || CANONICAL_LEVELS.has(input.log.level))
  ) {
    return { ok: true, event: input };
  }

  const expanded = expandDottedKeys(input);
  applyAliases(expanded);
  const attributes: JsonObject = isObject(expanded.attributes) ? expanded.attributes : {};
  delete expanded.attributes;
  const event = separateUnknown(expanded, LogEventSchema, [], attributes);
  if (Object.keys(attributes).length > 0) event.attributes = attributes;

  const timestamp = normalizeTimestamp(event['@timestamp'], options.defaultTimestamp);
  if (timestamp === undefined) {
    return {
      ok: false,
      reason: 'invalid_timestamp',
      detail: `@timestamp: expected an ISO 8601 date or epoch milliseconds, got ${preview(event['@timestamp'])}`,
    };
  }
  event['@timestamp'] = timestamp;
  coerceKnownFields(event);

  const converted = Value.Convert(LogEventSchema, event);
  if (check.Check(converted)) return { ok: true, event: converted };
  const first = check.Errors(converted).First();
  const detail = first
    ? `${pointerToPath(first.path)}: ${first.message.toLowerCase()}, got ${preview(first.value)}`
    : 'does not match the log event schema';
  return { ok: false, reason: 'schema_violation', detail };
}

/** `{"service.name": "a"}` becomes `{"service": {"name": "a"}}`, recursively. */
export function expandDottedKeys(input: JsonObject): JsonObject {
  const out: JsonObject = {};
  // Runs on every event the collector parses: plain keys (nearly all) skip the path array.
  for (const key of Object.keys(input)) {
    const raw = input[key];
    const value = isObject(raw) ? expandDottedKeys(raw) : raw;
    if (key === '@timestamp' || !key.includes('.')) setLeaf(out, key, value);
    else setPath(out, key.split('.'), value);
  }
  return out;
}

function setLeaf(node: JsonObject, key: string, value: unknown): void {
  const existing = node[key];
  node[key] = isObject(existing) && isObject(value) ? mergeObjects(existing, value) : value;
}

function setPath(target: JsonObject, path: string[], value: unknown): void {
  let node = target;
  for (let i = 0; i < path.length; i++) {
    const part = path[i] as string;
    const last = i === path.length - 1;
    const existing = node[part];
    if (last) {
      setLeaf(node, part, value);
      return;
    }
    if (!isObject(existing)) {
      // A scalar and an object under the same name: keep the scalar next to the children.
      const child: JsonObject = existing === undefined ? {} : { value: existing };
      node[part] = child;
      node = child;
    } else {
      node = existing;
    }
  }
}

function mergeObjects(a: JsonObject, b: JsonObject): JsonObject {
  const out: JsonObject = { ...a };
  for (const [key, value] of Object.entries(b)) setPath(out, [key], value);
  return out;
}

function applyAliases(event: JsonObject): void {
  for (const [alias, path] of FIELD_ALIASES) {
    if (event[alias] === undefined || isObject(event[alias])) continue;
    const parent =
      path.length === 1 ? event : isObject(event[path[0] as string]) ? event[path[0] as string] : undefined;
    const leaf = path.at(-1) as string;
    if (path.length > 1 && parent === undefined && event[path[0] as string] === undefined) {
      event[path[0] as string] = { [leaf]: event[alias] };
      delete event[alias];
    } else if (isObject(parent) && parent[leaf] === undefined) {
      parent[leaf] = event[alias];
      delete event[alias];
    }
  }
}

/** Keeps the keys the schema knows and moves the others into `attributes`, keeping their path. */
function separateUnknown(
  value: JsonObject,
  schema: TObject,
  path: string[],
  attributes: JsonObject,
): JsonObject {
  const out: JsonObject = {};
  for (const [key, child] of Object.entries(value)) {
    const childSchema: TSchema | undefined = schema.properties[key];
    if (childSchema === undefined) {
      setPath(attributes, [...path, key], child);
    } else if (TypeGuard.IsObject(childSchema) && isObject(child)) {
      const known = separateUnknown(child, childSchema, [...path, key], attributes);
      if (Object.keys(known).length > 0) out[key] = known;
    } else if (TypeGuard.IsObject(childSchema) && child !== null) {
      const shorthand = path.length === 0 ? SCALAR_SHORTHANDS[key] : undefined;
      if (shorthand) out[key] = { [shorthand]: child };
      else setPath(attributes, [...path, key], child);
    } else {
      out[key] = child;
    }
  }
  return out;
}

function normalizeTimestamp(value: unknown, fallback: number | undefined): string | undefined {
  if (value === undefined || value === null || value === '') {
    return fallback === undefined ? undefined : new Date(fallback).toISOString();
  }
  // Epoch numbers below 1e11 cannot be milliseconds of this era: they are seconds (zap's "ts").
  const epoch = (n: number) => (Math.abs(n) < 1e11 ? n * 1000 : n);
  const ms =
    typeof value === 'number' ? epoch(value) : typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms)) return undefined;
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

function coerceKnownFields(event: JsonObject): void {
  if (typeof event.message !== 'string') {
    event.message = event.message === undefined || event.message === null ? '' : String(event.message);
  }
  const service = isObject(event.service) ? event.service : {};
  if (service.name === undefined || service.name === null || service.name === '')
    service.name = UNKNOWN_SERVICE;
  event.service = service;

  const log = event.log;
  if (isObject(log) && log.level !== undefined) log.level = normalizeLevel(log.level);

  const ev = event.event;
  if (isObject(ev) && ev.duration !== undefined) {
    const ns = typeof ev.duration === 'string' ? Number(ev.duration) : ev.duration;
    if (typeof ns === 'number' && Number.isFinite(ns)) ev.duration = Math.round(ns);
  }

  if (isObject(event.labels)) {
    for (const [key, value] of Object.entries(event.labels)) {
      if (typeof value !== 'string')
        event.labels[key] = isObject(value) ? JSON.stringify(value) : String(value);
    }
  }
}

function normalizeLevel(level: unknown): unknown {
  if (typeof level === 'number') return NUMERIC_LEVELS[level] ?? String(level);
  if (typeof level !== 'string') return level;
  const lower = level.trim().toLowerCase();
  return LEVEL_ALIASES[lower] ?? lower;
}

function pointerToPath(pointer: string): string {
  return pointer.replace(/^\//, '').replaceAll('/', '.') || '(root)';
}

function preview(value: unknown): string {
  const json = JSON.stringify(value) ?? String(value);
  return json.length > 80 ? `${json.slice(0, 77)}...` : json;
}
