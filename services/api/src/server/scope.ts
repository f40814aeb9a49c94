import type { SearchCursor, SearchScope } from '@vigie/common';
import { parseQuery } from '@vigie/common';
import { BadRequestError, parseRange } from './time.js';

/** `q`, `from`, `to` as received. */
export interface ScopeQuery {
  q?: string;
  from?: string;
  to?: string;
}

/** The parsed query and time range of a request; query errors carry their position. */
export function scopeOf(query: ScopeQuery, now = Date.now()): SearchScope {
  return { query: parseQuery(query.q ?? ''), ...parseRange(query.from, query.to, now) };
}

const MAX_CURSOR_IDS = 5_000;

/** The opaque `search_after` of the API: the store's cursor as base64url JSON. */
export function encodeCursor(cursor: SearchCursor): string {
  return Buffer.from(JSON.stringify([cursor.time, cursor.ids])).toString('base64url');
}

/** Reads a cursor made by `encodeCursor`; anything else is a `BadRequestError`. */
export function decodeCursor(text: string): SearchCursor {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw new BadRequestError('search_after is not a cursor returned by this API');
  }
  if (
    Array.isArray(value) &&
    value.length === 2 &&
    Number.isSafeInteger(value[0]) &&
    Array.isArray(value[1]) &&
    value[1].length <= MAX_CURSOR_IDS &&
    value[1].every((id: unknown) => typeof id === 'string' && id.length <= 512)
  ) {
    return { time: value[0] as number, ids: value[1] as string[] };
  }
  throw new BadRequestError('search_after is not a cursor returned by this API');
}

const LADDER_MS = [
  1_000, 5_000, 10_000, 30_000, 60_000, 300_000, 600_000, 1_800_000, 3_600_000, 10_800_000, 43_200_000,
  86_400_000,
];
const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
/** More buckets than this make a chart no one can read and an aggregation that costs. */
export const MAX_BUCKETS = 2_000;

/**
 * The histogram interval: `auto` takes the first step of the ladder that gives at most
 * 120 buckets (60-120 for most ranges), or `<n>s|m|h|d`.
 */
export function intervalOf(interval: string, range: { from: number; to: number }): number {
  const span = range.to - range.from + 1;
  if (interval === 'auto') {
    return LADDER_MS.find((step) => span / step <= 120) ?? Math.ceil(span / 120 / 86_400_000) * 86_400_000;
  }
  const match = /^(\d{1,6})([smhd])$/.exec(interval);
  const ms = match ? Number(match[1]) * (UNIT_MS[match[2] ?? 's'] ?? 1_000) : 0;
  if (ms <= 0)
    throw new BadRequestError(`interval must be auto or <n>s|m|h|d, not ${JSON.stringify(interval)}`);
  if (span / ms > MAX_BUCKETS)
    throw new BadRequestError(`interval ${interval} gives more than ${MAX_BUCKETS} buckets over this range`);
  return ms;
}
