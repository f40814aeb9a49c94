import type { StoredLog } from '@vigie/common';
import { parseQuery } from '@vigie/common';
import { sampleEvent } from '@vigie/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import type { SqliteStore } from '../../src/index.js';
import { usedBytes } from '../../src/index.js';
import { removeTempStores, tempStore } from './temp-store.js';

const DAY = 86_400_000;
const TODAY = Date.UTC(2026, 10, 28);
const NOW = TODAY + 15 * 3_600_000;

/** `count` events of the day starting at `day`, with a message long enough to weigh on the file. */
function logsOfDay(day: number, count: number, padding = 0): StoredLog[] {
  return Array.from({ length: count }, (_, i) => {
    const event = sampleEvent(i, day + 3_600_000);
    event.message = `${event.message} ${'lorem ipsum dolor sit amet '.repeat(padding)}day${day / DAY}`;
    return { id: `d${day / DAY}-${i}`, event, partitionTime: day };
  });
}

describe('SqliteStore retention', () => {
  let store: SqliteStore;
  afterEach(async () => {
    await store.close();
    removeTempStores();
  });

  it('deletes the days entirely older than the maximum age, words and dead letters included', async () => {
    store = tempStore();
    for (const ago of [0, 1, 2, 3, 6]) await store.writeLogs(logsOfDay(TODAY - ago * DAY, 20));
    await store.writeDeadLetters([
      {
        id: 'old',
        timestamp: NOW - 5 * DAY,
        reason: 'invalid_json',
        detail: '',
        original: '{',
        origin: 't/0/1',
      },
      { id: 'new', timestamp: NOW - DAY, reason: 'invalid_json', detail: '', original: '{', origin: 't/0/2' },
    ]);
    const result = store.applyRetention({ maxAgeDays: 2 }, NOW);
    // Kept: today, yesterday and the day before (it still holds events younger than 2 days).
    expect(result.deletedDays).toEqual([TODAY - 6 * DAY, TODAY - 3 * DAY]);
    expect(result.deletedEvents).toBe(40);
    expect(result.deletedDeadLetters).toBe(1);
    expect(await store.countLogs()).toBe(60);
    expect((await store.listDeadLetters(10)).map((l) => l.id)).toEqual(['new']);
    // The FTS index forgot the deleted events too.
    const all = { from: 0, to: NOW + DAY, sort: 'desc' as const, size: 10 };
    expect(
      (await store.search({ ...all, query: parseQuery(`day${(TODAY - 6 * DAY) / DAY}`) })).total.value,
    ).toBe(0);
    expect((await store.search({ ...all, query: parseQuery(`day${TODAY / DAY}`) })).total.value).toBe(20);
    expect(store.applyRetention({ maxAgeDays: 2 }, NOW).deletedDays).toEqual([]);
  });

  it('deletes the oldest days until the database fits its size, and gives the space back', async () => {
    store = tempStore();
    for (let ago = 5; ago >= 0; ago--) await store.writeLogs(logsOfDay(TODAY - ago * DAY, 400, 10));
    const before = usedBytes(store.db);
    const pageCount = () => store.db.pragma('page_count', { simple: true }) as number;
    const pagesBefore = pageCount();
    const limit = Math.floor(before / 2);
    const result = store.applyRetention({ maxBytes: limit }, NOW);
    expect(result.usedBytes).toBeLessThanOrEqual(limit);
    expect(result.deletedDays[0]).toBe(TODAY - 5 * DAY);
    expect(result.deletedDays.length).toBeGreaterThanOrEqual(3);
    expect(result.deletedDays.length).toBeLessThan(6);
    // Oldest first: what is left is the most recent days, whole.
    const left = await store.countLogs();
    expect(left).toBe((6 - result.deletedDays.length) * 400);
    expect(await store.getLog(`d${TODAY / DAY}-0`)).toBeDefined();
    // Incremental vacuum shrank the file, not just the used pages.
    expect(pageCount()).toBeLessThan(pagesBefore);
  });

  it('always keeps the newest day, even when it alone is over the size', async () => {
    store = tempStore();
    await store.writeLogs(logsOfDay(TODAY - DAY, 50, 10));
    await store.writeLogs(logsOfDay(TODAY, 50, 10));
    const result = store.applyRetention({ maxBytes: 1 }, NOW);
    expect(result.deletedDays).toEqual([TODAY - DAY]);
    expect(await store.countLogs()).toBe(50);
  });

  it('runs periodically until the store closes', async () => {
    store = tempStore();
    await store.writeLogs(logsOfDay(Date.now() - 10 * DAY - (Date.now() % DAY), 10));
    const outcomes: Array<{ deleted?: number; error?: unknown }> = [];
    store.startRetention(
      { maxAgeDays: 3 },
      (o) => outcomes.push({ deleted: o.result?.deletedEvents, error: o.error }),
      20,
    );
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(outcomes.length).toBeGreaterThanOrEqual(2);
    expect(outcomes[0]).toEqual({ deleted: 10, error: undefined });
    expect(await store.countLogs()).toBe(0);
    await store.close();
    const count = outcomes.length;
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(outcomes.length).toBe(count);
  });
});
