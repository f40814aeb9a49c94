import type { Span } from './ast.js';
import { describePosition, QueryFieldError } from './errors.js';

/** How a field is indexed, which decides how each clause on it is translated. */
export type FieldType =
  | 'text'
  | 'keyword'
  | 'long'
  | 'integer'
  | 'date'
  | 'ip'
  | 'boolean'
  | 'flattened'
  /** Kept in the stored event but not indexed: it cannot be searched. */
  | 'unindexed';

/**
 * Every field of the log mapping (`LOG_PROPERTIES` in services/storage) by its dotted
 * name. Kept as data here so that the query language does not depend on a storage; a
 * test fails when it drifts from the mapping.
 */
export const LOG_FIELD_TYPES: Readonly<Record<string, FieldType>> = {
  '@timestamp': 'date',
  message: 'text',
  'log.level': 'keyword',
  'log.logger': 'keyword',
  'log.file.path': 'keyword',
  'log.offset': 'long',
  'log.syslog.priority': 'integer',
  'log.syslog.facility.code': 'integer',
  'log.syslog.facility.name': 'keyword',
  'log.syslog.severity.code': 'integer',
  'log.syslog.severity.name': 'keyword',
  'log.syslog.hostname': 'keyword',
  'log.syslog.appname': 'keyword',
  'log.syslog.procid': 'keyword',
  'log.syslog.msgid': 'keyword',
  'log.syslog.version': 'keyword',
  'log.syslog.structured_data': 'flattened',
  'service.name': 'keyword',
  'service.environment': 'keyword',
  'service.version': 'keyword',
  'host.name': 'keyword',
  'container.id': 'keyword',
  'container.name': 'keyword',
  'http.request.method': 'keyword',
  'http.request.referrer': 'keyword',
  'http.response.status_code': 'integer',
  'http.response.body.bytes': 'long',
  'http.version': 'keyword',
  'url.path': 'keyword',
  'url.query': 'keyword',
  'user_agent.original': 'keyword',
  'process.pid': 'long',
  'process.name': 'keyword',
  'event.duration': 'long',
  'event.original': 'unindexed',
  'event.ingested': 'date',
  'event.dataset': 'keyword',
  'event.sequence': 'long',
  'event.action': 'keyword',
  'event.category': 'keyword',
  'event.outcome': 'keyword',
  'trace.id': 'keyword',
  'span.id': 'keyword',
  'error.type': 'keyword',
  'error.message': 'text',
  'error.stack_trace': 'text',
  'source.ip': 'ip',
  'user.name': 'keyword',
  labels: 'flattened',
  attributes: 'flattened',
  'vigie.truncated': 'boolean',
  'vigie.parse_error': 'keyword',
  'vigie.timestamp_fallback': 'boolean',
  'vigie.source': 'keyword',
  'vigie.stream': 'keyword',
  'vigie.redactions': 'integer',
};

/** A field named in a query, resolved against the catalogue. */
export interface ResolvedField {
  /** The field to search, e.g. `attributes.tenant` for an unknown `tenant`. */
  path: string;
  /** Its type; a key inside a flattened field has keyword semantics. */
  type: Exclude<FieldType, 'flattened'> | 'flattened-key' | 'flattened';
}

/** What to do with a field outside the catalogue. */
export type UnknownFieldPolicy = 'attributes' | 'reject';

/** Options shared by the translations. */
export interface FieldOptions {
  /** Field types by dotted name; defaults to the log mapping. */
  fields?: Readonly<Record<string, FieldType>>;
  /**
   * `attributes` (default) searches an unknown `tenant` as `attributes.tenant`, where
   * normalisation keeps every field outside the schema; `reject` refuses it.
   */
  unknownFields?: UnknownFieldPolicy;
}

/** Resolves a field name, or throws a `QueryFieldError` pointing at the clause. */
export function resolveField(name: string, span: Span, options: FieldOptions = {}): ResolvedField {
  const fields = options.fields ?? LOG_FIELD_TYPES;
  const fail = (message: string) =>
    new QueryFieldError(name, `${message} at ${describePosition(span)}`, {
      offset: span.start,
      end: span.end,
      line: span.line,
      column: span.column,
    });
  const type = fields[name];
  if (type === 'unindexed') throw fail(`Field '${name}' is stored but not searchable`);
  if (type !== undefined) return { path: name, type };
  for (const [field, fieldType] of Object.entries(fields)) {
    if (fieldType === 'flattened' && name.startsWith(`${field}.`) && name.length > field.length + 1) {
      return { path: name, type: 'flattened-key' };
    }
  }
  if (Object.keys(fields).some((field) => field.startsWith(`${name}.`))) {
    throw fail(
      `'${name}' is a group of fields, not a field; name one of its fields such as '${firstChild(fields, name)}'`,
    );
  }
  if (options.unknownFields === 'reject') throw fail(`Unknown field '${name}'`);
  return { path: `attributes.${name}`, type: 'flattened-key' };
}

function firstChild(fields: Readonly<Record<string, FieldType>>, name: string): string {
  return Object.keys(fields).find((field) => field.startsWith(`${name}.`)) ?? name;
}

/** A value as the field holds it: a number for numeric fields, a boolean for booleans. */
export type FieldValue = string | number | boolean;

/** Converts a typed value to the field's type, or throws a `QueryFieldError` at the clause. */
export function coerceValue(field: ResolvedField, value: string, span: Span): FieldValue {
  const fail = (expected: string) =>
    new QueryFieldError(
      field.path,
      `Field '${field.path}' expects ${expected}, not '${value}', at ${describePosition(span)}`,
      { offset: span.start, end: span.end, line: span.line, column: span.column },
    );
  switch (field.type) {
    case 'integer':
    case 'long':
      if (!/^-?\d+(\.\d+)?$/.test(value)) throw fail('a number');
      return Number(value);
    case 'boolean':
      if (value !== 'true' && value !== 'false') throw fail('true or false');
      return value === 'true';
    default:
      return value;
  }
}

/** Builds the `QueryFieldError` of a clause that does not apply to its field's type. */
export function unsupported(field: ResolvedField, what: string, span: Span): QueryFieldError {
  return new QueryFieldError(
    field.path,
    `${what} cannot apply to '${field.path}' (${field.type}) at ${describePosition(span)}`,
    { offset: span.start, end: span.end, line: span.line, column: span.column },
  );
}

/**
 * The field whose values a facet counts (`GET /api/fields/:name/top`), or a
 * `QueryFieldError`: free text, dates, unindexed and whole flattened fields have no
 * countable values. Every store answers the same for the same name.
 */
export function countableField(name: string, options: FieldOptions = {}): ResolvedField {
  const span = { start: 0, end: name.length, line: 1, column: 1 };
  const field = resolveField(name, span, options);
  if (['text', 'date', 'unindexed', 'flattened'].includes(field.type))
    throw unsupported(field, 'Counting values', span);
  return field;
}

/**
 * The literal prefix of a pattern on a flattened key, which Elasticsearch searches with
 * `prefix` only (it refuses `wildcard` there): `checkout-*` is fine, `*-1` or `a?c` is not.
 */
export function flattenedPrefix(field: ResolvedField, pattern: string, span: Span): string {
  let prefix = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] ?? '';
    if (c === '\\') prefix += pattern[++i] ?? '';
    else if (c === '*' && i === pattern.length - 1) return prefix;
    else if (c === '*' || c === '?') break;
    else prefix += c;
  }
  throw unsupported(field, `Only a trailing '*' wildcard ('${pattern}' has another)`, span);
}
