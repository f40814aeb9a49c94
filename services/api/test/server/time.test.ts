import { describe, expect, it } from 'vitest';
import { BadRequestError, parseRange, parseTime } from '../../src/index.js';
import { intervalOf } from '../../src/server/scope.js';

const NOW = Date.parse('2026-11-28T18:47:12.345Z');

describe('parseTime', () => {
  it.each([
    ['now', '2026-11-28T18:47:12.345Z'],
    ['now-15m', '2026-11-28T18:32:12.345Z'],
    ['now-1h', '2026-11-28T17:47:12.345Z'],
    ['now-7d', '2026-11-21T18:47:12.345Z'],
    ['now-1M', '2026-10-28T18:47:12.345Z'],
    ['now-1d+2h', '2026-11-27T20:47:12.345Z'],
    ['now/d', '2026-11-28T00:00:00.000Z'],
    ['now-1h/h', '2026-11-28T17:00:00.000Z'],
    ['now/w', '2026-11-23T00:00:00.000Z'],
    ['now/M', '2026-11-01T00:00:00.000Z'],
    ['now/y', '2026-01-01T00:00:00.000Z'],
    ['2026-11-28T10:00:00Z', '2026-11-28T10:00:00.000Z'],
    ['2026-11-28T10:00:00+02:00', '2026-11-28T08:00:00.000Z'],
    ['2026-11-28T10:00:00', '2026-11-28T10:00:00.000Z'],
    ['2026-11-28', '2026-11-28T00:00:00.000Z'],
    ['1764355632345', '2025-11-28T18:47:12.345Z'],
  ])('%s', (text, iso) => {
    expect(new Date(parseTime(text, NOW, 'from')).toISOString()).toBe(iso);
  });

  it('rounds the end of a range up to the end of the unit', () => {
    expect(new Date(parseTime('now/d', NOW, 'to', true)).toISOString()).toBe('2026-11-28T23:59:59.999Z');
    expect(parseRange('now/d', 'now/d', NOW).to - parseRange('now/d', 'now/d', NOW).from).toBe(
      86_400_000 - 1,
    );
  });

  it.each(['yesterday', 'now-', 'now-5x', 'now/q', '2026-13-45', 'now-15m; drop', ''])(
    'refuses %j',
    (text) => {
      expect(() => parseTime(text, NOW, 'from')).toThrow(BadRequestError);
    },
  );

  it('defaults to the last 15 minutes and refuses a reversed range', () => {
    expect(parseRange(undefined, undefined, NOW)).toEqual({ from: NOW - 900_000, to: NOW });
    expect(() => parseRange('now', 'now-1h', NOW)).toThrow(/from must not be after to/);
  });
});

describe('intervalOf', () => {
  it.each([
    [60_000, 1_000],
    [900_000, 10_000],
    [3_600_000, 30_000],
    [3_600_001, 60_000],
    [86_400_000, 900_000 * 2],
    [7 * 86_400_000, 10_800_000],
    [90 * 86_400_000, 86_400_000],
  ])('auto over %d ms is %d ms', (span, interval) => {
    expect(intervalOf('auto', { from: 0, to: span - 1 })).toBe(interval);
  });

  it('takes an explicit interval, within the bucket limit', () => {
    expect(intervalOf('5m', { from: 0, to: 3_600_000 })).toBe(300_000);
    expect(() => intervalOf('1s', { from: 0, to: 7 * 86_400_000 })).toThrow(BadRequestError);
    expect(() => intervalOf('5 minutes', { from: 0, to: 1000 })).toThrow(BadRequestError);
  });
});
