import { parseQuery } from '@vigie/common';
import { MemoryStore } from '@vigie/testkit';
import { describe, expect, it } from 'vitest';
import { TailReader } from '../../src/server/tail-reader.js';

const T = Date.UTC(2026, 10, 28, 12);

function write(store: MemoryStore, id: string, at: number, service = 'web') {
  return store.writeLogs([
    {
      id,
      event: { '@timestamp': new Date(at).toISOString(), message: id, service: { name: service } },
      partitionTime: at,
    },
  ]);
}

describe('TailReader', () => {
  it('sends each new matching event once, late arrivals included, nothing from before the start', async () => {
    const store = new MemoryStore();
    await write(store, 'before-start', T - 1);
    const reader = new TailReader(store, { query: parseQuery('service.name:web') }, T, { lateMs: 5_000 });
    expect(await reader.poll(T)).toEqual([]);

    await write(store, 'a', T + 1_000);
    await write(store, 'other', T + 1_000, 'db');
    await write(store, 'b', T + 3_000);
    expect((await reader.poll(T + 3_000)).map((hit) => hit.id)).toEqual(['a', 'b']);
    expect(await reader.poll(T + 3_500)).toEqual([]);

    // Written after b but stamped before it: a slower host, within the late window.
    await write(store, 'late', T + 2_000);
    await write(store, 'next', T + 13_000);
    expect((await reader.poll(T + 14_000)).map((hit) => hit.id)).toEqual(['late', 'next']);
    // More than 5 s behind the newest event sent: too late for this tail.
    await write(store, 'too-late', T + 4_000);
    await write(store, 'last', T + 13_500);
    expect((await reader.poll(T + 15_000)).map((hit) => hit.id)).toEqual(['last']);
  });

  it('moves forward through a burst larger than one poll reads, without repeats', async () => {
    const store = new MemoryStore();
    const reader = new TailReader(store, { query: parseQuery('') }, T, { pageSize: 10, maxPages: 2 });
    for (let i = 0; i < 55; i++) await write(store, `e-${String(i).padStart(2, '0')}`, T + i);
    const seen: string[] = [];
    for (let poll = 0; poll < 5; poll++) seen.push(...(await reader.poll(T + 100)).map((hit) => hit.id));
    expect(seen).toHaveLength(55);
    expect(new Set(seen).size).toBe(55);
  });
});
