import type { Logger } from '@vigie/common';
import { isRetriable, summarizeError } from '@vigie/common';
import type { LineSink, RawLine } from '../../model.js';

/** How lines are grouped before `submitLines`, and how refused batches are retried. */
export interface BatchingOptions {
  /** Most lines in one `submitLines` call. Default 500. */
  maxLines?: number;
  /** Most text in one batch, in UTF-16 code units (a batch holds at least one line). Default 4 Mi. */
  maxBatchChars?: number;
  /** Longest a line waits for others before its batch is sent. Default 50 ms. */
  maxDelayMs?: number;
  /** First wait after a refused batch; it doubles up to `maxRetryDelayMs`. Default 100 ms. */
  initialRetryDelayMs?: number;
  /** Longest wait between two tries of a refused batch. Default 5 s. */
  maxRetryDelayMs?: number;
}

/** What a `LineBatcher` feeds and tells. */
export interface LineBatcherOptions extends BatchingOptions {
  /** Where batches go. */
  sink: LineSink;
  /** Source id handed to `submitLines`. */
  source: string;
  /** Told about batches that fail for good (counts only, never their content). */
  logger: Logger;
  /**
   * Lines waiting (not counting the batch being sent) at which the input is asked to
   * pause. Default twice `maxLines`; `Infinity` for inputs that cannot pause (UDP).
   */
  maxPending?: number;
  /** Same, in UTF-16 code units of text. Default twice `maxBatchChars`. */
  maxPendingChars?: number;
  /** The input must stop reading: the sink refused a batch or too many lines wait. */
  onPause?: () => void;
  /** The input may read again. */
  onResume?: () => void;
  /**
   * The sink failed with an error that retrying cannot fix. The batch is not retried;
   * the owner decides what that means (count it, end the input).
   */
  onFailure: (err: unknown, lines: RawLine[]) => void;
}

/**
 * Groups the lines of one input (a TCP connection, the UDP socket, stdin) into batches
 * and hands them to the sink one batch at a time, so their order is kept. A batch the
 * sink refuses with a retriable error (`BackpressureError`) is retried, the same lines,
 * with exponential backoff and jitter while the input is paused: nothing is dropped.
 * Shared with the stdin source.
 */
export class LineBatcher {
  private pending: RawLine[] = [];
  private pendingText = 0;
  private inFlight: RawLine[] = [];
  private timer: NodeJS.Timeout | undefined;
  private draining: Promise<void> | undefined;
  private paused = false;
  private aborted = false;
  private wakeUp: (() => void) | undefined;
  private readonly maxLines: number;
  private readonly maxBatchChars: number;
  private readonly maxPendingChars: number;
  private readonly maxDelayMs: number;
  private readonly maxPending: number;
  private readonly initialRetryDelayMs: number;
  private readonly maxRetryDelayMs: number;

  constructor(private readonly options: LineBatcherOptions) {
    this.maxLines = options.maxLines ?? 500;
    this.maxDelayMs = options.maxDelayMs ?? 50;
    this.maxPending = options.maxPending ?? 2 * this.maxLines;
    this.maxBatchChars = options.maxBatchChars ?? 4 * 1024 * 1024;
    this.maxPendingChars = options.maxPendingChars ?? 2 * this.maxBatchChars;
    this.initialRetryDelayMs = options.initialRetryDelayMs ?? 100;
    this.maxRetryDelayMs = options.maxRetryDelayMs ?? 5000;
  }

  /** Lines waiting to be sent, not counting the batch being sent. */
  get pendingCount(): number {
    return this.pending.length;
  }

  /** Text waiting to be sent, in UTF-16 code units, not counting the batch being sent. */
  get pendingChars(): number {
    return this.pendingText;
  }

  /** Queues a line; it is sent within `maxDelayMs`, or at once when a batch is full. */
  add(line: RawLine): void {
    if (this.aborted) return;
    this.pending.push(line);
    this.pendingText += line.text.length;
    if (this.pending.length >= this.maxPending || this.pendingText >= this.maxPendingChars) {
      this.setPaused(true);
    }
    if (this.pending.length >= this.maxLines || this.pendingText >= this.maxBatchChars) this.kick();
    else if (this.timer === undefined && this.draining === undefined) {
      this.timer = setTimeout(() => this.kick(), this.maxDelayMs);
    }
  }

  /** Sends every queued line now; resolves once all are accepted (or `abort()` was called). */
  async flush(): Promise<void> {
    while (!this.aborted && (this.pending.length > 0 || this.draining !== undefined)) {
      this.kick();
      await this.draining;
    }
  }

  /** Stops retrying and forgets queued lines; returns how many lines were not accepted. */
  abort(): number {
    this.aborted = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.wakeUp?.();
    const lost = this.pending.length + this.inFlight.length;
    this.pending = [];
    this.pendingText = 0;
    this.inFlight = [];
    return lost;
  }

  private kick(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.draining !== undefined || this.pending.length === 0 || this.aborted) return;
    this.draining = this.drain().finally(() => {
      this.draining = undefined;
    });
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0 && !this.aborted) {
      this.inFlight = this.takeBatch();
      await this.submit(this.inFlight);
      this.inFlight = [];
      if (this.pending.length < this.maxPending && this.pendingText < this.maxPendingChars) {
        this.setPaused(false);
      }
    }
  }

  private takeBatch(): RawLine[] {
    let count = 0;
    let chars = 0;
    for (const line of this.pending) {
      if (count === this.maxLines || (count > 0 && chars + line.text.length > this.maxBatchChars)) break;
      count++;
      chars += line.text.length;
    }
    this.pendingText -= chars;
    return this.pending.splice(0, count);
  }

  private async submit(lines: RawLine[]): Promise<void> {
    for (let attempt = 0; !this.aborted; attempt++) {
      try {
        await this.options.sink.submitLines(this.options.source, lines);
        return;
      } catch (err) {
        // BackpressureError is a retriable VigieError; other retriable errors get the same care.
        if (!isRetriable(err)) {
          this.options.logger.error(
            { err: summarizeError(err), lines: lines.length },
            'The sink failed on a batch of lines; it is not retried.',
          );
          this.inFlight = [];
          this.options.onFailure(err, lines);
          return;
        }
        this.setPaused(true);
        await this.sleep(this.retryDelay(attempt));
      }
    }
  }

  private retryDelay(attempt: number): number {
    const ceiling = Math.min(this.maxRetryDelayMs, this.initialRetryDelayMs * 2 ** Math.min(attempt, 20));
    return ceiling / 2 + Math.random() * (ceiling / 2);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wakeUp = undefined;
        resolve();
      }, ms);
      this.wakeUp = () => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
    });
  }

  private setPaused(paused: boolean): void {
    if (paused === this.paused) return;
    this.paused = paused;
    if (paused) this.options.onPause?.();
    else this.options.onResume?.();
  }
}
