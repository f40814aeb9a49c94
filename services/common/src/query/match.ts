import { isIP } from 'node:net';
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
    end: span.end,
    line: span.line,
    column: span.column,
  });

/** Epoch milliseconds of an absolute date; relative ones (`now-1h`) are resolved elsewhere. */
export function dateValue(field: ResolvedField, value: string, span: Span): number {
  // Elasticsearch reads a time without a zone as UTC; Date.parse would use the local zone.
  const zoneless = /T\d\d:\d\d(:\d\d(\.\d+)?)?$/.test(value);
  const time = Date.parse(zoneless ? `${value}Z` : value);
  if (Number.isNaN(time)) {
    throw fieldError(field, `'${value}' is not an absolute date for '${field.path}'`, span);
  }
  return time;
}

/**
 * An IP address as one number in the IPv6 space, IPv4 mapped to `::ffff:a.b.c.d`, as
 * Elasticsearch orders them; `undefined` for anything else.
 */
export function ipNumber(value: unknown): bigint | undefined {
  if (typeof value !== 'string') return undefined;
  const address = value.split('%')[0] ?? '';
  const version = isIP(address);
  if (version === 4) return 0xffff00000000n + ipv4Number(address);
  if (version !== 6) return undefined;
  let text = address;
  const tail = text.slice(text.lastIndexOf(':') + 1);
  if (tail.includes('.')) {
    const v4 = ipv4Number(tail);
    text = `${text.slice(0, -tail.length)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const groups = (part: string) => (part === '' ? [] : part.split(':'));
  const [head = '', rest] = text.split('::');
  const left = groups(head);
  const right = rest === undefined ? [] : groups(rest);
  const all = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return all.reduce((acc, group) => (acc << 16n) + BigInt(Number.parseInt(group, 16)), 0n);
}

function ipv4Number(address: string): bigint {
  return address.split('.').reduce((acc, octet) => (acc << 8n) + BigInt(Number(octet)), 0n);
}

/** Parses an IP bound or value of a clause, or throws a `QueryFieldError` at it. */
export function ipValue(field: ResolvedField, value: string, span: Span): bigint {
  const number = ipNumber(value);
  if (number === undefined)
    throw fieldError(field, `'${value}' is not an IP address for '${field.path}'`, span);
  return number;
}

/** The first and last addresses of one address or CIDR block, as a `term` on an `ip` field matches. */
export function ipBlock(field: ResolvedField, value: string, span: Span): [bigint, bigint] {
  const [address = '', prefix] = value.split('/');
  const base = ipValue(field, address, span);
  if (prefix === undefined) return [base, base];
  const bits = Number(prefix) + (isIP(address) === 4 ? 96 : 0);
  // Elasticsearch refuses a mapped address with a prefix: v4 or v6 bits would be ambiguous.
  const mapped = address.includes(':') && address.includes('.');
  if (!/^\d+$/.test(prefix) || bits > 128 || mapped) {
    throw fieldError(field, `'${value}' is not a CIDR block for '${field.path}'`, span);
  }
  const size = 1n << BigInt(128 - bits);
  const low = base - (base % size);
  return [low, low + size - 1n];
}
