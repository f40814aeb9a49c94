import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UnavailableError } from '@vigie/common';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/index.js';
import { toLogRow } from '../../src/store/log-rows.js';
import { LogWriterThread } from '../../src/store/writer/thread.js';

// Each test starts a thread; from TypeScript sources it loads tsx first, which takes seconds on a busy machine.
const dir = mkdtempSync(join(tmpdir(), 'vigie-writer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const log = (id: string, timestamp = '2026-11-28T12:00:00.000Z') => ({
  id,
  event: { '@timestamp': timestamp, message: `checkout ${id} failed`, service: { name: 'checkout' } },
  partitionTime: Date.parse('2026-11-28T12:00:00.000Z'),
});

describe('LogWriterThread', () => {
  it('fails a write as unavailable when its thread cannot open the database, and starts afresh on the next one', async () => {
    const folder = join(dir, 'not-yet');
    const path = join(folder, 'vigie.db');
    const writer = new LogWriterThread(path);
    await expect(writer.write([toLogRow(log('a'))])).rejects.toBeInstanceOf(UnavailableError);
    // The folder appears (and the store creates the tables): the next write gets a new thread.
    mkdirSync(folder);
    const store = new SqliteStore({ path, logWriterThread: false });
    expect(await writer.write([toLogRow(log('a'))])).toEqual([{ status: 'ok' }]);
    await writer.close();
    expect(await store.countLogs()).toBe(1);
    await store.close();
  }, 30_000);

  it('keeps the order and the outcome of every log of a batch, a rejected one included', async () => {
    const store = new SqliteStore({ path: join(dir, 'order.db'), logWriterThread: true });
    const outcomes = await store.writeLogs([log('x'), log('bad', 'yesterday'), log('y')]);
    expect(outcomes.map((o) => o.status)).toEqual(['ok', 'rejected', 'ok']);
    expect(await store.countLogs()).toBe(2);
    await store.close();
    await expect(store.writeLogs([log('z')])).rejects.toBeInstanceOf(UnavailableError);
  }, 30_000);
});
