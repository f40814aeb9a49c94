import type { LogEvent } from '@vigie/common';
import { BodyError } from './body.js';
import { type EventContext, toEvent } from './event.js';

type Json = Record<string, unknown>;

/** One OTLP log record with the resource and scope it was sent under. */
export interface OtlpRecord {
  resource: Json;
  scope: Json;
  record: Json;
  /** JSON path of the record, for error messages. */
  path: string;
}

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function list(parent: Json, key: string, path: string): Json[] {
  const value = parent[key];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new BodyError('invalid_payload', 400, `${path}.${key}: expected an array`);
  for (const [i, item] of value.entries()) {
    if (!isObject(item))
      throw new BodyError('invalid_payload', 400, `${path}.${key}[${i}]: expected an object`);
  }
  return value as Json[];
}

/**
 * The records of an OTLP/JSON `ExportLogsServiceRequest`, flattened. A body whose
 * structure is wrong is refused whole (400 with the JSON path); problems inside one
 * record only reject that record (see `otlpEvent`).
 */
export function otlpRecords(body: unknown): OtlpRecord[] {
  if (!isObject(body))
    throw new BodyError('invalid_payload', 400, '(root): expected an object with resourceLogs');
  const out: OtlpRecord[] = [];
  for (const [r, resourceLogs] of list(body, 'resourceLogs', '').entries()) {
    const rPath = `resourceLogs[${r}]`;
    const resource = isObject(resourceLogs.resource) ? resourceLogs.resource : {};
    for (const [s, scopeLogs] of list(resourceLogs, 'scopeLogs', rPath).entries()) {
      const sPath = `${rPath}.scopeLogs[${s}]`;
      const scope = isObject(scopeLogs.scope) ? scopeLogs.scope : {};
      for (const [l, record] of list(scopeLogs, 'logRecords', sPath).entries()) {
        out.push({ resource, scope, record, path: `${sPath}.logRecords[${l}]` });
      }
    }
  }
  return out;
}

/** Deepest nesting of an attribute or body value, as for JSON events (see parse/). */
const MAX_DEPTH = 16;

/** An OTLP `AnyValue` as plain JSON; throws past `MAX_DEPTH` levels of nesting. */
export function anyValue(value: unknown, depth = 0): unknown {
  if (!isObject(value)) return undefined;
  // Storage indexes attributes to a bounded depth; deeper values are hostile or broken.
  if (depth > MAX_DEPTH) throw new Error(`nested deeper than ${MAX_DEPTH} levels`);
  if ('stringValue' in value) return value.stringValue;
  if ('boolValue' in value) return value.boolValue;
  if ('intValue' in value) {
    const n = Number(value.intValue);
    return Number.isSafeInteger(n) ? n : String(value.intValue);
  }
  if ('doubleValue' in value) return Number(value.doubleValue);
  if ('bytesValue' in value) return value.bytesValue;
  if (isObject(value.arrayValue)) {
    const values = Array.isArray(value.arrayValue.values) ? value.arrayValue.values : [];
    return values.map((item: unknown) => anyValue(item, depth + 1));
  }
  if (isObject(value.kvlistValue)) return keyValues(value.kvlistValue.values, depth + 1);
  return undefined;
}

/** OTLP `KeyValue[]` as a plain object (later keys win, as in the SDKs). */
export function keyValues(values: unknown, depth = 0): Json {
  const out: Json = {};
  if (!Array.isArray(values)) return out;
  for (const kv of values) {
    if (isObject(kv) && typeof kv.key === 'string') out[kv.key] = anyValue(kv.value, depth);
  }
  return out;
}

// OpenTelemetry severity numbers in ranges of four, lowest first.
const SEVERITY_RANGES = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

function level(record: Json): string | undefined {
  if (typeof record.severityText === 'string' && record.severityText.trim() !== '')
    return record.severityText;
  const n = Number(record.severityNumber);
  if (!Number.isInteger(n) || n < 1 || n > 24) return undefined;
  return SEVERITY_RANGES[Math.floor((n - 1) / 4)];
}

/** Nanoseconds since the epoch (string or number, 0 meaning unset) as epoch ms. */
function nanosToMs(value: unknown, what: string): number | undefined {
  if (value === undefined || value === null || value === '' || value === 0 || value === '0') return undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return Math.floor(value / 1e6);
  if (typeof value === 'string' && /^\d{1,20}$/.test(value)) return Number(BigInt(value) / 1_000_000n);
  throw new Error(`${what}: expected nanoseconds since the epoch`);
}

/** A trace or span id: hex as the OTLP/JSON encoding requires, or base64 from older senders. */
function hexId(value: unknown, bytes: number, what: string): string | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  let hex = value.toLowerCase();
  if (!new RegExp(`^[0-9a-f]{${bytes * 2}}$`).test(hex)) {
    const decoded = Buffer.from(value, 'base64');
    if (decoded.length !== bytes) throw new Error(`${what}: expected ${bytes * 2} hex digits`);
    hex = decoded.toString('hex');
  }
  return /^0+$/.test(hex) ? undefined : hex;
}

const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

/**
 * One OTLP log record as an event: `service.*` and `host.name` from the resource,
 * severity to `log.level`, body to `message`, trace context, `exception.*` attributes to
 * `error.*`, other string attributes to `labels` and the rest to `attributes` (the
 * resource's under `attributes.resource`). Throws, with the reason, for a record that
 * must be rejected.
 */
export function otlpEvent(item: OtlpRecord, context: EventContext): LogEvent {
  const { record, scope } = item;
  const resource = keyValues(item.resource.attributes);
  const attributes = keyValues(record.attributes);
  const at =
    nanosToMs(record.timeUnixNano, 'timeUnixNano') ??
    nanosToMs(record.observedTimeUnixNano, 'observedTimeUnixNano');

  const body = anyValue(record.body);
  let message: string;
  const extra: Json = {};
  if (typeof body === 'string') message = body;
  else if (isObject(body)) {
    const named = text(body.message) ?? text(body.msg);
    message = named ?? JSON.stringify(body);
    if (named !== undefined) {
      const { message: _m, msg: _s, ...rest } = body;
      if (Object.keys(rest).length > 0) extra.body = rest;
    }
  } else
    message =
      body === undefined || body === null
        ? ''
        : typeof body === 'object'
          ? JSON.stringify(body)
          : String(body);

  const core: Json = {
    '@timestamp': at === undefined ? undefined : new Date(at).toISOString(),
    message,
    service: {
      name: text(resource['service.name']),
      version: text(resource['service.version']),
      environment: text(resource['deployment.environment.name']) ?? text(resource['deployment.environment']),
    },
  };
  const hostName = text(resource['host.name']);
  if (hostName !== undefined) core.host = { name: hostName };
  const severity = level(record);
  const logger = text(scope.name) || undefined;
  if (severity !== undefined || logger !== undefined) core.log = { level: severity, logger };
  const traceId = hexId(record.traceId, 16, 'traceId');
  const spanId = hexId(record.spanId, 8, 'spanId');
  if (traceId !== undefined) core.trace = { id: traceId };
  if (spanId !== undefined) core.span = { id: spanId };
  const error = {
    type: text(attributes['exception.type']),
    message: text(attributes['exception.message']),
    stack_trace: text(attributes['exception.stacktrace']),
  };
  if (Object.values(error).some((v) => v !== undefined)) core.error = error;
  dropUndefined(core);

  const event = toEvent(core, { ...context, timestamp: at ?? context.timestamp });
  if (event.vigie?.parse_error !== undefined) throw new Error(event.vigie.parse_error);

  // Added after normalisation, which would split dotted keys such as `http.route`.
  const labels: Record<string, string> = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (key.startsWith('exception.')) continue;
    if (typeof value === 'string') labels[key] = value;
    else if (value !== undefined) extra[key] = value;
  }
  const resourceRest = Object.fromEntries(
    Object.entries(resource).filter(([key]) => !MAPPED_RESOURCE_KEYS.has(key) && resource[key] !== undefined),
  );
  if (Object.keys(resourceRest).length > 0) extra.resource = resourceRest;
  if (Object.keys(labels).length > 0) event.labels = { ...event.labels, ...labels };
  if (Object.keys(extra).length > 0) event.attributes = { ...event.attributes, ...extra };
  return event;
}

const MAPPED_RESOURCE_KEYS = new Set([
  'service.name',
  'service.version',
  'deployment.environment',
  'deployment.environment.name',
  'host.name',
]);

function dropUndefined(value: Json): void {
  for (const [key, child] of Object.entries(value)) {
    if (child === undefined) delete value[key];
    else if (isObject(child)) {
      dropUndefined(child);
      if (Object.keys(child).length === 0) delete value[key];
    }
  }
}
