import type { DeadLetter, LogEvent, StoredLog, WriteOutcome } from '@vigie/common';
import { summarizeError, tokens, UnavailableError } from '@vigie/common';
import type { SqliteDatabase } from './database.js';
import { type LogRow, toLogRow } from './log-rows.js';

interface DeadLetterRow {
  id: string;
  ts: number;
  reason: string;
  detail: string;
  original: string;
  origin: string;
}

/** The words of a text field as the FTS table stores them (see log-schema.ts). */
const words = (text: string | undefined) => (text === undefined ? '' : tokens(text).join(' '));

/**
 * The write side of the log store: one transaction per batch (so a batch costs one fsync
 * of the WAL, not one per event), idempotent by id: an event written again replaces the
 * row it wrote before and its words in the FTS index.
 */
export class LogWrites {
  private readonly findRow;
  private readonly insertLog;
  private readonly updateLog;
  private readonly insertWords;
  private readonly deleteWords;
  private readonly upsertDeadLetter;

  constructor(private readonly db: SqliteDatabase) {
    this.findRow = db.prepare<[string], { rowid: number }>('SELECT rowid FROM logs WHERE id = ?');
    this.insertLog = db.prepare(
      `INSERT INTO logs (id, ts, day, service, level, version, doc,
         source_file, source_container, source_stream, source_syslog)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.updateLog = db.prepare(
      `UPDATE logs SET ts = ?, day = ?, service = ?, level = ?, version = ?, doc = ?,
         source_file = ?, source_container = ?, source_stream = ?, source_syslog = ?
       WHERE rowid = ?`,
    );
    this.insertWords = db.prepare(
      'INSERT INTO logs_fts (rowid, message, error_message, error_stack_trace) VALUES (?, ?, ?, ?)',
    );
    this.deleteWords = db.prepare('DELETE FROM logs_fts WHERE rowid = ?');
    this.upsertDeadLetter = db.prepare(
      'INSERT OR REPLACE INTO dead_letters (id, ts, reason, detail, original, origin) VALUES (?, ?, ?, ?, ?, ?)',
    );
  }

  writeLogs(logs: StoredLog[]): WriteOutcome[] {
    return this.writeRows(logs.map(toLogRow));
  }

  /** Writes rows made by `toLogRow`; a row that is already an outcome (rejected) is passed through. */
  writeRows(rows: Array<LogRow | WriteOutcome>): WriteOutcome[] {
    const writable = rows.filter((row): row is LogRow => 'doc' in row);
    const written = this.batch(writable, (row) => this.writeRow(row));
    let next = 0;
    return rows.map((row) => ('doc' in row ? (written[next++] as WriteOutcome) : row));
  }

  writeDeadLetters(letters: DeadLetter[]): WriteOutcome[] {
    return this.batch(letters, (l) => {
      this.upsertDeadLetter.run(l.id, l.timestamp, l.reason, l.detail, l.original, l.origin);
    });
  }

  countLogs(filter: { serviceName?: string } = {}): number {
    const row =
      filter.serviceName === undefined
        ? this.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM logs').get()
        : this.db
            .prepare<[string], { n: number }>('SELECT count(*) AS n FROM logs WHERE service = ?')
            .get(filter.serviceName);
    return row?.n ?? 0;
  }

  getLog(id: string): LogEvent | undefined {
    const row = this.db.prepare<[string], { doc: string }>('SELECT doc FROM logs WHERE id = ?').get(id);
    return row === undefined ? undefined : (JSON.parse(row.doc) as LogEvent);
  }

  listDeadLetters(limit: number): DeadLetter[] {
    const rows = this.db
      .prepare<[number], DeadLetterRow>('SELECT * FROM dead_letters ORDER BY ts DESC, id DESC LIMIT ?')
      .all(limit);
    return rows.map(({ ts, ...row }) => ({
      id: row.id,
      timestamp: ts,
      reason: row.reason,
      detail: row.detail,
      original: row.original,
      origin: row.origin,
    }));
  }

  private writeRow(row: LogRow): void {
    const existing = this.findRow.get(row.id);
    // Both statements take these columns in this order; the insert adds the id before them.
    const columns = [row.ts, row.day, row.service, row.level, row.version, row.doc, ...sources(row)];
    let rowid: number | bigint;
    if (existing) {
      rowid = existing.rowid;
      this.updateLog.run(...columns, rowid);
      this.deleteWords.run(rowid);
    } else {
      rowid = this.insertLog.run(row.id, ...columns).lastInsertRowid;
    }
    this.insertWords.run(rowid, words(row.message), words(row.errorMessage), words(row.stackTrace));
  }

  /**
   * Writes every document in one transaction; a document SQLite refuses is `rejected`
   * (its statement alone is rolled back), a failure of the whole transaction (disk full,
   * database locked) is an `UnavailableError` and nothing of the batch is kept.
   */
  private batch<T>(docs: T[], write: (doc: T) => void): WriteOutcome[] {
    if (docs.length === 0) return [];
    try {
      // IMMEDIATE: the write lock is taken (or waited for) at BEGIN, so a read-then-write
      // transaction cannot fail with SQLITE_BUSY when the other connection wrote meanwhile.
      return this.db
        .transaction(() =>
          docs.map((doc): WriteOutcome => {
            try {
              write(doc);
              return { status: 'ok' };
            } catch (err) {
              if (isTransient(err)) throw err;
              return { status: 'rejected', reason: summarizeError(err).message };
            }
          }),
        )
        .immediate();
    } catch (err) {
      throw new UnavailableError('The SQLite store', err);
    }
  }
}

/** The source columns of a row, in `SOURCE_COLUMNS` order. */
const sources = (row: LogRow) => [row.sourceFile, row.sourceContainer, row.sourceStream, row.sourceSyslog];

/** SQLite errors about the database rather than the document: the whole batch must be retried. */
function isTransient(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return (
    typeof code === 'string' &&
    /^SQLITE_(BUSY|LOCKED|FULL|IOERR|CANTOPEN|NOMEM|READONLY|CORRUPT|INTERRUPT|PROTOCOL)/.test(code)
  );
}
