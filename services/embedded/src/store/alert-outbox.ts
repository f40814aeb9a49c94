import type { AttemptFilter, DeliveryAttempt, OutboxEntry } from '@vigie/common';
import { ConflictError } from '@vigie/common';
import type { SqliteDatabase } from './database.js';
import { boundedLimit, FilterClauses } from './filter-clauses.js';

const DEFAULT_LIMIT = 100;

interface OutboxRow {
  id: string;
  version: number;
  doc: string;
}

/** An outbox entry as its row keeps it: the document without its version. */
function outboxDoc(entry: OutboxEntry): string {
  const { version: _version, ...doc } = entry;
  return JSON.stringify(doc);
}

function fromRow(row: OutboxRow): OutboxEntry {
  return { ...(JSON.parse(row.doc) as Omit<OutboxEntry, 'version'>), version: row.version };
}

/**
 * The notification outbox and its delivery log on SQLite. Entries are created once
 * (`INSERT OR IGNORE`: a replay queues the same id again and changes nothing), then only
 * written on top of the version read (`UPDATE … WHERE version = ?`). A claim reads and
 * leases in one immediate transaction, which holds the database's write lock from its
 * first statement: no other claim, in this process or another, sees the same entries free.
 */
export class AlertOutbox {
  private readonly insertEntry;
  private readonly updateEntry;
  private readonly selectEntry;
  private readonly selectDue;
  private readonly anyDue;
  private readonly upsertAttempt;
  private readonly claim;

  constructor(private readonly db: SqliteDatabase) {
    this.insertEntry = db.prepare(
      `INSERT OR IGNORE INTO outbox (id, incident_id, status, created_at, next_attempt_at, lease_until, version, doc)
       VALUES (?, ?, ?, ?, ?, ?, 1, ?)`,
    );
    this.updateEntry = db.prepare(
      `UPDATE outbox SET incident_id = ?, status = ?, created_at = ?, next_attempt_at = ?, lease_until = ?,
       version = version + 1, doc = ? WHERE id = ? AND version = ?`,
    );
    this.selectEntry = db.prepare<[string], OutboxRow>('SELECT id, version, doc FROM outbox WHERE id = ?');
    this.selectDue = db.prepare<[number, number, number], OutboxRow>(
      `SELECT id, version, doc FROM outbox
       WHERE status = 'pending' AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until <= ?)
       ORDER BY next_attempt_at, id LIMIT ?`,
    );
    this.anyDue = db.prepare<[number, number], { due: 1 }>(
      `SELECT 1 AS due FROM outbox
       WHERE status = 'pending' AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until <= ?) LIMIT 1`,
    );
    this.upsertAttempt = db.prepare(
      'INSERT OR REPLACE INTO delivery_attempts (id, receiver, incident_id, at, doc) VALUES (?, ?, ?, ?, ?)',
    );
    this.claim = db.transaction((now: number, owner: string, leaseMs: number, limit: number) =>
      this.selectDue.all(now, now, limit).flatMap((row) => {
        const leased = { ...fromRow(row), leaseOwner: owner, leaseUntil: now + leaseMs };
        // Under the write lock the row cannot have moved; the version check keeps it a fence anyway.
        return this.write(leased) ? [{ ...leased, version: row.version + 1 }] : [];
      }),
    );
  }

  enqueue(entries: OutboxEntry[]): void {
    if (entries.length === 0) return;
    this.db
      .transaction(() => {
        for (const e of entries) {
          this.insertEntry.run(
            e.id,
            e.incidentId,
            e.status,
            e.createdAt,
            e.nextAttemptAt,
            e.leaseUntil ?? null,
            outboxDoc(e),
          );
        }
      })
      .immediate();
  }

  claimDue(now: number, owner: string, leaseMs: number, limit: number): OutboxEntry[] {
    const bounded = boundedLimit(limit, 0);
    // Dispatchers poll often and the outbox is nearly always empty: a plain read answers
    // that without taking the write lock, which the log writer thread may hold for a
    // batch (waiting for it would block the event loop).
    if (bounded === 0 || this.anyDue.get(now, now) === undefined) return [];
    return this.claim.immediate(now, owner, leaseMs, bounded);
  }

  updateOutbox(entry: OutboxEntry): OutboxEntry {
    if (!this.write(entry)) throw new ConflictError(`Outbox entry ${entry.id}`);
    return { ...entry, version: entry.version + 1 };
  }

  getOutbox(id: string): OutboxEntry | undefined {
    const row = this.selectEntry.get(id);
    return row === undefined ? undefined : fromRow(row);
  }

  /** Newest first (by creation), ties by id. */
  listOutbox(
    filter: { incidentId?: string; status?: OutboxEntry['status']; limit?: number } = {},
  ): OutboxEntry[] {
    const clauses = new FilterClauses()
      .add(filter.incidentId !== undefined, 'incident_id = ?', filter.incidentId ?? '')
      .add(filter.status !== undefined, 'status = ?', filter.status ?? '');
    return this.db
      .prepare<unknown[], OutboxRow>(
        `SELECT id, version, doc FROM outbox${clauses.where} ORDER BY created_at DESC, id LIMIT ?`,
      )
      .all(...clauses.params, boundedLimit(filter.limit, DEFAULT_LIMIT))
      .map(fromRow);
  }

  recordAttempt(attempt: DeliveryAttempt): void {
    this.upsertAttempt.run(
      attempt.id,
      attempt.receiver,
      attempt.incidentId,
      attempt.at,
      JSON.stringify(attempt),
    );
  }

  /** Newest first, ties by id. */
  listAttempts(filter: AttemptFilter = {}): DeliveryAttempt[] {
    const clauses = new FilterClauses()
      .add(filter.receiver !== undefined, 'receiver = ?', filter.receiver ?? '')
      .add(filter.incidentId !== undefined, 'incident_id = ?', filter.incidentId ?? '');
    return this.db
      .prepare<unknown[], { doc: string }>(
        `SELECT doc FROM delivery_attempts${clauses.where} ORDER BY at DESC, id LIMIT ?`,
      )
      .all(...clauses.params, boundedLimit(filter.limit, DEFAULT_LIMIT))
      .map((row) => JSON.parse(row.doc) as DeliveryAttempt);
  }

  /** Writes `entry` over the stored version `entry.version`; false when that is not the stored one. */
  private write(entry: OutboxEntry): boolean {
    const changes = this.updateEntry.run(
      entry.incidentId,
      entry.status,
      entry.createdAt,
      entry.nextAttemptAt,
      entry.leaseUntil ?? null,
      outboxDoc(entry),
      entry.id,
      entry.version,
    ).changes;
    return changes === 1;
  }
}
