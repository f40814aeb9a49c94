import { VigieError } from '../errors.js';
import type {
  AlertRule,
  DeliveryAttempt,
  Feedback,
  Incident,
  IncidentStatus,
  OutboxEntry,
  Silence,
} from '../schema/incident.js';

/** Raised by a conditional write when the document changed since it was read. */
export class ConflictError extends VigieError {
  constructor(what: string) {
    super('VIGIE_ERR_CONFLICT', `${what} was changed by someone else; read it again`, {
      retriable: true,
      httpStatus: 409,
    });
    this.name = 'ConflictError';
  }
}

export interface IncidentFilter {
  service?: string;
  status?: IncidentStatus | 'active';
  /** Only incidents updated at or after this time, epoch ms. */
  since?: number;
  limit?: number;
}

export interface AttemptFilter {
  receiver?: string;
  incidentId?: string;
  limit?: number;
}

/** Which feedback to list. */
export interface FeedbackFilter {
  /** Only feedback whose suppression has not expired at this time (epoch ms). */
  activeAt?: number;
  service?: string;
  anomalyId?: string;
  /** Only feedback created in this range (epoch ms, both ends included). */
  createdFrom?: number;
  createdTo?: number;
}

/**
 * Where alerting keeps its state: incidents (which double as the alerter's grouping
 * state), the notification outbox and its delivery log, silences, feedback and log
 * alert rules. Any number of alerters and API servers share one store: incidents and
 * outbox entries carry a version and are written conditionally.
 */
export interface AlertStore {
  /** Installs indices or tables; safe to call on every start. */
  setupAlerting(): Promise<void>;

  getIncident(id: string): Promise<Incident | undefined>;
  /** Most recently updated first. `status: 'active'` means open or acknowledged. */
  listIncidents(filter?: IncidentFilter): Promise<Incident[]>;
  /**
   * Writes the incident if the stored version still equals `incident.version` (0: it
   * must not exist yet), and returns it with its new version. Throws `ConflictError`
   * otherwise. Visible to reads when the promise resolves.
   */
  saveIncident(incident: Incident): Promise<Incident>;

  /** Adds entries whose id is not there yet; existing ids are left untouched. Durable on resolve. */
  enqueue(entries: OutboxEntry[]): Promise<void>;
  /**
   * Takes up to `limit` pending entries due at `now` whose lease is free or expired,
   * leasing them to `owner` until `now + leaseMs`: two dispatchers never get one entry.
   */
  claimDue(now: number, owner: string, leaseMs: number, limit: number): Promise<OutboxEntry[]>;
  /** Conditional on `entry.version`, like `saveIncident`. */
  updateOutbox(entry: OutboxEntry): Promise<OutboxEntry>;
  getOutbox(id: string): Promise<OutboxEntry | undefined>;
  /** Newest first. */
  listOutbox(filter?: {
    incidentId?: string;
    status?: OutboxEntry['status'];
    limit?: number;
  }): Promise<OutboxEntry[]>;
  recordAttempt(attempt: DeliveryAttempt): Promise<void>;
  /** Newest first. */
  listAttempts(filter?: AttemptFilter): Promise<DeliveryAttempt[]>;

  /** Creates or replaces by id. */
  saveSilence(silence: Silence): Promise<void>;
  /** All silences, or only those active at `activeAt` (epoch ms); newest first. */
  listSilences(filter?: { activeAt?: number }): Promise<Silence[]>;
  deleteSilence(id: string): Promise<boolean>;

  saveFeedback(feedback: Feedback): Promise<void>;
  /** Newest first, at most 1,000; every filter is optional and all must hold. */
  listFeedback(filter?: FeedbackFilter): Promise<Feedback[]>;

  saveRule(rule: AlertRule): Promise<void>;
  listRules(): Promise<AlertRule[]>;
  getRule(id: string): Promise<AlertRule | undefined>;
  deleteRule(id: string): Promise<boolean>;
}
