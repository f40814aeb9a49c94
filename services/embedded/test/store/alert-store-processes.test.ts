import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sampleOutboxEntry } from '@vigie/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteAlertStore } from '../../src/index.js';
import { removeTempStores, tempStore } from './temp-store.js';

afterAll(removeTempStores);

const claimer = fileURLToPath(new URL('./support/outbox-claimer.ts', import.meta.url));

interface Claimer {
  ready: Promise<void>;
  start(): void;
  /** The ids it claimed. */
  done: Promise<string[]>;
}

/** Starts one claimer process; it claims once `start` is called. */
function spawnClaimer(path: string, owner: string, now: number): Claimer {
  const child = spawn(process.execPath, ['--import', 'tsx', claimer, path, owner, String(now)], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let signalReady = () => {};
  const ready = new Promise<void>((resolve) => {
    signalReady = resolve;
  });
  const done = new Promise<string[]>((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.startsWith('ready\n')) signalReady();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolve(JSON.parse(out.slice('ready\n'.length)) as string[]);
      else reject(new Error(`claimer ${owner} exited with ${code}: ${err.slice(0, 2000)}`));
    });
  });
  return { ready, start: () => child.stdin.end('go\n'), done };
}

describe('SqliteAlertStore across processes', () => {
  it('lets three processes on one file drain the outbox: each entry claimed exactly once', async () => {
    const store = tempStore();
    const path = store.db.name;
    const alerts = new SqliteAlertStore(store.db);
    const entries = Array.from({ length: 3000 }, (_, i) =>
      sampleOutboxEntry(i, { id: `pagerduty|entry-${i}` }),
    );
    const now = Math.max(...entries.map((e) => e.nextAttemptAt));
    await alerts.enqueue(entries);
    await store.close();

    const claimers = ['p1', 'p2', 'p3'].map((owner) => spawnClaimer(path, owner, now));
    await Promise.all(claimers.map((c) => c.ready));
    for (const c of claimers) c.start();
    const claims = await Promise.all(claimers.map((c) => c.done));
    const all = claims.flat();
    expect(all).toHaveLength(3000);
    expect(new Set(all).size).toBe(3000);
    // More than one process took part, or the test proved nothing about concurrency.
    expect(claims.filter((ids) => ids.length > 0).length).toBeGreaterThan(1);
  }, 60_000);
});
