import type { LogEvent } from '../schema/log-event.js';

/**
 * The storage port: where log events and dead letters are written and read back.
 * Elasticsearch implements it (`@vigie/storage`); an embedded implementation follows the
 * same contract (see the contract tests in `testkit/`).
 *
 * Writes are idempotent by id: writing a document again with the same id replaces it,
 * so a replayed bus batch never duplicates anything.
 */

/** A log event to store, with its deterministic id. */
export interface StoredLog {
  /** Deterministic id, e.g. derived from topic/partition/offset. */
  id: string;
  event: LogEvent;
  /**
   * Epoch ms that chooses the time partition (daily index) of the document. It must be
   * the same every time the same record is written again, so a replay lands on the
   * document it replaces.
   */
  partitionTime: number;
  /**
   * The event as JSON, when the bytes the producer sent already are exactly it: a store
   * may keep them instead of serialising the event again.
   */
  json?: string;
}

/** An input that could not be stored as a log event, kept with the reason. */
export interface DeadLetter {
  id: string;
  /** When the record was produced (epoch ms), which is stable across replays. */
  timestamp: number;
  /** Snake-case reason such as `invalid_json` or `mapping_rejected`. */
  reason: string;
  /** What exactly was wrong, as the validator or the storage said it. */
  detail: string;
  /** The input exactly as received (decoded as UTF-8). */
  original: string;
  /** Where the input came from, e.g. `vigie.logs/3/1200`. */
  origin: string;
}

/** Outcome of writing one document. */
export type WriteOutcome =
  | { status: 'ok' }
  /** Transient failure (overload, shard unavailable): write the same document again later. */
  | { status: 'retry'; reason: string }
  /** The storage refuses this document for good (e.g. a field type conflict). */
  | { status: 'rejected'; reason: string };

/** The storage port. */
export interface LogStore {
  /** Throws an `UnavailableError` when the storage does not answer. */
  healthcheck(): Promise<void>;
  /** Installs templates, mappings or tables; safe to call on every start. */
  setup(): Promise<void>;
  /**
   * Writes log events; resolves with one outcome per document, in order. Throws an
   * `UnavailableError` when the whole request failed (nothing is known to be written).
   */
  writeLogs(logs: StoredLog[]): Promise<WriteOutcome[]>;
  /** Same as `writeLogs`, for dead letters. */
  writeDeadLetters(letters: DeadLetter[]): Promise<WriteOutcome[]>;
  /** Makes every acknowledged write visible to reads. */
  refresh(): Promise<void>;
  /** Number of stored log events, optionally of one service. */
  countLogs(filter?: { serviceName?: string }): Promise<number>;
  /** One stored log event by id. */
  getLog(id: string): Promise<LogEvent | undefined>;
  /** The most recent dead letters, newest first. */
  listDeadLetters(limit: number): Promise<DeadLetter[]>;
  /** Releases connections; idempotent. */
  close(): Promise<void>;
}
