import type { RawLine } from '../model.js';
import type { RedactionRuleConfig } from '../redact/index.js';
import type { EventContext } from '../sources/http/event.js';

/**
 * What a parse worker is built from. Plain data (workers cannot be handed functions):
 * the worker builds the same parser and redactor as the event loop does from it.
 */
export interface ParseWorkerConfig {
  redaction: { defaults: boolean; rules: RedactionRuleConfig[] };
  /**
   * Module (file URL) whose `parseLine` export replaces the built-in parser, and whose
   * `lineEvent` export, when it has one, replaces that of HTTP lines. For tests that need
   * a deliberately slow or crashing parser; unset in production.
   */
  parserModule?: string;
}

/**
 * Slots of the worker's shared progress board (an `Int32Array` on a
 * `SharedArrayBuffer`), written by the worker with `Atomics.store` and read by the pool's
 * watchdog while the worker may be stuck in a line.
 */
export const Slot = {
  /** Id of the task the worker works on (0 before the first). */
  task: 0,
  /** Index, in that task, of the line being parsed. */
  line: 1,
  /** Steps (phases of lines) started since the worker began: changes whenever it moves on. */
  started: 2,
  /** Id of the last task whose result was posted. */
  done: 3,
  /** What the worker does with that line: 0 parses it, 1 redacts, fits and serialises it. */
  phase: 4,
} as const;

/** Number of `Int32` slots of the progress board. */
export const SLOT_COUNT = 5;

/** Data handed to a worker at creation (`workerData`). */
export interface ParseWorkerData {
  config: ParseWorkerConfig;
  progress: SharedArrayBuffer;
}

/**
 * What a task parses: lines read by a source (`parseLine`), or NDJSON lines of one HTTP
 * request (`lineEvent`, the context's sequence being that of the first line).
 */
export type ParseBatch =
  | { kind: 'lines'; lines: RawLine[] }
  | { kind: 'event-lines'; texts: string[]; context: EventContext };

/** A batch for a worker. */
export interface ParseTask {
  id: number;
  batch: ParseBatch;
}

/** What a worker posts back. */
export type ParseWorkerMessage =
  | {
      type: 'ready';
      /** OS id of the worker's thread (Linux), for the watchdog to read its CPU time. */
      tid: number | undefined;
    }
  | {
      type: 'done';
      id: number;
      /** The events of the task, in line order: UTF-8 JSON one after the other (buffer moved). */
      bytes: Uint8Array;
      /** Where each event ends in `bytes` (buffer moved). */
      ends: Int32Array;
      /** `service.name` of each event. */
      keys: string[];
      /** Lines kept as text: index and `vigie.parse_error` before redaction. */
      problems: Array<[number, string]>;
      /** Secrets masked in the task, by redaction rule. */
      redactions: Array<[string, number]>;
    };
