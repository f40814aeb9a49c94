import Database from 'better-sqlite3';
import { registerSqlFunctions } from './sql-functions.js';

/** A better-sqlite3 connection, as every part of the embedded store shares it. */
export type SqliteDatabase = Database.Database;

/** One schema change, applied once and in order; never edit one that has shipped, add another. */
export interface Migration {
  /** Unique and stable, e.g. `logs-1`. */
  id: string;
  sql: string;
}

/**
 * Opens (or creates) the store's database file with the settings every part relies on:
 * WAL so that searches read while the processor writes; `synchronous=NORMAL`, which in WAL
 * mode keeps every committed transaction across a process crash (only a power loss may
 * drop the last ones, and the bus replays those); incremental auto-vacuum so that retention
 * gives disk space back without a full `VACUUM`; and the SQL functions the query
 * translation calls. `:memory:` works too (tests).
 */
export function openDatabase(path: string): SqliteDatabase {
  const db = new Database(path);
  // auto_vacuum only takes effect before the first table is created.
  db.pragma('auto_vacuum = INCREMENTAL');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  registerSqlFunctions(db);
  return db;
}

/** Applies the migrations not applied yet, each in its own transaction; safe on every start. */
export function migrate(db: SqliteDatabase, migrations: readonly Migration[]): void {
  db.exec('CREATE TABLE IF NOT EXISTS migrations (id TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)');
  const applied = db.prepare<[string], { id: string }>('SELECT id FROM migrations WHERE id = ?');
  const record = db.prepare('INSERT INTO migrations (id, applied_at) VALUES (?, ?)');
  for (const migration of migrations) {
    if (applied.get(migration.id)) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      record.run(migration.id, Date.now());
    })();
  }
}
