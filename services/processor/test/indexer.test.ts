import { createRegistry } from '@vigie/common';
import { MemoryStore, metricValue, sampleEvent, testLogger } from '@vigie/testkit';
import { describe, expect, it } from 'vitest';
import { createProcessorMetrics, Indexer, prepareBatch } from '../src/index.js';

function setup(store: MemoryStore) {
  const registry = createRegistry();
  const metrics = createProcessorMetrics(registry);
  const indexer = new Indexer({ store, metrics, logger: testLogger(), retryMinMs: 1, retryMaxMs: 5 });
  return { indexer, metrics, registry };
}

function batchOf(count: number, extra: string[] = []) {
  const values = [...Array.from({ length: count }, (_, i) => JSON.stringify(sampleEvent(i))), ...extra];
  return prepareBatch({
    topic: 't',
    partition: 0,
    records: values.map((v, i) => ({
      key: null,
      value: Buffer.from(v),
      timestamp: Date.UTC(2026, 10, 28),
      offset: String(i),
    })),
  });
}

const metric = metricValue;

describe('Indexer', () => {
  it('waits through a storage outage and then stores everything', async () => {
    const store = new MemoryStore({ unavailableWrites: 4 });
    const { indexer, registry } = setup(store);
    await indexer.write(batchOf(20), new AbortController().signal);
    expect(store.logs.size).toBe(20);
    expect(store.writeRequests).toBe(5);
    expect(await metric(registry, 'vigie_storage_retries_total', { kind: 'unavailable' })).toBe(4);
    expect(await metric(registry, 'vigie_events_indexed_total')).toBe(20);
  });

  it('sends again only the documents answered with a transient failure', async () => {
    const store = new MemoryStore({
      retryTimes: new Map([
        ['t-0-3', 2],
        ['t-0-5', 1],
      ]),
    });
    const { indexer, registry } = setup(store);
    await indexer.write(batchOf(10), new AbortController().signal);
    expect(store.logs.size).toBe(10);
    expect(store.writeRequests).toBe(3);
    expect(await metric(registry, 'vigie_storage_retries_total', { kind: 'item' })).toBe(2);
  });

  it('dead-letters refused documents with the storage reason and the raw record, and stores the rest', async () => {
    const store = new MemoryStore({
      reject: new Map([['t-0-4', 'document_parsing_exception: object mapping for [labels.team]']]),
    });
    const { indexer, registry } = setup(store);
    await indexer.write(batchOf(10, ['not json']), new AbortController().signal);
    expect(store.logs.size).toBe(9);
    expect(store.logs.has('t-0-4')).toBe(false);
    const letters = [...store.deadLetters.values()].sort((a, b) => a.id.localeCompare(b.id));
    expect(letters.map((l) => [l.id, l.reason])).toEqual([
      ['t-0-10', 'invalid_json'],
      ['t-0-4', 'mapping_rejected'],
    ]);
    expect(letters[1]?.detail).toContain('document_parsing_exception');
    expect(JSON.parse(letters[1]?.original ?? '')).toEqual(sampleEvent(4));
    expect(await metric(registry, 'vigie_dead_lettered_total', { reason: 'mapping_rejected' })).toBe(1);
    expect(await metric(registry, 'vigie_events_indexed_total')).toBe(9);
  });

  it('gives up a batch when its signal aborts, without acknowledging it', async () => {
    const store = new MemoryStore({ unavailableWrites: Number.POSITIVE_INFINITY });
    const { indexer } = setup(store);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('partition revoked')), 50);
    await expect(indexer.write(batchOf(5), controller.signal)).rejects.toThrow('partition revoked');
    expect(store.logs.size).toBe(0);
  });

  it('never acknowledges a batch whose dead letters are refused', async () => {
    const store = new MemoryStore({ reject: new Map([['t-0-2', 'broken']]) });
    store.writeDeadLetters = async (letters) =>
      letters.map(() => ({ status: 'rejected', reason: 'dead-letter mapping broken' }));
    const { indexer } = setup(store);
    await expect(indexer.write(batchOf(3), new AbortController().signal)).rejects.toThrow(
      /Dead letter t-0-2 refused/,
    );
  });
});
