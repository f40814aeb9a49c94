import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseQuery } from '@vigie/common';
import { waitFor } from '@vigie/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/index.js';

const writer = fileURLToPath(new URL('./support/crash-writer.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'vigie-sqlite-crash-'));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('SqliteStore after a SIGKILL during ingest', () => {
  it('keeps every acknowledged event, searchable by its words, in a sound database', async () => {
    const path = join(dir, 'vigie.db');
    const child = spawn(process.execPath, ['--import', 'tsx', writer, path], {
      cwd: repoRoot,
      env: { ...process.env, TSX_TSCONFIG_PATH: join(repoRoot, 'tsconfig.test.json') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let acked = 0;
    let stderr = '';
    let pending = '';
    child.stdout.on('data', (chunk: Buffer) => {
      const lines = (pending + chunk.toString()).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const [, first, count] = line.split(' ').map(Number);
        acked = Math.max(acked, (first as number) + (count as number));
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_c, signal) => resolve(signal)),
    );
    await waitFor(
      'acknowledged events',
      async () => acked,
      (n) => n >= 6_000,
      60_000,
      10,
    ).catch((err: Error) => {
      throw new Error(`${err.message}; writer stderr: ${stderr.slice(0, 2000)}`);
    });
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    const store = new SqliteStore({ path });
    try {
      expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(await store.countLogs()).toBeGreaterThanOrEqual(acked);
      const missing: number[] = [];
      for (let n = 0; n < acked; n++) if ((await store.getLog(`crash-${n}`)) === undefined) missing.push(n);
      expect(missing).toEqual([]);
      // The FTS index committed with the rows: the last acknowledged events are found by their words.
      const scope = { from: 0, to: Date.now() + 86_400_000 * 365 * 10, sort: 'desc' as const, size: 5 };
      for (const n of [0, acked - 200, acked - 1]) {
        const page = await store.search({ ...scope, query: parseQuery(`marker${n}`) });
        expect(page.hits.map((hit) => hit.id)).toEqual([`crash-${n}`]);
      }
      // And it takes writes again.
      const [again] = await store.writeLogs([
        {
          id: 'after-crash',
          event: { '@timestamp': new Date().toISOString(), message: 'back', service: { name: 'x' } },
          partitionTime: Date.now(),
        },
      ]);
      expect(again).toEqual({ status: 'ok' });
    } finally {
      await store.close();
    }
  }, 120_000);
});
