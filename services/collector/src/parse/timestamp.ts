/**
 * Timestamps as loggers write them: ISO 8601 / RFC 3339 (with or without a zone),
 * epoch seconds, milliseconds, microseconds or nanoseconds, Apache's
 * `28/Nov/2026:12:00:00 +0100` and syslog's `Nov 28 12:00:00` (no year, no zone).
 * Times written without a zone are read as UTC: the collector cannot know the writer's
 * zone, and UTC keeps the result independent of the collector's own settings.
 */

/** Regular expressions of this module, exported so a test can check them for ReDoS. */
export const TIMESTAMP_PATTERNS = {
  iso: /^(\d{4})[-/](\d{2})[-/](\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)? ?(Z|z|UTC|[+-]\d{2}(?::?\d{2})?)?$/,
  apache: /^\[?(\d{1,2})\/([A-Z][a-z]{2})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-]\d{2}):?(\d{2})\]?$/,
  syslog: /^([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/,
  epoch: /^\d{9,19}(?:\.\d{1,9})?$/,
  zonedText: /(?:GMT|UTC|[+-]\d{2}:?\d{2})$/,
} as const;

const MONTHS: Record<string, number> = {
  Jan: 0,
  Feb: 1,
  Mar: 2,
  Apr: 3,
  May: 4,
  Jun: 5,
  Jul: 6,
  Aug: 7,
  Sep: 8,
  Oct: 9,
  Nov: 10,
  Dec: 11,
};

const DAY_MS = 86_400_000;
/** Anything earlier is a clock that was never set, or a field that is not a time. */
export const EARLIEST_PLAUSIBLE = Date.UTC(2000, 0, 1);

/** Outcome of reading a timestamp: epoch ms, or why it cannot be used. */
export type TimestampResult = { ok: true; ms: number } | { ok: false; reason: string };

/**
 * Reads a timestamp field. `receivedAt` (epoch ms) bounds what is plausible: at most one
 * day ahead of it (clock skew), and not before 2000.
 */
export function readTimestamp(value: unknown, receivedAt: number): TimestampResult {
  const ms = toEpochMs(value, receivedAt);
  if (ms === undefined || !Number.isFinite(ms)) return { ok: false, reason: 'unreadable' };
  if (ms < EARLIEST_PLAUSIBLE) return { ok: false, reason: 'before 2000' };
  if (ms > receivedAt + DAY_MS) return { ok: false, reason: 'more than a day in the future' };
  return { ok: true, ms };
}

function toEpochMs(value: unknown, receivedAt: number): number | undefined {
  if (typeof value === 'number') return fromEpoch(value);
  if (typeof value === 'bigint') return fromEpoch(Number(value));
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (text.length === 0 || text.length > 64) return undefined;
  if (TIMESTAMP_PATTERNS.epoch.test(text)) return fromEpoch(Number(text));
  return parseIso(text) ?? parseApache(text) ?? parseSyslogTime(text, receivedAt) ?? parseZonedText(text);
}

/**
 * Epoch numbers by magnitude: seconds below 1e11 (zap's float `ts`), then milliseconds,
 * microseconds and nanoseconds. Each range starts well past year 2000 in its unit.
 */
export function fromEpoch(n: number): number | undefined {
  if (!Number.isFinite(n) || n < 0) return undefined;
  if (n < 1e11) return n * 1000;
  if (n < 1e14) return n;
  if (n < 1e17) return n / 1000;
  return n / 1e6;
}

/** ISO 8601 / RFC 3339, also `2026-11-28 12:00:00,123` (log4j, Python) and `2026/11/28`. */
export function parseIso(text: string): number | undefined {
  const m = TIMESTAMP_PATTERNS.iso.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const fractionMs = frac ? Number(`0.${frac}`) * 1000 : 0;
  return build(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? 0), fractionMs, zone);
}

/** Apache / nginx `$time_local`: `28/Nov/2026:12:00:00 +0100`, brackets optional. */
export function parseApache(text: string): number | undefined {
  const m = TIMESTAMP_PATTERNS.apache.exec(text);
  if (!m) return undefined;
  const [, d, mon, y, h, mi, s, zh, zm] = m;
  const month = MONTHS[mon as string];
  if (month === undefined) return undefined;
  return build(Number(y), month, Number(d), Number(h), Number(mi), Number(s), 0, `${zh}:${zm}`);
}

/**
 * RFC 3164 time (`Nov 28 12:00:00`), which has no year: the year chosen is the one that
 * puts the time closest to `receivedAt` without being more than a day ahead of it, so a
 * December line read in January lands in the previous year.
 */
export function parseSyslogTime(text: string, receivedAt: number): number | undefined {
  const m = TIMESTAMP_PATTERNS.syslog.exec(text);
  if (!m) return undefined;
  const [, mon, d, h, mi, s, frac] = m;
  const month = MONTHS[mon as string];
  if (month === undefined) return undefined;
  const year = new Date(receivedAt).getUTCFullYear();
  const fractionMs = frac ? Number(`0.${frac}`) * 1000 : 0;
  let best: number | undefined;
  for (const candidate of [year - 1, year, year + 1]) {
    const ms = build(candidate, month, Number(d), Number(h), Number(mi), Number(s), fractionMs, undefined);
    if (ms === undefined || ms > receivedAt + DAY_MS) continue;
    if (best === undefined || Math.abs(ms - receivedAt) < Math.abs(best - receivedAt)) best = ms;
  }
  return best;
}

// Only texts that state their zone go to Date.parse: without one it would use the
// collector's local zone and the result would depend on where Vigie runs.
function parseZonedText(text: string): number | undefined {
  if (!TIMESTAMP_PATTERNS.zonedText.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : undefined;
}

function build(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  fractionMs: number,
  zone: string | undefined,
): number | undefined {
  if (month < 0 || month > 11 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    return undefined;
  }
  const base = Date.UTC(year, month, day, hour, minute, Math.min(second, 59));
  // Date.UTC rolls 31 Feb over to March: a date that does not exist is refused instead.
  if (new Date(base).getUTCDate() !== day) return undefined;
  const offset = zoneOffsetMinutes(zone);
  if (offset === undefined) return undefined;
  return base + Math.floor(fractionMs) - offset * 60_000;
}

function zoneOffsetMinutes(zone: string | undefined): number | undefined {
  if (zone === undefined || zone === 'Z' || zone === 'z' || zone === 'UTC') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  if (hours > 23 || minutes > 59) return undefined;
  return sign * (hours * 60 + minutes);
}
