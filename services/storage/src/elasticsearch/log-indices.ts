import { createHash } from 'node:crypto';

/**
 * Names of the daily log indices. Every log index is `<prefix>-logs-<YYYY.MM.DD>` (the
 * UTC day of the record's partition time) or, for an environment that has a retention
 * override, `<prefix>-logs-env-<segment>-<YYYY.MM.DD>`. Both match the `<prefix>-logs-*`
 * template, so both join the `<prefix>-logs` alias that search reads.
 *
 * `service.environment` is log content, chosen by whoever writes logs: it never becomes
 * part of an index name by itself. Only environments named in the configuration get
 * indices of their own (so the number of indices stays bounded), and their segment is
 * derived from the configured name by `environmentIndexSegment`.
 */

/** One UTC day in milliseconds. */
export const DAY_MS = 24 * 60 * 60 * 1000;

/** Longest readable part of an environment's segment, so index names stay far below 255 bytes. */
const SEGMENT_MAX_CHARS = 40;

/** Start (epoch ms) of the UTC day holding `time`. */
export function utcDayStart(time: number): number {
  return Math.floor(time / DAY_MS) * DAY_MS;
}

/** `YYYY.MM.DD` of the UTC day holding `time`. */
export function dayLabel(time: number): string {
  const date = new Date(time);
  const month = String(date.getUTCMonth() + 1).padStart(2, '0');
  const day = String(date.getUTCDate()).padStart(2, '0');
  return `${date.getUTCFullYear()}.${month}.${day}`;
}

/**
 * The index-name segment of an environment: lower-case ASCII letters, digits and `_`,
 * at most 40 of them, plus `_` and 8 hex digits of the name's SHA-256 whenever the
 * name had to be changed, so that `Staging` and `staging` (or two long names sharing a
 * beginning) never share indices. It holds no `-`, which keeps names parseable.
 */
export function environmentIndexSegment(environment: string): string {
  const readable = environment
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, SEGMENT_MAX_CHARS);
  if (readable === environment && readable.length > 0) return readable;
  const digest = createHash('sha256').update(environment, 'utf8').digest('hex').slice(0, 8);
  return readable.length > 0 ? `${readable}_${digest}` : digest;
}

/** Daily index of a log written at `time` (epoch ms), in UTC; `segment` for an environment's own indices. */
export function logIndexName(prefix: string, time: number, segment?: string): string {
  const day = dayLabel(time);
  return segment === undefined ? `${prefix}-logs-${day}` : `${prefix}-logs-env-${segment}-${day}`;
}

/** What a log index name says: its UTC day and, for an environment's own index, its segment. */
export interface ParsedLogIndex {
  /** Start (epoch ms) of the UTC day. */
  day: number;
  segment?: string;
}

const LOG_INDEX_SUFFIX = /^(?:env-([a-z0-9_]{1,64})-)?(\d{4})\.(\d{2})\.(\d{2})$/;

/**
 * Reads a name made by `logIndexName`; anything else (an index of another prefix that
 * happens to start with this one, a hand-made index) is `undefined` and left alone.
 */
export function parseLogIndexName(prefix: string, name: string): ParsedLogIndex | undefined {
  const head = `${prefix}-logs-`;
  if (!name.startsWith(head)) return undefined;
  const match = LOG_INDEX_SUFFIX.exec(name.slice(head.length));
  if (!match) return undefined;
  const [, segment, year, month, date] = match;
  const day = Date.UTC(Number(year), Number(month) - 1, Number(date));
  // Date.UTC rolls 2026.02.31 over to March: such a name was not made by logIndexName.
  if (dayLabel(day) !== `${year}.${month}.${date}`) return undefined;
  return segment === undefined ? { day } : { day, segment };
}

/**
 * Chooses the index of each log: the environment's own daily index when its exact
 * `service.environment` is configured, the shared daily index otherwise.
 */
export class LogIndexRouter {
  private readonly segments = new Map<string, string>();

  /** `environments`: the configured environment names that get indices of their own. */
  constructor(
    private readonly prefix: string,
    environments: Iterable<string> = [],
  ) {
    for (const name of environments) this.segments.set(name, environmentIndexSegment(name));
  }

  /** The index of a log partitioned at `time` whose `service.environment` is `environment`. */
  indexFor(time: number, environment: unknown): string {
    const segment = typeof environment === 'string' ? this.segments.get(environment) : undefined;
    return logIndexName(this.prefix, time, segment);
  }

  /** The configured environment whose indices carry `segment`, if any. */
  environmentOf(segment: string): string | undefined {
    for (const [name, own] of this.segments) if (own === segment) return name;
    return undefined;
  }
}
