import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../src/index.js';

const dirs: string[] = [];

/** A store on a fresh database file in its own temporary directory (WAL and all, as in production). */
export function tempStore(options: { logWriterThread?: boolean } = {}): SqliteStore {
  const dir = mkdtempSync(join(tmpdir(), 'vigie-sqlite-'));
  dirs.push(dir);
  return new SqliteStore({ path: join(dir, 'vigie.db'), ...options });
}

/** Deletes the temporary directories of the stores made so far. */
export function removeTempStores(): void {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}
