import type { FieldOptions, QueryNode, RangeBound, RangeNode, ResolvedField, Span } from '@vigie/common';
import {
  coerceValue,
  flattenedPrefix,
  ipBlock,
  ipValue,
  QueryFieldError,
  resolveField,
  tokens,
  unsupported,
} from '@vigie/common';
import { FTS_COLUMNS } from './log-schema.js';

/** A piece of SQL with its `?` parameters, in order. Values only ever travel as parameters. */
export interface SqlFragment {
  sql: string;
  params: unknown[];
}

const sql = (text: string, ...params: unknown[]): SqlFragment => ({ sql: text, params });
const TRUE = sql('1');
const FALSE = sql('0');

/** Columns kept outside the JSON document (see log-schema.ts), by dotted field name. */
const COLUMNS: Readonly<Record<string, string>> = {
  'service.name': 'logs.service',
  'log.level': 'logs.level',
  'service.version': 'logs.version',
};

/** Options of `toSqlCondition`, as `toPredicate`'s. */
export interface SqlQueryOptions extends FieldOptions {
  /** Fields searched by free text; `message` by default. */
  defaultFields?: readonly string[];
}

/**
 * Translates a query tree into a condition on the `logs` table (aliased `logs`) with the
 * semantics of `toPredicate`, the reference: every leaf is 0 or 1, never NULL, so that
 * `NOT` keeps its meaning on events that lack the field. Words of text fields go through
 * FTS5, whose query is itself a bound parameter built from the query language's tokens,
 * each quoted. Throws a `QueryFieldError` for a clause that does not fit its field.
 */
export function toSqlCondition(root: QueryNode, options: SqlQueryOptions = {}): SqlFragment {
  const defaultFields = options.defaultFields ?? ['message'];
  const resolve = (name: string, span: Span) => resolveField(name, span, options);

  const translate = (node: QueryNode): SqlFragment => {
    switch (node.kind) {
      case 'all':
        return TRUE;
      case 'and':
        return join(node.children.map(translate), 'AND');
      case 'or':
        return join(node.children.map(translate), 'OR');
      case 'not': {
        const child = translate(node.child);
        return sql(`(NOT ${child.sql})`, ...child.params);
      }
      case 'text': {
        const kind = node.phrase ? 'phrase' : 'term';
        return join(
          defaultFields.map((field) => translate({ kind, field, value: node.value, span: node.span })),
          'OR',
        );
      }
      case 'term':
      case 'phrase':
        return valueCondition(resolve(node.field, node.span), node.kind, node.value, node.span);
      case 'wildcard':
        if (node.field === null)
          return join(
            defaultFields.map((field) => translate({ ...node, field })),
            'OR',
          );
        return wildcardCondition(resolve(node.field, node.span), node.pattern, node.span);
      case 'range':
        return rangeCondition(resolve(node.field, node.span), node);
      case 'exists':
        return existsCondition(resolve(node.field, node.span));
    }
  };
  return translate(root);
}

function join(parts: SqlFragment[], operator: 'AND' | 'OR'): SqlFragment {
  if (parts.length === 1 && parts[0]) return parts[0];
  return sql(`(${parts.map((part) => part.sql).join(` ${operator} `)})`, ...parts.flatMap((p) => p.params));
}

/** `$."a"."b"`: a JSON path quoting each key, for names of the field catalogue. */
export function jsonPath(name: string): string {
  return `$${name
    .split('.')
    .map((key) => `."${key}"`)
    .join('')}`;
}

/** The scalar value of a catalogue field (not flattened) of the event. */
export function scalar(target: ResolvedField): SqlFragment {
  const column = COLUMNS[target.path];
  if (column !== undefined) return sql(column);
  if (target.path === '@timestamp') return sql('logs.ts');
  return sql('json_extract(logs.doc, ?)', jsonPath(target.path));
}

/**
 * `IFNULL(<condition>, 0)` where each `$` of the condition stands for the expression and
 * each `?` takes the next of `params`, so that parameters stay in the order of the text.
 */
function onScalar(expr: SqlFragment, condition: string, ...params: unknown[]): SqlFragment {
  let text = '';
  const out: unknown[] = [];
  let next = 0;
  for (const c of condition) {
    if (c === '$') {
      text += expr.sql;
      out.push(...expr.params);
    } else {
      if (c === '?') out.push(params[next++]);
      text += c;
    }
  }
  return { sql: `IFNULL(${text}, 0)`, params: out };
}

/** Some leaf of a flattened field (or key) satisfies the condition on `value`. */
function onLeaves(target: ResolvedField, condition: string, ...params: unknown[]): SqlFragment {
  return sql(`EXISTS (SELECT 1 FROM vigie_field(logs.doc, ?) WHERE ${condition})`, target.path, ...params);
}

function isFlattened(target: ResolvedField): boolean {
  return target.type === 'flattened' || target.type === 'flattened-key';
}

/** An FTS5 match on one column of `logs_fts`, the FTS query built from quoted words. */
function fts(column: string, query: string): SqlFragment {
  return sql('logs.rowid IN (SELECT rowid FROM logs_fts WHERE logs_fts MATCH ?)', `${column} : (${query})`);
}

const quoted = (word: string) => `"${word.replaceAll('"', '""')}"`;

function valueCondition(
  target: ResolvedField,
  kind: 'term' | 'phrase',
  value: string,
  span: Span,
): SqlFragment {
  switch (target.type) {
    case 'text': {
      const words = tokens(value);
      if (words.length === 0) return FALSE;
      const column = FTS_COLUMNS[target.path];
      if (column !== undefined)
        return fts(column, words.map(quoted).join(kind === 'phrase' ? ' + ' : ' AND '));
      return onScalar(scalar(target), 'vigie_text_match($, ?, ?)', kind, words.join(' '));
    }
    case 'ip': {
      const [low, high] = ipBlock(target, value, span);
      return onScalar(scalar(target), 'vigie_ip($) BETWEEN ? AND ?', hex(low), hex(high));
    }
    case 'date': {
      const time = dateValue(target, value, span);
      if (target.path === '@timestamp') return sql('logs.ts = ?', time);
      return onScalar(scalar(target), 'vigie_epoch($) = ?', time);
    }
    case 'boolean': {
      const wanted = coerceValue(target, value, span);
      return onScalar(sql('json_type(logs.doc, ?)', jsonPath(target.path)), '$ = ?', String(wanted));
    }
    case 'integer':
    case 'long':
      return onScalar(scalar(target), '$ = ?', coerceValue(target, value, span));
    case 'flattened':
    case 'flattened-key':
      return onLeaves(target, 'value = ?', value);
    default:
      return onScalar(scalar(target), '$ = ?', value);
  }
}

function wildcardCondition(target: ResolvedField, pattern: string, span: Span): SqlFragment {
  if (target.type === 'text') {
    const column = FTS_COLUMNS[target.path];
    const prefix = pattern.endsWith('*') ? pattern.slice(0, -1) : undefined;
    // A plain word then `*` is an FTS5 prefix query; anything else tests each word.
    if (
      column !== undefined &&
      prefix !== undefined &&
      tokens(prefix).join() === prefix.toLowerCase() &&
      prefix
    )
      return fts(column, `${quoted(prefix.toLowerCase())}*`);
    return onScalar(scalar(target), 'vigie_words_match($, ?)', pattern);
  }
  if (target.type === 'flattened-key') {
    return onLeaves(target, 'instr(value, ?) = 1', flattenedPrefix(target, pattern, span));
  }
  if (target.type !== 'keyword') throw unsupported(target, 'A wildcard', span);
  return onScalar(scalar(target), '$ GLOB ?', toGlob(pattern));
}

/** The query language's pattern (`*`, `?`, `\` escapes) as a SQLite GLOB. */
export function toGlob(pattern: string): string {
  let glob = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] ?? '';
    const literal = c === '\\' ? (pattern[++i] ?? '') : undefined;
    if (literal === undefined) glob += c === '[' ? '[[]' : c;
    else glob += literal === '*' || literal === '?' || literal === '[' ? `[${literal}]` : literal;
  }
  return glob;
}

function rangeCondition(target: ResolvedField, node: RangeNode): SqlFragment {
  const { lower, upper, span } = node;
  switch (target.type) {
    case 'text':
    case 'boolean':
    case 'flattened':
      throw unsupported(target, 'A range', span);
    case 'integer':
    case 'long': {
      const { text, params } = bounds(lower, upper, (b) => coerceValue(target, b, span));
      return onScalar(scalar(target), `typeof($) IN ('integer', 'real')${text}`, ...params);
    }
    case 'date': {
      const { text, params } = bounds(lower, upper, (b) => dateValue(target, b, span));
      if (target.path === '@timestamp') return onScalar(sql('logs.ts'), `1${text}`, ...params);
      return onScalar(
        sql('vigie_epoch(json_extract(logs.doc, ?))', jsonPath(target.path)),
        `$ IS NOT NULL${text}`,
        ...params,
      );
    }
    case 'ip': {
      const { text, params } = bounds(lower, upper, (b) => hex(ipValue(target, b, span)));
      return onScalar(
        sql('vigie_ip(json_extract(logs.doc, ?))', jsonPath(target.path)),
        `$ IS NOT NULL${text}`,
        ...params,
      );
    }
    case 'flattened-key': {
      const { text, params } = bounds(lower, upper, (b) => b, 'value');
      return onLeaves(target, `1${text}`, ...params);
    }
    default: {
      const { text, params } = bounds(lower, upper, (b) => b);
      return onScalar(scalar(target), `typeof($) = 'text'${text}`, ...params);
    }
  }
}

/** ` AND $ >= ? AND $ < ?` for the bounds present, with their converted values. */
function bounds(
  lower: RangeBound | undefined,
  upper: RangeBound | undefined,
  convert: (value: string) => unknown,
  subject = '$',
): { text: string; params: unknown[] } {
  let text = '';
  const params: unknown[] = [];
  if (lower) {
    text += ` AND ${subject} ${lower.inclusive ? '>=' : '>'} ?`;
    params.push(convert(lower.value));
  }
  if (upper) {
    text += ` AND ${subject} ${upper.inclusive ? '<=' : '<'} ?`;
    params.push(convert(upper.value));
  }
  return { text, params };
}

function existsCondition(target: ResolvedField): SqlFragment {
  if (isFlattened(target)) return onLeaves(target, '1');
  if (target.path === '@timestamp' || target.path === 'service.name') return TRUE;
  const column = COLUMNS[target.path];
  if (column !== undefined) return sql(`${column} IS NOT NULL`);
  return onScalar(sql('json_type(logs.doc, ?)', jsonPath(target.path)), "$ <> 'null'");
}

const hex = (value: bigint) => value.toString(16).padStart(32, '0');

/** Epoch ms of an absolute date (a time without a zone is UTC, as in Elasticsearch). */
function dateValue(target: ResolvedField, value: string, span: Span): number {
  const zoneless = /T\d\d:\d\d(:\d\d(\.\d+)?)?$/.test(value);
  const time = Date.parse(zoneless ? `${value}Z` : value);
  if (Number.isNaN(time)) {
    throw new QueryFieldError(
      target.path,
      `'${value}' is not an absolute date for '${target.path}' at line ${span.line}, column ${span.column}`,
      { offset: span.start, end: span.end, line: span.line, column: span.column },
    );
  }
  return time;
}
