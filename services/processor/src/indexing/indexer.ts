import type { DeadLetter, Logger, LogStore, WriteOutcome } from '@vigie/common';
import { isRetriable, summarizeError, VigieError } from '@vigie/common';
import pRetry from 'p-retry';
import type { ProcessorMetrics } from '../metrics.js';
import type { PreparedBatch, PreparedLog } from './prepare.js';

/** Retry timing and where the indexer reports. */
export interface IndexerOptions {
  store: LogStore;
  metrics: ProcessorMetrics;
  logger: Logger;
  retryMinMs: number;
  retryMaxMs: number;
  /** Told whether the last storage request went through, for the readiness probe. */
  onStorageState?: (available: boolean) => void;
}

/** A document the storage refused for good, with its reason. */
export interface Refused<T> {
  doc: T;
  reason: string;
}

/**
 * Writes prepared batches to the storage and resolves only when every document is
 * either stored or dead-lettered. Transient failures (storage down, 429, 5xx, on the
 * whole request or on some documents) are retried with exponential backoff and jitter,
 * for as long as it takes; the caller's signal ends the wait when the batch is no
 * longer ours. Documents refused for good go to the dead-letter index with the reason.
 */
export class Indexer {
  constructor(private readonly options: IndexerOptions) {}

  async write(batch: PreparedBatch, signal: AbortSignal): Promise<void> {
    const { store, metrics } = this.options;
    const refusedLogs = await this.settle('logs', batch.logs, (docs) => store.writeLogs(docs), signal);
    metrics.indexed.inc(batch.logs.length - refusedLogs.length);

    const letters = [...batch.deadLetters, ...refusedLogs.map(toDeadLetter)];
    if (letters.length === 0) return;
    const refusedLetters = await this.settle(
      'deadletters',
      letters,
      (docs) => store.writeDeadLetters(docs),
      signal,
    );
    if (refusedLetters.length > 0) {
      // The dead-letter mapping indexes almost nothing, so this is a bug or a broken
      // cluster: never acknowledge the batch, it will be delivered again.
      const first = refusedLetters[0] as Refused<DeadLetter>;
      throw new VigieError(
        'VIGIE_ERR_DEAD_LETTER_REFUSED',
        `Dead letter ${first.doc.id} refused: ${first.reason}`,
      );
    }
    for (const letter of letters) metrics.deadLettered.inc({ reason: letter.reason });
  }

  /** Writes until every document is stored or refused for good; returns the refused ones. */
  async settle<T>(
    kind: string,
    docs: T[],
    write: (docs: T[]) => Promise<WriteOutcome[]>,
    signal: AbortSignal,
  ): Promise<Refused<T>[]> {
    const { metrics, logger, onStorageState } = this.options;
    const refused: Refused<T>[] = [];
    let pending = docs;
    await pRetry(
      async () => {
        if (pending.length === 0) return;
        const stopTimer = metrics.bulkDuration.startTimer();
        const outcomes = await write(pending).finally(stopTimer);
        onStorageState?.(true);
        if (outcomes.length !== pending.length) {
          throw new VigieError(
            'VIGIE_ERR_BULK_MISMATCH',
            `${outcomes.length} outcomes for ${pending.length} documents`,
          );
        }
        const again: T[] = [];
        let reason = '';
        outcomes.forEach((outcome, i) => {
          const doc = pending[i] as T;
          if (outcome.status === 'retry') {
            again.push(doc);
            reason = outcome.reason;
          } else if (outcome.status === 'rejected') {
            refused.push({ doc, reason: outcome.reason });
          }
        });
        pending = again;
        if (again.length > 0) {
          metrics.retries.inc({ kind: 'item' });
          throw new VigieError(
            'VIGIE_ERR_PARTIAL_WRITE',
            `${again.length} ${kind} to send again: ${reason}`,
            {
              retriable: true,
            },
          );
        }
      },
      {
        retries: Number.POSITIVE_INFINITY,
        minTimeout: this.options.retryMinMs,
        maxTimeout: this.options.retryMaxMs,
        randomize: true,
        signal,
        shouldRetry: ({ error }) => isRetriable(error),
        onFailedAttempt: ({ error, attemptNumber }) => {
          if (error instanceof VigieError && error.code === 'VIGIE_ERR_UNAVAILABLE') {
            metrics.retries.inc({ kind: 'unavailable' });
            onStorageState?.(false);
          }
          // First failures, then one line in ten: an outage must not flood the logs.
          if (attemptNumber <= 3 || attemptNumber % 10 === 0) {
            logger.warn(
              { err: summarizeError(error), attempt: attemptNumber, pending: pending.length, kind },
              'Storage write failed; retrying.',
            );
          }
        },
      },
    );
    return refused;
  }
}

function toDeadLetter({ doc, reason }: Refused<PreparedLog>): DeadLetter {
  return {
    id: doc.id,
    timestamp: doc.record.timestamp,
    reason: 'mapping_rejected',
    detail: reason,
    original: doc.record.value.toString('utf8'),
    origin: doc.origin,
  };
}
