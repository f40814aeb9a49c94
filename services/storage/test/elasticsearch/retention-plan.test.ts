import { describe, expect, it } from 'vitest';
import { DAY_MS, logIndexName } from '../../src/elasticsearch/log-indices.js';
import {
  type LogIndexStats,
  longestMaxAgeDays,
  planLogRetention,
} from '../../src/elasticsearch/retention-plan.js';

const NOW = Date.UTC(2026, 10, 28, 12);
const TODAY = Date.UTC(2026, 10, 28);

function days(count: number, bytes: number, environment?: string): LogIndexStats[] {
  return Array.from({ length: count }, (_, ago) => ({
    index: logIndexName('p', TODAY - ago * DAY_MS, environment),
    day: TODAY - ago * DAY_MS,
    bytes,
    ...(environment !== undefined && { environment }),
  }));
}

const daysAgo = (index: { day: number }) => (TODAY - index.day) / DAY_MS;

describe('planLogRetention', () => {
  it('deletes the days entirely older than maxAgeDays, and nothing else', () => {
    const plan = planLogRetention(days(40, 10), { maxAgeDays: 30, environments: {} }, NOW);
    // With 30 days kept, the day 30 days ago ended 29.5 days before now: it stays.
    expect(plan.map(daysAgo)).toEqual([39, 38, 37, 36, 35, 34, 33, 32, 31]);
    expect(plan.every((index) => index.reason === 'max_age')).toBe(true);
  });

  it("applies an environment's own maxAgeDays to its indices only", () => {
    const indices = [...days(40, 10), ...days(40, 10, 'staging')];
    const plan = planLogRetention(
      indices,
      { maxAgeDays: 30, environments: { staging: { maxAgeDays: 7 } } },
      NOW,
    );
    expect(plan.filter((index) => index.environment === 'staging').map(daysAgo)).toHaveLength(40 - 8);
    expect(plan.filter((index) => index.environment === undefined)).toHaveLength(9);
  });

  it('deletes the oldest days until the total is under maxBytes, never today', () => {
    const plan = planLogRetention(days(10, 100), { maxAgeDays: 30, maxBytes: 450, environments: {} }, NOW);
    expect(plan.map(daysAgo)).toEqual([9, 8, 7, 6, 5, 4]);
    expect(plan.every((index) => index.reason === 'max_bytes')).toBe(true);
    const tiny = planLogRetention(days(3, 100), { maxAgeDays: 30, maxBytes: 1, environments: {} }, NOW);
    expect(tiny.map(daysAgo)).toEqual([2, 1]);
  });

  it('keeps an index dated after today (a clock ahead) whatever the size', () => {
    const future = { index: logIndexName('p', TODAY + DAY_MS), day: TODAY + DAY_MS, bytes: 1000 };
    const plan = planLogRetention(
      [future, ...days(2, 100)],
      { maxAgeDays: 30, maxBytes: 1, environments: {} },
      NOW,
    );
    expect(plan.map(daysAgo)).toEqual([1]);
  });

  it("applies an environment's maxBytes to its own indices before the total", () => {
    const indices = [...days(5, 100), ...days(5, 100, 'staging')];
    const plan = planLogRetention(
      indices,
      { maxAgeDays: 30, maxBytes: 600, environments: { staging: { maxBytes: 250 } } },
      NOW,
    );
    const staging = plan.filter((index) => index.reason === 'environment_max_bytes');
    expect(staging.map(daysAgo)).toEqual([4, 3, 2]);
    expect(staging.every((index) => index.environment === 'staging')).toBe(true);
    // 700 bytes left, over 600: the oldest remaining day (of the shared indices) goes.
    const shared = plan.filter((index) => index.reason === 'max_bytes');
    expect(shared.map((index) => [daysAgo(index), index.environment])).toEqual([[4, undefined]]);
  });

  it('keeps detection records as long as the logs kept longest', () => {
    expect(longestMaxAgeDays({ maxAgeDays: 30, environments: { a: { maxAgeDays: 90 }, b: {} } })).toBe(90);
    expect(longestMaxAgeDays({ maxAgeDays: 30, environments: { a: { maxAgeDays: 7 } } })).toBe(30);
  });
});
