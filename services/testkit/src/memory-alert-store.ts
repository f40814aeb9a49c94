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
import { ConflictError, compareCodeUnits, UnavailableError } from '@vigie/common';

/** Faults a `MemoryAlertStore` can play, to test what sits above the store. */
export interface MemoryAlertStoreFaults {
  /** The next N writes (of any kind) fail with `UnavailableError` (storage down). */
  unavailableWrites?: number;
}

const DEFAULT_LIMIT = 100;
/** Lists without a `limit` (silences, feedback, rules) stop there, as in Elasticsearch. */
const UNFILTERED_LIMIT = 1000;

/**
 * An in-memory `AlertStore`: the test double of the alerting store. It keeps the real
 * store's semantics (versions and `ConflictError`, create-if-absent outbox, leases,
 * newest-first lists) and passes the same contract suite. Everything goes in and out as
 * a copy, as it would through a database.
 */
export class MemoryAlertStore implements AlertStore {
  readonly incidents = new Map<string, Incident>();
  readonly outbox = new Map<string, OutboxEntry>();
  readonly attempts = new Map<string, DeliveryAttempt>();
  readonly silences = new Map<string, Silence>();
  readonly feedback = new Map<string, Feedback>();
  readonly rules = new Map<string, AlertRule>();
  /** Number of write calls received, successful or not. */
  writeRequests = 0;

  constructor(readonly faults: MemoryAlertStoreFaults = {}) {}

  async setupAlerting(): Promise<void> {}

  async getIncident(id: string): Promise<Incident | undefined> {
    return copy(this.incidents.get(id));
  }

  async listIncidents(filter: IncidentFilter = {}): Promise<Incident[]> {
    const since = filter.since;
    const matching = [...this.incidents.values()].filter(
      (incident) =>
        (filter.service === undefined || incident.service === filter.service) &&
        (filter.status === undefined ||
          (filter.status === 'active'
            ? incident.status !== 'resolved'
            : incident.status === filter.status)) &&
        (since === undefined || Date.parse(incident.updatedAt) >= since),
    );
    return newestFirst(matching, (incident) => Date.parse(incident.updatedAt), filter.limit);
  }

  async saveIncident(incident: Incident): Promise<Incident> {
    this.beforeWrite();
    const stored = this.incidents.get(incident.id);
    checkVersion(`Incident ${incident.id}`, stored?.version, incident.version);
    const saved = { ...structuredClone(incident), version: incident.version + 1 };
    this.incidents.set(saved.id, saved);
    return structuredClone(saved);
  }

  async enqueue(entries: OutboxEntry[]): Promise<void> {
    this.beforeWrite();
    for (const entry of entries) {
      if (this.outbox.has(entry.id)) continue;
      this.outbox.set(entry.id, { ...structuredClone(entry), version: 1 });
    }
  }

  async claimDue(now: number, owner: string, leaseMs: number, limit: number): Promise<OutboxEntry[]> {
    this.beforeWrite();
    const due = [...this.outbox.values()]
      .filter(
        (entry) =>
          entry.status === 'pending' &&
          entry.nextAttemptAt <= now &&
          (entry.leaseUntil === undefined || entry.leaseUntil <= now),
      )
      .sort((a, b) => a.nextAttemptAt - b.nextAttemptAt || compareCodeUnits(a.id, b.id))
      .slice(0, Math.max(0, limit));
    return due.map((entry) => {
      const leased = { ...entry, leaseOwner: owner, leaseUntil: now + leaseMs, version: entry.version + 1 };
      this.outbox.set(leased.id, leased);
      return structuredClone(leased);
    });
  }

  async updateOutbox(entry: OutboxEntry): Promise<OutboxEntry> {
    this.beforeWrite();
    const stored = this.outbox.get(entry.id);
    // Entries are created by `enqueue` only: an update never creates one.
    checkVersion(`Outbox entry ${entry.id}`, stored?.version, entry.version, false);
    const saved = { ...structuredClone(entry), version: entry.version + 1 };
    this.outbox.set(saved.id, saved);
    return structuredClone(saved);
  }

  async getOutbox(id: string): Promise<OutboxEntry | undefined> {
    return copy(this.outbox.get(id));
  }

  async listOutbox(
    filter: { incidentId?: string; status?: OutboxEntry['status']; limit?: number } = {},
  ): Promise<OutboxEntry[]> {
    const matching = [...this.outbox.values()].filter(
      (entry) =>
        (filter.incidentId === undefined || entry.incidentId === filter.incidentId) &&
        (filter.status === undefined || entry.status === filter.status),
    );
    return newestFirst(matching, (entry) => entry.createdAt, filter.limit);
  }

  async recordAttempt(attempt: DeliveryAttempt): Promise<void> {
    this.beforeWrite();
    this.attempts.set(attempt.id, structuredClone(attempt));
  }

  async listAttempts(filter: AttemptFilter = {}): Promise<DeliveryAttempt[]> {
    const matching = [...this.attempts.values()].filter(
      (attempt) =>
        (filter.receiver === undefined || attempt.receiver === filter.receiver) &&
        (filter.incidentId === undefined || attempt.incidentId === filter.incidentId),
    );
    return newestFirst(matching, (attempt) => attempt.at, filter.limit);
  }

  async saveSilence(silence: Silence): Promise<void> {
    this.beforeWrite();
    this.silences.set(silence.id, structuredClone(silence));
  }

  async listSilences(filter: { activeAt?: number } = {}): Promise<Silence[]> {
    const at = filter.activeAt;
    const matching = [...this.silences.values()].filter(
      (silence) =>
        at === undefined || (Date.parse(silence.startsAt) <= at && at < Date.parse(silence.endsAt)),
    );
    return newestFirst(matching, (silence) => Date.parse(silence.createdAt), UNFILTERED_LIMIT);
  }

  async deleteSilence(id: string): Promise<boolean> {
    this.beforeWrite();
    return this.silences.delete(id);
  }

  async saveFeedback(feedback: Feedback): Promise<void> {
    this.beforeWrite();
    this.feedback.set(feedback.id, structuredClone(feedback));
  }

  async listFeedback(filter: FeedbackFilter = {}): Promise<Feedback[]> {
    const at = filter.activeAt;
    const { createdFrom = -Infinity, createdTo = Infinity } = filter;
    const matching = [...this.feedback.values()].filter(
      (feedback) =>
        (at === undefined || Date.parse(feedback.expiresAt) > at) &&
        Date.parse(feedback.createdAt) >= createdFrom &&
        Date.parse(feedback.createdAt) <= createdTo &&
        (filter.service === undefined || feedback.service === filter.service) &&
        (filter.anomalyId === undefined || feedback.anomalyId === filter.anomalyId),
    );
    return newestFirst(matching, (feedback) => Date.parse(feedback.createdAt), UNFILTERED_LIMIT);
  }

  async saveRule(rule: AlertRule): Promise<void> {
    this.beforeWrite();
    this.rules.set(rule.id, structuredClone(rule));
  }

  /** By name, then id. */
  async listRules(): Promise<AlertRule[]> {
    return [...this.rules.values()]
      .sort((a, b) => compareCodeUnits(a.name, b.name) || compareCodeUnits(a.id, b.id))
      .slice(0, UNFILTERED_LIMIT)
      .map((rule) => structuredClone(rule));
  }

  async getRule(id: string): Promise<AlertRule | undefined> {
    return copy(this.rules.get(id));
  }

  async deleteRule(id: string): Promise<boolean> {
    this.beforeWrite();
    return this.rules.delete(id);
  }

  private beforeWrite(): void {
    this.writeRequests += 1;
    if ((this.faults.unavailableWrites ?? 0) > 0) {
      this.faults.unavailableWrites = (this.faults.unavailableWrites ?? 0) - 1;
      throw new UnavailableError('MemoryAlertStore');
    }
  }
}

/** Throws `ConflictError` unless `expected` is the stored version (0: absent, when creating is allowed). */
function checkVersion(what: string, stored: number | undefined, expected: number, mayCreate = true): void {
  const matches = stored === undefined ? mayCreate && expected === 0 : stored === expected;
  if (!matches) throw new ConflictError(what);
}

function copy<T>(value: T | undefined): T | undefined {
  return value === undefined ? undefined : structuredClone(value);
}

/** Sorted by `time` descending, ties by id ascending (as the Elasticsearch store sorts), copied. */
function newestFirst<T extends { id: string }>(items: T[], time: (item: T) => number, limit?: number): T[] {
  return items
    .sort((a, b) => time(b) - time(a) || compareCodeUnits(a.id, b.id))
    .slice(0, limit ?? DEFAULT_LIMIT)
    .map((item) => structuredClone(item));
}
