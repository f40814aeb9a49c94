import type { WriteOutcome } from '@vigie/common';
import type { LogRow } from '../log-rows.js';

/** Data handed to the writer thread at creation (`workerData`). */
export interface LogWriterData {
  /** The database file; the main thread has created and migrated it. */
  path: string;
}

/** A request to the writer thread. */
export type LogWriterRequest =
  | { type: 'write'; id: number; rows: Array<LogRow | WriteOutcome> }
  | { type: 'close' };

/** What the writer thread posts back. */
export type LogWriterMessage =
  | { type: 'ready' }
  | { type: 'written'; id: number; outcomes: WriteOutcome[] }
  /** The whole batch failed (disk full, database locked...): nothing of it is kept. */
  | { type: 'failed'; id: number; message: string };
