import { VigieError } from '@vigie/common';

/**
 * Time expressions of the API: ISO 8601, epoch milliseconds, or Elasticsearch-style date
 * math relative to now (`now`, `now-15m`, `now-1h/h`, `now/d`, `now-7d+2h`). Units: s, m,
 * h, d, w, M (month), y; `/unit` rounds down to the start of that unit in UTC (or up to
 * its end for the end of a range, as Elasticsearch does). Written here rather than taken
 * from @elastic/datemath, which needs moment.js for what is a 40-line grammar.
 */

/** A parameter the API cannot understand: answered with 400. */
export class BadRequestError extends VigieError {
  constructor(message: string) {
    super('VIGIE_ERR_BAD_REQUEST', message, { httpStatus: 400 });
    this.name = 'BadRequestError';
  }
}

const UNITS = 'smhdwMy';
const STEP_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const MATH = /^now((?:[+-]\d{1,9}[smhdwMy])*)(?:\/([smhdwMy]))?$/;

function addUnits(time: number, amount: number, unit: string): number {
  const step = STEP_MS[unit];
  if (step !== undefined) return time + amount * step;
  const date = new Date(time);
  if (unit === 'M') date.setUTCMonth(date.getUTCMonth() + amount);
  else date.setUTCFullYear(date.getUTCFullYear() + amount);
  return date.getTime();
}

function roundDown(time: number, unit: string): number {
  const d = new Date(time);
  switch (unit) {
    case 's':
      return Math.floor(time / 1000) * 1000;
    case 'm':
      return Math.floor(time / 60_000) * 60_000;
    case 'h':
      return Math.floor(time / 3_600_000) * 3_600_000;
    case 'd':
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
    case 'w': {
      // ISO weeks start on Monday.
      const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
      return day - ((d.getUTCDay() + 6) % 7) * 86_400_000;
    }
    case 'M':
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
    default:
      return Date.UTC(d.getUTCFullYear(), 0, 1);
  }
}

/**
 * Epoch ms of a time expression. `end` rounds `/unit` up to the last millisecond of the
 * unit, so `from=now/d&to=now/d` is today. Throws a `BadRequestError` naming `name`.
 */
export function parseTime(text: string, now: number, name: string, end = false): number {
  const value = text.trim();
  if (/^\d{1,15}$/.test(value)) return Number(value);
  const math = MATH.exec(value);
  if (math) {
    let time = now;
    for (const [, sign, amount, unit] of (math[1] ?? '').matchAll(/([+-])(\d+)([smhdwMy])/g)) {
      time = addUnits(time, (sign === '-' ? -1 : 1) * Number(amount), unit ?? 's');
    }
    const round = math[2];
    if (round !== undefined) {
      time = roundDown(time, round);
      if (end) time = addUnits(time, 1, round) - 1;
    }
    if (!Number.isFinite(time)) throw new BadRequestError(`${name} is out of range: ${value}`);
    return time;
  }
  // ISO 8601 with a date at least; a zoneless time is read as UTC, like the query language.
  if (/^\d{4}-\d{2}-\d{2}([T ][\d:.]+)?(Z|[+-]\d{2}:?\d{2})?$/.test(value)) {
    const zoned = /(Z|[+-]\d{2}:?\d{2})$/.test(value) || value.length === 10 ? value : `${value}Z`;
    const time = Date.parse(zoned);
    if (!Number.isNaN(time)) return time;
  }
  throw new BadRequestError(
    `${name} must be ISO 8601, epoch milliseconds or relative to now such as now-15m or now/d (units ${UNITS}): ${JSON.stringify(value.slice(0, 100))}`,
  );
}

/** The `from`/`to` of a request, defaulting to the last 15 minutes; `from` must not be after `to`. */
export function parseRange(
  from: string | undefined,
  to: string | undefined,
  now: number,
): { from: number; to: number } {
  const range = {
    from: parseTime(from ?? 'now-15m', now, 'from'),
    to: parseTime(to ?? 'now', now, 'to', true),
  };
  if (range.from > range.to) throw new BadRequestError('from must not be after to');
  return range;
}
