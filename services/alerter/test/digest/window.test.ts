import { describe, expect, it } from 'vitest';
import { dueWindows, windowOf } from '../../src/digest/index.js';

const MIN = 60_000;
const T = Date.parse('2026-03-02T10:07:30Z');

describe('digest windows', () => {
  it('are aligned on the epoch, so every alerter cuts the same windows', () => {
    expect(windowOf(T, 5 * MIN)).toEqual({
      start: Date.parse('2026-03-02T10:05:00Z'),
      end: Date.parse('2026-03-02T10:10:00Z'),
    });
    expect(windowOf(Date.parse('2026-03-02T10:05:00Z'), 5 * MIN).start).toBe(
      Date.parse('2026-03-02T10:05:00Z'),
    );
  });

  it('are due once ended for the settle time, back to the lookback, oldest first', () => {
    const at = (iso: string) => Date.parse(`2026-03-02T${iso}Z`);
    const ends = (now: number, lookbackMs: number) =>
      dueWindows(now, 5 * MIN, { settleMs: 5000, lookbackMs }).map((w) =>
        new Date(w.end).toISOString().slice(11, 19),
      );
    expect(ends(at('10:05:04'), 15 * MIN)).toEqual(['09:55:00', '10:00:00']);
    expect(ends(at('10:05:05'), 15 * MIN)).toEqual(['09:55:00', '10:00:00', '10:05:00']);
    expect(ends(at('10:05:05'), 5 * MIN)).toEqual(['10:05:00']);
    expect(dueWindows(at('10:05:05'), 5 * MIN, { settleMs: 5000, lookbackMs: 5 * MIN })).toEqual([
      { start: at('10:00:00'), end: at('10:05:00') },
    ]);
  });
});
