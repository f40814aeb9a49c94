import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { LOG_MIGRATIONS, migrate, openDatabase, SqliteStore } from '../../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'vigie-migrations-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('moves the source fields of logs written before logs-3 into their columns, so their context is found', async () => {
  const path = join(dir, 'vigie.db');
  // A database as the first release left it: the logs-1 and logs-2 schema, logs written then.
  const old = openDatabase(path);
  migrate(old, LOG_MIGRATIONS.slice(0, 2));
  const insert = old.prepare(
    'INSERT INTO logs (id, ts, day, service, level, version, doc) VALUES (?, ?, 0, ?, NULL, NULL, ?)',
  );
  for (let i = 0; i < 5; i++) {
    const event = {
      '@timestamp': new Date(Date.UTC(2026, 10, 28, 12, 0, i)).toISOString(),
      message: `line ${i}`,
      service: { name: 'checkout' },
      host: { name: 'web-1' },
      log: { file: { path: i < 3 ? '/var/log/a.log' : '/var/log/b.log' }, offset: i * 100 },
    };
    insert.run(`id-${i}`, Date.parse(event['@timestamp']), 'checkout', JSON.stringify(event));
  }
  old.close();

  const store = new SqliteStore({ path });
  const columns = store.db
    .prepare<[], { source_file: string | null }>('SELECT source_file FROM logs ORDER BY ts')
    .all()
    .map((row) => row.source_file);
  expect(columns).toEqual([
    '/var/log/a.log',
    '/var/log/a.log',
    '/var/log/a.log',
    '/var/log/b.log',
    '/var/log/b.log',
  ]);
  const context = await store.context('id-1', 5, 5);
  expect(context?.source.kind).toBe('file');
  expect([...(context?.before ?? []), ...(context?.after ?? [])].map((hit) => hit.id).sort()).toEqual([
    'id-0',
    'id-2',
  ]);
  // The query uses the column's index, not a scan of the table.
  const plan = store.db
    .prepare<[string], { detail: string }>('EXPLAIN QUERY PLAN SELECT id FROM logs WHERE source_file = ?')
    .all('/var/log/a.log')
    .map((row) => row.detail)
    .join(' ');
  expect(plan).toContain('logs_source_file');
  await store.close();
});
