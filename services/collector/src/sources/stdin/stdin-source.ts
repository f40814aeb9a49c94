import type { Component, Counter, Logger } from '@vigie/common';
import { summarizeError } from '@vigie/common';
import type { LineFormat, RawLine, SourceContext } from '../../model.js';
// Batching, retries and shared metrics are the syslog source's; stdin reuses them as is.
import { type BatchingOptions, LineBatcher } from '../syslog/line-batcher.js';
import { discardedCounter, sharedCounter } from '../syslog/metrics.js';
import { LineSplitter } from './line-splitter.js';

const SOURCE = 'stdin';

/** Settings of the stdin source (`vigie collector --stdin --service NAME`). */
export interface StdinSourceOptions extends SourceContext {
  /** What to read: `process.stdin` in production. */
  input: NodeJS.ReadableStream;
  /** service.name hint of every line. */
  service: string;
  /** Format of the lines; the parser detects it per line when absent. */
  format?: LineFormat;
  /** Longer lines are cut to this many bytes and flagged truncated. */
  maxLineBytes: number;
  /** How long `stop()` waits for lines already read to be accepted. Default 5 s. */
  stopTimeoutMs?: number;
  /** Batching and retry settings. */
  batching?: BatchingOptions;
}

/**
 * Reads lines from a stream (standard input) and hands them to
 * `sink.submitLines('stdin', lines)` in batches, in order. When the sink pushes back the
 * stream is paused and the same lines retried, so a fast producer waits instead of
 * losing lines.
 *
 * Lifecycle: `start()` once; `done()` resolves when the input ended and every line was
 * accepted (so `app | vigie collector --stdin` can exit after its input), or rejects when
 * the input fails or the sink fails with an error that retrying cannot fix. `stop()` is
 * idempotent and safe without `start()`: it stops reading, waits up to `stopTimeoutMs`
 * for lines already read, counts the others in
 * `vigie_discarded_events_total{reason="shutdown"}` and settles `done()`.
 */
export class StdinSource implements Component {
  private readonly logger: Logger;
  private readonly splitter: LineSplitter;
  private readonly batcher: LineBatcher;
  private readonly finished: Promise<void>;
  private readonly stream = `stdin:${process.pid}`;
  private readonly hints: NonNullable<RawLine['hints']>;
  private readonly counters: { lines: Counter; bytes: Counter; truncated: Counter; pauses: Counter };
  private readonly discarded: Counter<'reason'>;
  private resolveFinished: () => void = () => {};
  private rejectFinished: (err: unknown) => void = () => {};
  private sequence = 0;
  private state: 'idle' | 'reading' | 'ending' | 'done' = 'idle';
  /** Why `done()` rejects: the input failed, or the sink failed on a batch for good. */
  private failure: unknown;
  private sinkFailed = false;
  private stopping: Promise<void> | undefined;
  private readonly onData = (chunk: Buffer | string) => this.read(chunk);
  private readonly onEnd = () => void this.finish();
  // Stays attached after the end: an 'error' event without a listener would crash the process.
  private readonly onError = (err: unknown) => {
    if (this.state !== 'reading') return;
    this.logger.error({ err: summarizeError(err) }, 'Standard input failed.');
    this.failure ??= err;
    void this.finish();
  };

  constructor(private readonly options: StdinSourceOptions) {
    this.logger = options.logger.child({ component: 'stdin-source' });
    this.splitter = new LineSplitter(options.maxLineBytes);
    this.hints = {
      service: options.service,
      ...(options.format === undefined ? {} : { format: options.format }),
    };
    const registry = options.registry;
    this.counters = {
      lines: sharedCounter(registry, 'vigie_collector_stdin_lines_total', 'Lines read from standard input.'),
      bytes: sharedCounter(registry, 'vigie_collector_stdin_bytes_total', 'Bytes read from standard input.'),
      truncated: sharedCounter(
        registry,
        'vigie_collector_stdin_truncated_total',
        'Lines of standard input longer than maxLineBytes, cut and flagged.',
      ),
      pauses: sharedCounter(
        registry,
        'vigie_collector_stdin_backpressure_pauses_total',
        'Times standard input stopped being read because the pipeline could not keep up.',
      ),
    };
    this.discarded = discardedCounter(registry);
    this.finished = new Promise<void>((resolve, reject) => {
      this.resolveFinished = resolve;
      this.rejectFinished = reject;
    });
    // done() is optional to await: a failure must not become an unhandled rejection.
    this.finished.catch(() => {});
    this.batcher = new LineBatcher({
      ...options.batching,
      sink: options.sink,
      source: SOURCE,
      logger: this.logger,
      onPause: () => {
        this.counters.pauses.inc();
        options.input.pause();
      },
      onResume: () => {
        if (this.state === 'reading') options.input.resume();
      },
      onFailure: (err, lines) => {
        this.discarded.inc({ reason: 'sink_error' }, lines.length);
        this.failure ??= err;
        this.sinkFailed = true;
        void this.finish();
      },
    });
  }

  /** Starts reading the input. */
  async start(): Promise<void> {
    if (this.state !== 'idle') throw new Error('StdinSource.start() can only be called once.');
    this.state = 'reading';
    const { input } = this.options;
    input.on('data', this.onData);
    input.on('end', this.onEnd);
    input.on('error', this.onError);
    input.resume();
  }

  /** Settles when the input ended and all its lines were accepted (see the class comment). */
  done(): Promise<void> {
    return this.finished;
  }

  /** Stops reading and hands on what was read (see the class comment). */
  stop(): Promise<void> {
    this.stopping ??= this.finish(this.options.stopTimeoutMs ?? 5000);
    return this.stopping;
  }

  private read(chunk: Buffer | string): void {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    this.counters.bytes.inc(bytes.length);
    this.deliver(this.splitter.push(bytes));
  }

  private deliver(lines: { text: string; truncated: boolean }[]): void {
    if (lines.length === 0) return;
    const receivedAt = Date.now();
    this.counters.lines.inc(lines.length);
    for (const { text, truncated } of lines) {
      if (truncated) this.counters.truncated.inc();
      this.batcher.add({
        text,
        ...(truncated ? { truncated: true } : {}),
        origin: {
          source: SOURCE,
          hostName: this.options.hostName,
          stream: this.stream,
          sequence: this.sequence++,
        },
        receivedAt,
        hints: this.hints,
      });
    }
  }

  /**
   * Ends reading (input ended or failed, sink failed, or stop) and settles `done()` once
   * the lines read so far are accepted, or `timeoutMs` passed.
   */
  private async finish(timeoutMs?: number): Promise<void> {
    if (this.state === 'reading') {
      this.state = 'ending';
      const { input } = this.options;
      input.off('data', this.onData);
      input.off('end', this.onEnd);
      input.pause();
      if (!this.sinkFailed) this.deliver(this.splitter.end());
    } else if (this.state === 'idle') {
      this.state = 'done';
      this.resolveFinished();
      return;
    }
    if (this.sinkFailed) this.discardRemaining('sink_error');
    const flushed = this.batcher.flush();
    if (timeoutMs === undefined) await flushed;
    else await Promise.race([flushed, new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
    this.discardRemaining('shutdown');
    this.state = 'done';
    if (this.failure === undefined) this.resolveFinished();
    else this.rejectFinished(this.failure);
  }

  private discardRemaining(reason: string): void {
    const lost = this.batcher.abort();
    if (lost === 0) return;
    this.discarded.inc({ reason }, lost);
    this.logger.warn({ lost, reason }, 'Lines of standard input not accepted by the pipeline.');
  }
}
