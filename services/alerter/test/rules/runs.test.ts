import type { EventHistogram } from '@vigie/common';
import { describe, expect, it } from 'vitest';
import { gridFloor, type RulePoint, slidingCounts, stepOf, trackRuns } from '../../src/rules/index.js';

describe('stepOf', () => {
  it('keeps the step for short windows and widens it so a window is at most 360 steps', () => {
    expect(stepOf(300_000, 10_000)).toBe(10_000);
    expect(stepOf(3_600_000, 10_000)).toBe(10_000);
    expect(stepOf(86_400_000, 10_000)).toBe(240_000);
    expect(86_400_000 / stepOf(86_400_000, 10_000)).toBeLessThanOrEqual(360);
  });
});

describe('slidingCounts', () => {
  it('sums the buckets of each window [t - span, t), as a brute-force count would', () => {
    const step = 10;
    const span = 30;
    const events = [0, 5, 12, 25, 31, 44, 45, 46, 59, 70, 99];
    const first = 40;
    const last = 100;
    const buckets: EventHistogram['buckets'] = [];
    for (let start = first - span; start < last; start += step)
      buckets.push({ start, count: events.filter((t) => t >= start && t < start + step).length, levels: {} });
    const histogram = { buckets, total: 0 };
    const counts = slidingCounts(histogram, first, last, step, span);
    expect(counts.map((c) => c.time)).toEqual([40, 50, 60, 70, 80, 90, 100]);
    for (const { time, count } of counts)
      expect(count, `window ending ${time}`).toBe(events.filter((t) => t >= time - span && t < time).length);
  });

  it('counts missing buckets as empty', () => {
    const histogram = { buckets: [{ start: 20, count: 4, levels: {} }], total: 4 };
    expect(slidingCounts(histogram, 30, 50, 10, 20)).toEqual([
      { time: 30, count: 4 },
      { time: 40, count: 4 },
      { time: 50, count: 0 },
    ]);
  });
});

describe('gridFloor', () => {
  it('aligns to the epoch, so any two evaluators agree on the grid', () => {
    expect(gridFloor(1_234_567, 10_000)).toBe(1_230_000);
    expect(gridFloor(1_230_000, 10_000)).toBe(1_230_000);
  });
});

describe('trackRuns', () => {
  const point = (time: number, holds: boolean): RulePoint => ({
    time,
    count: holds ? 9 : 1,
    holds,
    expected: 5,
    lower: 0,
    upper: 5,
    score: holds ? 1 : 0,
  });

  it('opens on the first point that holds and closes on the first that does not', () => {
    const { run, transitions } = trackRuns(undefined, [
      point(1, false),
      point(2, true),
      point(3, true),
      point(4, false),
      point(5, true),
    ]);
    expect(transitions.map((t) => [t.type, t.run.first.time])).toEqual([
      ['open', 2],
      ['close', 2],
      ['open', 5],
    ]);
    expect(transitions[1]?.type === 'close' && transitions[1].end.time).toBe(4);
    expect(run?.first.time).toBe(5);
    // The still-open run is the object of its open transition.
    expect(transitions[2]?.run).toBe(run);
  });

  it('continues a run given to it without reopening it, and leaves that run unchanged', () => {
    const open = { first: point(1, true), last: point(1, true), sampleEventIds: ['e1'] };
    const { run, transitions } = trackRuns(open, [point(2, true), point(3, true)]);
    expect(transitions).toEqual([]);
    expect(run).toMatchObject({ first: { time: 1 }, last: { time: 3 }, sampleEventIds: ['e1'] });
    expect(open.last.time).toBe(1);
  });
});
