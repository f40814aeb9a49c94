import type { BusRecord, Logger } from '@vigie/common';
import { summarizeError } from '@vigie/common';
import { DeadlineError, succeeded } from './deadline.js';
import type { KafkaSinkMetrics } from './metrics.js';
import type { Spool } from './spool.js';

/** What the replayer needs. */
export interface ReplayerOptions {
  spool: Spool;
  logger: Logger;
  metrics: KafkaSinkMetrics;
  /** Publishes with the sink's time limit (rejects with `DeadlineError` past it). */
  publish: (records: BusRecord[]) => Promise<void>;
  /** Health probe with the sink's time limit. */
  probe: () => Promise<void>;
  /** Bytes read from the spool per publish. */
  chunkBytes: number;
  /** First and longest pause between two probes of an unreachable Kafka, ms. */
  minBackoffMs: number;
  maxBackoffMs: number;
  /** Called after each commit, so the sink can refresh its gauges. */
  onProgress: () => void;
}

/**
 * Sends the spool to Kafka, oldest record first, while it is not empty. Kafka is probed
 * (`healthcheck`) with exponential backoff and jitter until it answers; each chunk is
 * committed (and finished segments deleted) only once Kafka acknowledged it, so a
 * failure or a restart sends the chunk again rather than losing it. A send that timed
 * out may still land: the replayer waits for its outcome before sending those records
 * again, and skips them when it succeeded.
 */
export class Replayer {
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private stopping = new AbortController();
  private backoffMs: number;
  private healthy = false;
  private drainStartedAt: number | undefined;
  private drainedEvents = 0;
  /** The first `records` of the spool were in a send still under way. */
  private uncertain: { operation: Promise<void>; records: number } | undefined;
  /**
   * The first `resend` records of the spool were in a send that failed: they go again
   * alone, as they were, so that the idempotent producer numbers them the same and
   * Kafka drops them if it had written them after all.
   */
  private resend: number | undefined;

  constructor(private readonly options: ReplayerOptions) {
    this.backoffMs = options.minBackoffMs;
  }

  /** Starts the loop; idempotent. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopping = new AbortController();
    this.loop = this.run();
  }

  /** Ends the loop after the chunk in flight; idempotent. */
  async stop(): Promise<void> {
    this.running = false;
    this.stopping.abort();
    await this.loop;
    this.loop = undefined;
  }

  /** Kafka failed a publish: probe it before the next chunk. */
  kafkaFailed(): void {
    this.healthy = false;
    this.notify();
  }

  /**
   * The first `records` of the spool (about to be appended: the spool is empty) were
   * sent in one publish that failed, or that timed out and still runs (`operation`).
   */
  headFailed(records: number, operation?: Promise<void>): void {
    this.resend = records;
    this.uncertain = operation ? { operation, records } : undefined;
    this.notify();
  }

  /** The records announced by `headFailed` never reached the spool. */
  headNotSpooled(): void {
    this.uncertain = undefined;
    this.resend = undefined;
  }

  /** Something was appended to the spool. */
  notify(): void {
    this.wake?.();
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        await this.step();
      } catch (err) {
        // The spool's disk failed (a full disk refuses even the cursor): try again later.
        this.options.logger.error({ err: summarizeError(err) }, 'Reading the spool failed; retrying.');
        await this.sleep(this.options.maxBackoffMs, false);
      }
    }
  }

  private async step(): Promise<void> {
    const { spool, logger, metrics } = this.options;
    if (spool.isEmpty()) {
      this.finishDrain();
      await this.sleep(1000, true);
      return;
    }
    if (this.uncertain) {
      await this.settleUncertain(this.uncertain);
      return;
    }
    if (!this.healthy && !(await this.probe())) return;
    const resend = this.resend;
    const chunk =
      resend === undefined
        ? await spool.read(this.options.chunkBytes)
        : await spool.read(4 * this.options.chunkBytes, resend);
    if (chunk.records.length === 0) {
      // Between segments, or an append is still being fsynced.
      await spool.commit(chunk.next);
      if (!spool.isEmpty()) await this.sleep(20, true);
      return;
    }
    this.drainStartedAt ??= Date.now();
    try {
      await this.options.publish(chunk.records);
    } catch (err) {
      this.resend = chunk.records.length;
      if (err instanceof DeadlineError) {
        this.uncertain = { operation: err.operation, records: chunk.records.length };
      }
      metrics.publishErrors.inc({ path: 'replay' });
      logger.warn({ err: summarizeError(err) }, 'Sending the spool to Kafka failed; retrying after a probe.');
      this.healthy = false;
      return;
    }
    this.resend = undefined;
    await spool.commit(chunk.next);
    metrics.replayed.inc(chunk.records.length);
    this.drainedEvents += chunk.records.length;
    this.options.onProgress();
  }

  /** Waits for a send that timed out; when it landed after all, its records leave the spool unsent. */
  private async settleUncertain(uncertain: { operation: Promise<void>; records: number }): Promise<void> {
    if (this.stopping.signal.aborted) return;
    const stopped = new Promise<undefined>((resolve) =>
      this.stopping.signal.addEventListener('abort', () => resolve(undefined), { once: true }),
    );
    const landed = await Promise.race([succeeded(uncertain.operation), stopped]);
    if (landed === undefined || this.uncertain !== uncertain) return;
    this.uncertain = undefined;
    if (!landed) return;
    this.resend = undefined;
    const { spool, metrics, logger } = this.options;
    let left = uncertain.records;
    while (left > 0 && !spool.isEmpty()) {
      const chunk = await spool.read(this.options.chunkBytes, left);
      await spool.commit(chunk.next);
      left -= chunk.records.length;
      if (chunk.records.length === 0) await this.sleep(20, true);
      // They are in Kafka now, which is what this counter tells.
      metrics.replayed.inc(chunk.records.length);
    }
    this.healthy = true;
    this.options.onProgress();
    logger.info(
      { events: uncertain.records - left },
      'A send that timed out was acknowledged late; its copy in the spool is not sent again.',
    );
  }

  /** One health probe; false (after a pause) while Kafka does not answer. */
  private async probe(): Promise<boolean> {
    try {
      await this.options.probe();
      this.healthy = true;
      this.backoffMs = this.options.minBackoffMs;
      return true;
    } catch {
      const pause = this.backoffMs / 2 + Math.random() * (this.backoffMs / 2);
      this.backoffMs = Math.min(this.backoffMs * 2, this.options.maxBackoffMs);
      await this.sleep(pause, false);
      return false;
    }
  }

  private finishDrain(): void {
    if (this.drainStartedAt === undefined) return;
    this.options.logger.info(
      { events: this.drainedEvents, durationMs: Date.now() - this.drainStartedAt },
      'Spool sent to Kafka; events go straight to Kafka again.',
    );
    this.drainStartedAt = undefined;
    this.drainedEvents = 0;
  }

  /** Waits `ms`, or less on stop, or on an append when `wakeOnAppend` (never during a backoff). */
  private sleep(ms: number, wakeOnAppend: boolean): Promise<void> {
    const signal = this.stopping.signal;
    if (signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        if (this.wake === done) this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
      if (wakeOnAppend) this.wake = done;
    });
  }
}
