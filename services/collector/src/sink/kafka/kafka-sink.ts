import { slicesOf } from '@vigie/bus';
import type { BusRecord, LogBus, LogEvent, Logger, Registry } from '@vigie/common';
import { EngineAuthError, summarizeError, VigieError } from '@vigie/common';
import { BackpressureError } from '../../errors.js';
import type { EventSink, SerializedEvent } from '../../model.js';
import { DeadlineError, withDeadline } from './deadline.js';
import { type BackpressureReason, KafkaSinkMetrics } from './metrics.js';
import { Replayer } from './replayer.js';
import { Spool, SpoolRefusedError } from './spool.js';
import type { SpoolFs } from './spool-fs.js';

/** What the Kafka sink needs; only the first six are usually set. */
export interface KafkaEventSinkOptions {
  /** The bus to publish on; build it with acks=-1, gzip and an idempotent producer. */
  bus: LogBus;
  topic: string;
  /** Folder of the spool (under the collector's `dataDir`). */
  spoolDir: string;
  /** Disk the spool may use; beyond it `write` rejects with `BackpressureError`. */
  spoolMaxBytes: number;
  logger: Logger;
  registry: Registry;
  /** How long the first of concurrent writes waits for others to share its request, ms (default 5). */
  lingerMs?: number;
  /** Payload bytes of one publish (default 512 KiB, under the broker's 1 MiB request limit). */
  maxBatchBytes?: number;
  /** Bytes of events waiting for their turn; beyond it `write` rejects at once (default 64 MiB). */
  maxQueuedBytes?: number;
  /** A publish not acknowledged in this time counts as Kafka being away, ms (default 15000). */
  publishTimeoutMs?: number;
  /** Time limit of one health probe while the spool waits for Kafka, ms (default 5000). */
  probeTimeoutMs?: number;
  /** First and longest pause between two probes of an unreachable Kafka, ms (defaults 250 and 5000). */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** Size of one spool segment file (default: spoolMaxBytes / 16, 1–64 MiB). */
  spoolSegmentBytes?: number;
  /**
   * Largest serialised event, bytes (default 1,000,000: below the broker's default
   * message.max.bytes, so that one event can never block the spool behind it).
   */
  maxEventBytes?: number;
  /** `Retry-After` given to sources on backpressure, seconds (default 5). */
  retryAfterSeconds?: number;
  /** File system of the spool (default: the real one). */
  fs?: SpoolFs;
}

interface PendingWrite {
  records: BusRecord[];
  bytes: number;
  resolve: () => void;
  reject: (err: Error) => void;
}

/**
 * Delivers the collector's events to Kafka, keyed by `service.name` so that the events
 * of one service keep their order in one partition. `write` resolves only once its
 * events are durable: acknowledged by Kafka, or fsynced to the on-disk spool when Kafka
 * is away. Concurrent writes share a publish; while the spool holds anything, new
 * events go behind it, and a replayer sends it to Kafka in order once Kafka answers.
 * When neither Kafka nor the spool can take events, `write` rejects with
 * `BackpressureError`: nothing is ever dropped.
 *
 * Lifecycle: `start()` opens the spool (recovering what a previous process left) and
 * starts the replayer; `stop()` delivers the writes already accepted, stops the replayer
 * and leaves the spool on disk; it is idempotent and safe without `start()`.
 */
export class KafkaEventSink implements EventSink {
  private readonly logger: Logger;
  private readonly metrics: KafkaSinkMetrics;
  private readonly spool: Spool;
  private readonly replayer: Replayer;
  private readonly queue: PendingWrite[] = [];
  private queuedBytes = 0;
  private pumping: Promise<void> | undefined;
  private state: 'new' | 'started' | 'stopped' = 'new';
  private refusal: EngineAuthError | undefined;

  constructor(private readonly options: KafkaEventSinkOptions) {
    this.logger = options.logger.child({ component: 'kafka-sink' });
    this.metrics = new KafkaSinkMetrics(options.registry);
    this.spool = new Spool({
      dir: options.spoolDir,
      maxBytes: options.spoolMaxBytes,
      segmentBytes: options.spoolSegmentBytes,
      retryAfterSeconds: options.retryAfterSeconds,
      logger: this.logger,
      fs: options.fs,
    });
    this.replayer = new Replayer({
      spool: this.spool,
      logger: this.logger,
      metrics: this.metrics,
      publish: (records) => this.publish(records),
      probe: () => this.probeKafka(),
      chunkBytes: this.maxBatchBytes,
      minBackoffMs: options.minBackoffMs ?? 250,
      maxBackoffMs: options.maxBackoffMs ?? 5000,
      onProgress: () => this.updateGauges(),
    });
    this.spool.onAppend = () => this.replayer.notify();
  }

  /** Opens the spool and starts sending what it holds. */
  async start(): Promise<void> {
    if (this.state !== 'new') return;
    await this.spool.open();
    this.updateGauges();
    this.state = 'started';
    this.replayer.start();
  }

  /** Throws when Kafka does not answer (the sink still accepts events then, into the spool). */
  healthcheck(): Promise<void> {
    return this.options.bus.healthcheck();
  }

  /**
   * Where delivery stands, for the readiness checks: `refused` while Kafka refuses the
   * collector's credentials or certificate (found by the probes of the spool's replayer),
   * `spooling` while the spool holds events, `direct` otherwise.
   */
  kafkaStatus(): { state: 'direct' | 'spooling' | 'refused'; reason?: string } {
    if (this.refusal) return { state: 'refused', reason: this.refusal.message };
    return { state: this.spool.isEmpty() ? 'direct' : 'spooling' };
  }

  /**
   * Resolves when every event is acknowledged by Kafka or fsynced to the spool. Rejects
   * with `BackpressureError` when neither can take them now, and with a non-retriable
   * `VIGIE_ERR_EVENT_TOO_LARGE` (HTTP 413) when an event is larger than Kafka takes:
   * nothing of that write is sent then.
   */
  write(events: LogEvent[]): Promise<void> {
    return this.writeSerialized(
      events.map((event) => ({ key: event.service.name, value: Buffer.from(JSON.stringify(event)) })),
    );
  }

  /** `write` for events already serialised (by the parse workers). */
  writeSerialized(events: SerializedEvent[]): Promise<void> {
    if (events.length === 0) return Promise.resolve();
    if (this.state !== 'started') {
      return Promise.reject(this.refuse('stopped', new BackpressureError('the Kafka sink is not running')));
    }
    const timestamp = Date.now();
    const records = events.map(({ key, value }) => ({ key, value, timestamp }));
    const tooLarge = records.filter((r) => r.value.length > (this.options.maxEventBytes ?? 1_000_000)).length;
    if (tooLarge > 0) {
      this.metrics.tooLarge.inc(tooLarge);
      return Promise.reject(
        new VigieError('VIGIE_ERR_EVENT_TOO_LARGE', `${tooLarge} event(s) too large for Kafka`, {
          httpStatus: 413,
        }),
      );
    }
    const bytes = records.reduce((sum, r) => sum + r.value.length + r.key.length, 0);
    if (
      this.queue.length > 0 &&
      this.queuedBytes + bytes > (this.options.maxQueuedBytes ?? 64 * 1024 * 1024)
    ) {
      const err = new BackpressureError('too many events wait for Kafka', this.options.retryAfterSeconds);
      return Promise.reject(this.refuse('queue_full', err));
    }
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ records, bytes, resolve, reject });
      this.queuedBytes += bytes;
      this.schedule();
    });
  }

  /** Delivers the accepted writes, stops the replayer and closes the spool (kept on disk). */
  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    const wasStarted = this.state === 'started';
    this.state = 'stopped';
    if (!wasStarted) return;
    await this.pumping;
    await this.replayer.stop();
    await this.spool.close();
  }

  private get maxBatchBytes(): number {
    return this.options.maxBatchBytes ?? 512 * 1024;
  }

  private schedule(): void {
    if (this.pumping) return;
    this.pumping = this.pump().finally(() => {
      this.pumping = undefined;
      if (this.queue.length > 0) this.schedule();
    });
  }

  /** Delivers queued writes one batch at a time, so that batches keep their order. */
  private async pump(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, this.options.lingerMs ?? 5));
    while (this.queue.length > 0) {
      const batch: PendingWrite[] = [];
      let bytes = 0;
      while (this.queue.length > 0) {
        const next = this.queue[0] as PendingWrite;
        if (batch.length > 0 && bytes + next.bytes > this.maxBatchBytes) break;
        batch.push(next);
        bytes += next.bytes;
        this.queue.shift();
      }
      this.queuedBytes -= bytes;
      await this.deliver(batch);
    }
  }

  private async deliver(batch: PendingWrite[]): Promise<void> {
    const records = batch.flatMap((write) => write.records);
    let acknowledged = 0;
    let failed: { records: number; late: DeadlineError | undefined } | undefined;
    if (this.spool.isEmpty()) {
      // A write larger than a request is sent in slices; those acknowledged before a
      // failure are not spooled again.
      for (const slice of slicesOf(records, this.maxBatchBytes)) {
        try {
          await this.publish(slice);
        } catch (err) {
          this.metrics.publishErrors.inc({ path: 'direct' });
          this.logger.warn(
            { err: summarizeError(err) },
            'Kafka did not acknowledge events; they go to the spool until it is back.',
          );
          this.replayer.kafkaFailed();
          failed = { records: slice.length, late: err instanceof DeadlineError ? err : undefined };
          break;
        }
        acknowledged += slice.length;
      }
      this.metrics.sent.inc(acknowledged);
    }
    let failure: BackpressureError | undefined;
    if (acknowledged < records.length) {
      // The spool was empty: the slice that failed will be its head.
      if (failed) this.replayer.headFailed(failed.records, failed.late?.operation);
      try {
        await this.spool.append(records.slice(acknowledged));
        this.metrics.spooled.inc(records.length - acknowledged);
      } catch (err) {
        this.replayer.headNotSpooled();
        failure =
          err instanceof SpoolRefusedError
            ? err
            : new BackpressureError('the spool cannot be written', this.options.retryAfterSeconds);
      }
      this.updateGauges();
    }
    let end = 0;
    for (const write of batch) {
      end += write.records.length;
      if (failure && end > acknowledged) {
        write.reject(
          this.refuse(failure instanceof SpoolRefusedError ? failure.reason : 'spool_error', failure),
        );
      } else {
        write.resolve();
      }
    }
  }

  /**
   * The replayer's probe. Kafka refusing the credentials after the collector started (a
   * rotated password, Kafka down at start) is logged once as an error and shown in the
   * readiness checks and `vigie_collector_kafka_refused`; the spool keeps taking events,
   * as log shippers do, so nothing read from files is lost while someone fixes it.
   */
  private async probeKafka(): Promise<void> {
    try {
      await withDeadline(this.options.bus.healthcheck(), this.options.probeTimeoutMs ?? 5000, 'Kafka');
      this.setRefusal(undefined);
    } catch (err) {
      if (err instanceof EngineAuthError) this.setRefusal(err);
      throw err;
    }
  }

  private setRefusal(refusal: EngineAuthError | undefined): void {
    if (refusal?.message === this.refusal?.message) return;
    if (refusal) {
      this.logger.error(
        { err: summarizeError(refusal) },
        'Kafka refuses the collector; events stay in the spool until it accepts them.',
      );
    } else {
      this.logger.info('Kafka accepts the collector again; sending the spool.');
    }
    this.refusal = refusal;
    this.metrics.kafkaRefused.set(refusal ? 1 : 0);
  }

  private publish(records: BusRecord[]): Promise<void> {
    return withDeadline(
      this.options.bus.publish(this.options.topic, records),
      this.options.publishTimeoutMs ?? 15_000,
      'Kafka',
    );
  }

  private refuse(reason: BackpressureReason, err: BackpressureError): BackpressureError {
    this.metrics.backpressure.inc({ reason });
    return err;
  }

  private updateGauges(): void {
    this.metrics.spoolBytes.set(this.spool.bytes);
    this.metrics.spoolSegments.set(this.spool.segmentCount);
  }
}
