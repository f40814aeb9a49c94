import { describe, expect, it } from 'vitest';
import { readTimestamp } from '../../src/parse/timestamp.js';

const RECEIVED = Date.UTC(2026, 10, 28, 12, 30); // 2026-11-28T12:30:00Z

const iso = (value: unknown, receivedAt = RECEIVED): string | undefined => {
  const result = readTimestamp(value, receivedAt);
  return result.ok ? new Date(result.ms).toISOString() : undefined;
};

describe('readTimestamp', () => {
  it.each([
    ['2026-11-28T12:00:00Z', '2026-11-28T12:00:00.000Z'],
    ['2026-11-28T12:00:00.123456789Z', '2026-11-28T12:00:00.123Z'],
    ['2026-11-28T13:00:00+01:00', '2026-11-28T12:00:00.000Z'],
    ['2026-11-28T06:30:00-0530', '2026-11-28T12:00:00.000Z'],
    ['2026-11-28T14:00:00+02', '2026-11-28T12:00:00.000Z'],
    ['2026-11-28 12:00:00,250', '2026-11-28T12:00:00.250Z'],
    ['2026/11/28 12:00:00', '2026-11-28T12:00:00.000Z'],
    ['2026-11-28 13:00:01 +01:00', '2026-11-28T12:00:01.000Z'],
    ['2026-11-28T12:00', '2026-11-28T12:00:00.000Z'],
    ['28/Nov/2026:13:00:00 +0100', '2026-11-28T12:00:00.000Z'],
    ['[28/Nov/2026:07:00:00 -0500]', '2026-11-28T12:00:00.000Z'],
    ['Sat, 28 Nov 2026 12:00:00 GMT', '2026-11-28T12:00:00.000Z'],
  ])('reads the text %s with its zone', (text, expected) => {
    expect(iso(text)).toBe(expected);
  });

  it.each([
    [1795867200, 'seconds'],
    [1795867200.5, 'fractional seconds'],
    [1795867200000, 'milliseconds'],
    [1795867200000000, 'microseconds'],
    [1795867200000000000, 'nanoseconds'],
    ['1795867200000', 'milliseconds as text'],
    ['1795867200000000000', 'nanoseconds as text'],
  ])('reads epoch %s (%s)', (value, _unit) => {
    expect(iso(value)?.slice(0, 19)).toBe('2026-11-28T12:00:00');
  });

  it('places a syslog time without a year in the year closest to reception', () => {
    expect(iso('Nov 28 12:00:00')).toBe('2026-11-28T12:00:00.000Z');
    expect(iso('Nov  3 08:00:00')).toBe('2026-11-03T08:00:00.000Z');
    // Read on January 1st, a December 31st line belongs to the previous year.
    expect(iso('Dec 31 23:59:59', Date.UTC(2027, 0, 1, 0, 0, 5))).toBe('2026-12-31T23:59:59.000Z');
    // Read on December 31st, a January 1st line (clock ahead by minutes) is next year.
    expect(iso('Jan  1 00:00:10', Date.UTC(2026, 11, 31, 23, 59, 50))).toBe('2027-01-01T00:00:10.000Z');
    // A day too far ahead this year means last year.
    expect(iso('Nov 30 12:00:00')).toBe('2025-11-30T12:00:00.000Z');
  });

  it('accepts up to a day of clock skew and refuses more', () => {
    expect(iso('2026-11-29T12:00:00Z')).toBe('2026-11-29T12:00:00.000Z');
    expect(readTimestamp('2026-11-29T12:30:01Z', RECEIVED)).toEqual({
      ok: false,
      reason: 'more than a day in the future',
    });
  });

  it.each([
    ['1999-12-31T23:59:59Z', 'before 2000'],
    [0, 'before 2000'],
    ['not a time', 'unreadable'],
    ['2026-02-30T00:00:00Z', 'unreadable'],
    ['2026-11-28T25:00:00Z', 'unreadable'],
    ['2026-11-28T12:00:00+25:00', 'unreadable'],
    ['28/Foo/2026:12:00:00 +0000', 'unreadable'],
    [{ $date: 1 }, 'unreadable'],
    [Number.NaN, 'unreadable'],
    [-5, 'unreadable'],
    ['', 'unreadable'],
    ['2026-11-28T12:00:00', 'ok'],
  ])('%j is %s', (value, reason) => {
    const result = readTimestamp(value, RECEIVED);
    expect(result.ok ? 'ok' : result.reason).toBe(reason);
  });

  it('reads a time without a zone as UTC whatever the zone of the collector', () => {
    expect(iso('2026-11-28T12:00:00')).toBe('2026-11-28T12:00:00.000Z');
    expect(iso('Nov 28 12:00:00')).toBe('2026-11-28T12:00:00.000Z');
  });
});
