import { BlockList, isIP } from 'node:net';
import type { Span } from './ast.js';
import { describePosition, QueryFieldError } from './errors.js';
import type { ResolvedField } from './fields.js';

/**
 * Helpers of `toPredicate`: reading a field of an in-memory event, and matching text,
 * wildcards, dates and addresses the way Elasticsearch does on the mapped types.
 */

/** Every value of a dotted field in an event, arrays flattened; the leaves of an object. */
export function fieldValues(event: unknown, path: string): unknown[] {
  const out: unknown[] = [];
  collect(event, path.split('.'), out);
  return out;
}

function collect(value: unknown, parts: string[], out: unknown[]): void {
  if (value === null || value === undefined) return;
  if (Array.isArray(value)) {
    for (const item of value) collect(item, parts, out);
    return;
  }
  if (typeof value !== 'object') {
    if (parts.length === 0) out.push(value);
    return;
  }
  const object = value as Record<string, unknown>;
  if (parts.length === 0) {
    // A flattened field searched as a whole matches any of its leaves.
    for (const child of Object.values(object)) collect(child, parts, out);
    return;
  }
  // A flattened key may itself hold dots (`attributes["k8s.pod"]`): try each split.
  for (let i = parts.length; i >= 1; i--) {
    const key = parts.slice(0, i).join('.');
    if (Object.hasOwn(object, key)) collect(object[key], parts.slice(i), out);
  }
}

const TOKEN = /[\p{L}\p{N}_]+(?:['.][\p{L}\p{N}_]+)*/gu;

/**
 * Words of a text, lower-cased: an approximation of Elasticsearch's `standard` analyzer
 * (Unicode word boundaries, `.` and `'` kept between letters or digits).
 */
export function tokens(text: string): string[] {
  return (text.toLowerCase().match(TOKEN) ?? []).map((token) => token);
}

/** True when `phrase` appears in `words` as consecutive words (`match_phrase`). */
export function containsSequence(words: string[], phrase: string[]): boolean {
  if (phrase.length === 0) return false;
  for (let i = 0; i + phrase.length <= words.length; i++) {
    if (phrase.every((word, j) => words[i + j] === word)) return true;
  }
  return false;
}

/** A wildcard pattern (`*`, `?`, `\` escapes) as an anchored regular expression. */
export function wildcardRegExp(pattern: string, caseInsensitive: boolean): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] ?? '';
    if (c === '\\') source += escapeRegExp(pattern[++i] ?? '');
    else if (c === '*') source += '.*';
    else if (c === '?') source += '.';
    else source += escapeRegExp(c);
  }
  return new RegExp(`^${source}$`, caseInsensitive ? 'isu' : 'su');
}

function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
}

const fieldError = (field: ResolvedField, message: string, span: Span) =>
  new QueryFieldError(field.path, `${message} at ${describePosition(span)}`, {
    offset: span.start,
    line: span.line,
    column: span.column,
  });

/** Epoch milliseconds of an absolute date; relative ones (`now-1h`) are resolved elsewhere. */
export function dateValue(field: ResolvedField, value: string, span: Span): number {
  const time = Date.parse(value);
  if (Number.isNaN(time)) {
    throw fieldError(field, `'${value}' is not an absolute date for '${field.path}'`, span);
  }
  return time;
}

/** The address family of an IP or CIDR value, or an error at the clause. */
export function ipFamily(field: ResolvedField, value: string, span: Span): 'ipv4' | 'ipv6' {
  const version = isIP(value.split('/')[0] ?? '');
  if (version === 0) throw fieldError(field, `'${value}' is not an IP address for '${field.path}'`, span);
  return version === 4 ? 'ipv4' : 'ipv6';
}

/** A list matching one address or one CIDR block, as a `term` on an `ip` field does. */
export function ipTerm(field: ResolvedField, value: string, span: Span): BlockList {
  const family = ipFamily(field, value, span);
  const list = new BlockList();
  const [address = '', prefix] = value.split('/');
  if (prefix === undefined) list.addAddress(address, family);
  else list.addSubnet(address, Number(prefix), family);
  return list;
}

/** True when `value` is an IP address in `list`. */
export function ipIn(list: BlockList, value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const version = isIP(value);
  return version !== 0 && list.check(value, version === 4 ? 'ipv4' : 'ipv6');
}
