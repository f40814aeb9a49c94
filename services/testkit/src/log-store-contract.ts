import type { DeadLetter, LogStore, StoredLog } from '@vigie/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleEvent } from './events.js';

const DAY = 24 * 3600 * 1000;

function storedLog(i: number, overrides: Partial<StoredLog> = {}): StoredLog {
  const event = sampleEvent(i);
  return { id: `doc-${i}`, event, partitionTime: Date.parse(event['@timestamp']), ...overrides };
}

/**
 * The behaviour every `LogStore` must have. Each implementation's test file calls it
 * with a factory that returns a fresh, empty store (its own index prefix, database...).
 */
export function describeLogStoreContract(name: string, createStore: () => Promise<LogStore>): void {
  describe(`LogStore contract: ${name}`, () => {
    let store: LogStore;
    beforeAll(async () => {
      store = await createStore();
      await store.healthcheck();
      await store.setup();
      await store.setup(); // setup is safe to repeat
    });
    afterAll(async () => {
      await store.close();
      await store.close(); // close is idempotent
    });

    it('stores events and reads them back as written', async () => {
      const logs = Array.from({ length: 50 }, (_, i) => storedLog(i));
      const outcomes = await store.writeLogs(logs);
      expect(outcomes).toHaveLength(50);
      expect(outcomes.every((o) => o.status === 'ok')).toBe(true);
      await store.refresh();
      expect(await store.countLogs()).toBe(50);
      expect(await store.getLog('doc-7')).toEqual(sampleEvent(7));
      expect(await store.getLog('no-such-doc')).toBeUndefined();
      expect(await store.countLogs({ serviceName: sampleEvent(3).service.name })).toBe(
        logs.filter((l) => l.event.service.name === sampleEvent(3).service.name).length,
      );
    });

    it('replaces a document written again with the same id instead of duplicating it', async () => {
      const before = await store.countLogs();
      const again = storedLog(7, { event: { ...sampleEvent(7), message: 'replayed' } });
      expect(await store.writeLogs([again, storedLog(8)])).toEqual([{ status: 'ok' }, { status: 'ok' }]);
      await store.refresh();
      expect(await store.countLogs()).toBe(before);
      expect((await store.getLog('doc-7'))?.message).toBe('replayed');
    });

    it('keeps events of different days and counts them all', async () => {
      const base = Date.parse(sampleEvent(0)['@timestamp']);
      const before = await store.countLogs();
      const days = [
        storedLog(1000, { partitionTime: base - 3 * DAY }),
        storedLog(1001, { partitionTime: base + DAY }),
      ];
      expect((await store.writeLogs(days)).map((o) => o.status)).toEqual(['ok', 'ok']);
      await store.refresh();
      expect(await store.countLogs()).toBe(before + 2);
    });

    it('accepts thousands of distinct label keys without refusing any document', async () => {
      const logs = Array.from({ length: 300 }, (_, i) => {
        const log = storedLog(2000 + i);
        const labels: Record<string, string> = {};
        for (let k = 0; k < 10; k++) labels[`key_${i}_${k}`] = `value-${k}`;
        log.event = { ...log.event, labels, attributes: { [`field_${i}`]: { nested: i } } };
        return log;
      });
      const before = await store.countLogs();
      const outcomes = await store.writeLogs(logs);
      expect(outcomes.filter((o) => o.status !== 'ok')).toEqual([]);
      await store.refresh();
      expect(await store.countLogs()).toBe(before + 300);
      expect((await store.getLog('doc-2299'))?.labels?.key_299_9).toBe('value-9');
    });

    it('keeps dead letters with their reason and raw input, newest first', async () => {
      const letters: DeadLetter[] = [
        {
          id: 'dl-1',
          timestamp: 1_000,
          reason: 'invalid_json',
          detail: 'Unexpected token',
          original: '{"a":',
          origin: 't/0/1',
        },
        {
          id: 'dl-2',
          timestamp: 2_000,
          reason: 'schema_violation',
          detail: 'service.name',
          original: '{"x":1}',
          origin: 't/0/2',
        },
        {
          id: 'dl-3',
          timestamp: 3_000,
          reason: 'invalid_json',
          detail: 'bad',
          original: '<script>alert(1)</script>',
          origin: 't/1/9',
        },
      ];
      expect((await store.writeDeadLetters(letters)).map((o) => o.status)).toEqual(['ok', 'ok', 'ok']);
      // Writing a dead letter again is idempotent too.
      await store.writeDeadLetters([letters[0] as DeadLetter]);
      await store.refresh();
      const listed = await store.listDeadLetters(10);
      expect(listed.map((l) => l.id)).toEqual(['dl-3', 'dl-2', 'dl-1']);
      expect(listed[0]).toEqual(letters[2]);
      expect(await store.listDeadLetters(1)).toHaveLength(1);
    });

    it('answers an empty batch with no outcomes', async () => {
      expect(await store.writeLogs([])).toEqual([]);
      expect(await store.writeDeadLetters([])).toEqual([]);
    });
  });
}
