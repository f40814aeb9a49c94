import type {
  AlertRule,
  AlertStore,
  AttemptFilter,
  DeliveryAttempt,
  Feedback,
  FeedbackFilter,
  Incident,
  IncidentFilter,
  OutboxEntry,
  Silence,
} from '@vigie/common';
import { UnavailableError, VigieError } from '@vigie/common';
import { AlertOutbox } from './alert-outbox.js';
import { AlertRecords } from './alert-records.js';
import { ALERT_MIGRATIONS } from './alert-schema.js';
import { migrate, type SqliteDatabase } from './database.js';

/**
 * The alerting store of the all-in-one mode, on the database of a `SqliteStore`
 * (`new SqliteAlertStore(store.db)`): one file holds logs, detection and alerting, as one
 * Elasticsearch cluster holds the indices of both stores. It does not own the connection:
 * closing the `SqliteStore` closes it, after which every call fails as unavailable.
 *
 * better-sqlite3 runs each call to completion on the event loop, so a conditional write
 * (read the version, write the row) cannot interleave with another call of this process;
 * the statements are conditional anyway, and claims take the write lock, so that a second
 * process on the same file could not break the guarantees either.
 */
export class SqliteAlertStore implements AlertStore {
  private readonly records: AlertRecords;
  private readonly outbox: AlertOutbox;

  constructor(private readonly db: SqliteDatabase) {
    // The tables exist as soon as the store does, so that its statements can be prepared once.
    migrate(db, ALERT_MIGRATIONS);
    this.records = new AlertRecords(db);
    this.outbox = new AlertOutbox(db);
  }

  async setupAlerting(): Promise<void> {
    guard(() => migrate(this.db, ALERT_MIGRATIONS));
  }

  async getIncident(id: string): Promise<Incident | undefined> {
    return guard(() => this.records.getIncident(id));
  }
  async listIncidents(filter?: IncidentFilter): Promise<Incident[]> {
    return guard(() => this.records.listIncidents(filter));
  }
  async saveIncident(incident: Incident): Promise<Incident> {
    return guard(() => this.records.saveIncident(incident));
  }

  async enqueue(entries: OutboxEntry[]): Promise<void> {
    guard(() => this.outbox.enqueue(entries));
  }
  async claimDue(now: number, owner: string, leaseMs: number, limit: number): Promise<OutboxEntry[]> {
    return guard(() => this.outbox.claimDue(now, owner, leaseMs, limit));
  }
  async updateOutbox(entry: OutboxEntry): Promise<OutboxEntry> {
    return guard(() => this.outbox.updateOutbox(entry));
  }
  async getOutbox(id: string): Promise<OutboxEntry | undefined> {
    return guard(() => this.outbox.getOutbox(id));
  }
  async listOutbox(filter?: {
    incidentId?: string;
    status?: OutboxEntry['status'];
    limit?: number;
  }): Promise<OutboxEntry[]> {
    return guard(() => this.outbox.listOutbox(filter));
  }
  async recordAttempt(attempt: DeliveryAttempt): Promise<void> {
    guard(() => this.outbox.recordAttempt(attempt));
  }
  async listAttempts(filter?: AttemptFilter): Promise<DeliveryAttempt[]> {
    return guard(() => this.outbox.listAttempts(filter));
  }

  async saveSilence(silence: Silence): Promise<void> {
    guard(() => this.records.saveSilence(silence));
  }
  async listSilences(filter?: { activeAt?: number }): Promise<Silence[]> {
    return guard(() => this.records.listSilences(filter));
  }
  async deleteSilence(id: string): Promise<boolean> {
    return guard(() => this.records.deleteSilence(id));
  }

  async saveFeedback(feedback: Feedback): Promise<void> {
    guard(() => this.records.saveFeedback(feedback));
  }
  async listFeedback(filter?: FeedbackFilter): Promise<Feedback[]> {
    return guard(() => this.records.listFeedback(filter));
  }

  async saveRule(rule: AlertRule): Promise<void> {
    guard(() => this.records.saveRule(rule));
  }
  async listRules(): Promise<AlertRule[]> {
    return guard(() => this.records.listRules());
  }
  async getRule(id: string): Promise<AlertRule | undefined> {
    return guard(() => this.records.getRule(id));
  }
  async deleteRule(id: string): Promise<boolean> {
    return guard(() => this.records.deleteRule(id));
  }

  /** Nothing to release: the connection is the `SqliteStore`'s, closed with it. */
  async close(): Promise<void> {}
}

/**
 * Runs a call on the database: Vigie's own errors (a conflict, a record that is not valid)
 * are the caller's; anything else (SQLite busy, disk full, connection closed) means the
 * store failed.
 */
function guard<T>(call: () => T): T {
  try {
    return call();
  } catch (err) {
    if (err instanceof VigieError) throw err;
    throw new UnavailableError('The SQLite alert store', err);
  }
}
