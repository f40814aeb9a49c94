import type { AlertRule, Feedback, FeedbackFilter, Incident, IncidentFilter, Silence } from '@vigie/common';
import { ConflictError } from '@vigie/common';
import type { SqliteDatabase } from './database.js';
import { boundedLimit, epochMs, FilterClauses } from './filter-clauses.js';

const DEFAULT_LIMIT = 100;
/** Lists without a `limit` (silences, feedback, rules) stop there, as the other stores do. */
const UNFILTERED_LIMIT = 1000;

interface IncidentRow {
  version: number;
  doc: string;
}

function incidentFromRow(row: IncidentRow): Incident {
  return { ...(JSON.parse(row.doc) as Omit<Incident, 'version'>), version: row.version };
}

const parse = <T>(row: { doc: string }) => JSON.parse(row.doc) as T;

/**
 * Incidents, silences, feedback and log alert rules on SQLite. An incident is written only
 * on top of the version its writer read: version 0 inserts if the id is absent, any other
 * updates `WHERE version = ?`; no changed row means someone else wrote first.
 */
export class AlertRecords {
  private readonly insertIncident;
  private readonly updateIncident;
  private readonly selectIncident;
  private readonly upsertSilence;
  private readonly removeSilence;
  private readonly upsertFeedback;
  private readonly upsertRule;
  private readonly selectRule;
  private readonly selectRules;
  private readonly removeRule;

  constructor(private readonly db: SqliteDatabase) {
    this.insertIncident = db.prepare(
      `INSERT INTO incidents (id, service, status, updated_at, version, doc) VALUES (?, ?, ?, ?, 1, ?)
       ON CONFLICT (id) DO NOTHING`,
    );
    this.updateIncident = db.prepare(
      `UPDATE incidents SET service = ?, status = ?, updated_at = ?, version = version + 1, doc = ?
       WHERE id = ? AND version = ?`,
    );
    this.selectIncident = db.prepare<[string], IncidentRow>(
      'SELECT version, doc FROM incidents WHERE id = ?',
    );
    this.upsertSilence = db.prepare(
      'INSERT OR REPLACE INTO silences (id, starts_at, ends_at, created_at, doc) VALUES (?, ?, ?, ?, ?)',
    );
    this.removeSilence = db.prepare('DELETE FROM silences WHERE id = ?');
    this.upsertFeedback = db.prepare(
      `INSERT OR REPLACE INTO feedback (id, service, anomaly_id, created_at, expires_at, doc)
       VALUES (?, ?, ?, ?, ?, ?)`,
    );
    this.upsertRule = db.prepare('INSERT OR REPLACE INTO alert_rules (id, name, doc) VALUES (?, ?, ?)');
    this.selectRule = db.prepare<[string], { doc: string }>('SELECT doc FROM alert_rules WHERE id = ?');
    this.selectRules = db.prepare<[number], { doc: string }>(
      'SELECT doc FROM alert_rules ORDER BY name, id LIMIT ?',
    );
    this.removeRule = db.prepare('DELETE FROM alert_rules WHERE id = ?');
  }

  getIncident(id: string): Incident | undefined {
    const row = this.selectIncident.get(id);
    return row === undefined ? undefined : incidentFromRow(row);
  }

  /** Most recently updated first, ties by id. */
  listIncidents(filter: IncidentFilter = {}): Incident[] {
    const clauses = new FilterClauses()
      .add(filter.service !== undefined, 'service = ?', filter.service ?? '')
      .add(filter.status === 'active', "status != 'resolved'")
      .add(filter.status !== undefined && filter.status !== 'active', 'status = ?', filter.status ?? '')
      .add(filter.since !== undefined, 'updated_at >= ?', filter.since ?? 0);
    return this.db
      .prepare<unknown[], IncidentRow>(
        `SELECT version, doc FROM incidents${clauses.where} ORDER BY updated_at DESC, id LIMIT ?`,
      )
      .all(...clauses.params, boundedLimit(filter.limit, DEFAULT_LIMIT))
      .map(incidentFromRow);
  }

  saveIncident(incident: Incident): Incident {
    const { version, ...rest } = incident;
    const updatedAt = epochMs(incident.updatedAt, 'updatedAt');
    const doc = JSON.stringify(rest);
    const changes =
      version === 0
        ? this.insertIncident.run(incident.id, incident.service, incident.status, updatedAt, doc).changes
        : this.updateIncident.run(incident.service, incident.status, updatedAt, doc, incident.id, version)
            .changes;
    if (changes !== 1) throw new ConflictError(`Incident ${incident.id}`);
    return { ...structuredClone(incident), version: version + 1 };
  }

  saveSilence(silence: Silence): void {
    this.upsertSilence.run(
      silence.id,
      epochMs(silence.startsAt, 'startsAt'),
      epochMs(silence.endsAt, 'endsAt'),
      epochMs(silence.createdAt, 'createdAt'),
      JSON.stringify(silence),
    );
  }

  /** Newest first (by creation); active: started at or before `activeAt`, ending after it. */
  listSilences(filter: { activeAt?: number } = {}): Silence[] {
    const at = filter.activeAt;
    const clauses = new FilterClauses().add(
      at !== undefined,
      'starts_at <= ? AND ? < ends_at',
      at ?? 0,
      at ?? 0,
    );
    return this.db
      .prepare<unknown[], { doc: string }>(
        `SELECT doc FROM silences${clauses.where} ORDER BY created_at DESC, id LIMIT ?`,
      )
      .all(...clauses.params, UNFILTERED_LIMIT)
      .map(parse<Silence>);
  }

  deleteSilence(id: string): boolean {
    return this.removeSilence.run(id).changes > 0;
  }

  saveFeedback(feedback: Feedback): void {
    this.upsertFeedback.run(
      feedback.id,
      feedback.service,
      feedback.anomalyId,
      epochMs(feedback.createdAt, 'createdAt'),
      epochMs(feedback.expiresAt, 'expiresAt'),
      JSON.stringify(feedback),
    );
  }

  /** Newest first; `activeAt` keeps what expires after it. */
  listFeedback(filter: FeedbackFilter = {}): Feedback[] {
    const clauses = new FilterClauses()
      .add(filter.activeAt !== undefined, 'expires_at > ?', filter.activeAt ?? 0)
      .add(filter.createdFrom !== undefined, 'created_at >= ?', filter.createdFrom ?? 0)
      .add(filter.createdTo !== undefined, 'created_at <= ?', filter.createdTo ?? 0)
      .add(filter.service !== undefined, 'service = ?', filter.service ?? '')
      .add(filter.anomalyId !== undefined, 'anomaly_id = ?', filter.anomalyId ?? '');
    return this.db
      .prepare<unknown[], { doc: string }>(
        `SELECT doc FROM feedback${clauses.where} ORDER BY created_at DESC, id LIMIT ?`,
      )
      .all(...clauses.params, UNFILTERED_LIMIT)
      .map(parse<Feedback>);
  }

  saveRule(rule: AlertRule): void {
    this.upsertRule.run(rule.id, rule.name, JSON.stringify(rule));
  }

  /** By name, then id. */
  listRules(): AlertRule[] {
    return this.selectRules.all(UNFILTERED_LIMIT).map(parse<AlertRule>);
  }

  getRule(id: string): AlertRule | undefined {
    const row = this.selectRule.get(id);
    return row === undefined ? undefined : parse<AlertRule>(row);
  }

  deleteRule(id: string): boolean {
    return this.removeRule.run(id).changes > 0;
  }
}
