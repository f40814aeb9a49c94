import type {
  BatchContext,
  Component,
  DetectionStore,
  LogBus,
  Logger,
  LogStore,
  Readiness,
  RecordBatch,
  Subscription,
  VigieConfig,
} from '@vigie/common';
import { untilAvailable } from '@vigie/common';
import { DetectionStage } from './detection/detection-stage.js';
import { Indexer } from './indexing/indexer.js';
import { prepareBatch } from './indexing/prepare.js';
import type { ProcessorMetrics } from './metrics.js';

/** What a processor runs on. */
export interface ProcessorOptions {
  config: VigieConfig;
  bus: LogBus;
  store: LogStore & DetectionStore;
  logger: Logger;
  metrics: ProcessorMetrics;
}

const DEPENDENCY_RETRY_MS = 2000;

/**
 * The processor role: a member of the consumer group on the logs topic that stores
 * every record as a log event (or a dead letter) and commits its offset only after the
 * storage acknowledged the whole batch.
 */
export class Processor implements Component {
  private readonly logger: Logger;
  private readonly indexer: Indexer;
  private readonly detection: DetectionStage | undefined;
  private subscription: Subscription | undefined;
  private readonly stopController = new AbortController();
  private storageAvailable = false;

  constructor(private readonly options: ProcessorOptions) {
    this.logger = options.logger.child({ component: 'processor' });
    const { processor } = options.config;
    this.indexer = new Indexer({
      store: options.store,
      metrics: options.metrics,
      logger: this.logger,
      retryMinMs: processor.retryMinMs,
      retryMaxMs: processor.retryMaxMs,
      onStorageState: (available) => {
        this.storageAvailable = available;
      },
    });
    if (options.config.detection.enabled) {
      this.detection = new DetectionStage({
        config: options.config,
        store: options.store,
        bus: options.bus,
        indexer: this.indexer,
        logger: this.logger,
        metrics: options.metrics,
        ownedPartitions: () => this.subscription?.assignedPartitions(),
        backlog: () =>
          options.bus.consumerLag(options.config.kafka.logsTopic, options.config.processor.groupId),
      });
    }
  }

  /** Waits for Kafka and the storage (retrying, so start order does not matter), then joins the group. */
  async start(): Promise<void> {
    const { bus, store, config } = this.options;
    await this.untilAvailable('storage', async () => {
      await store.healthcheck();
      await store.setup();
    });
    this.storageAvailable = true;
    await this.untilAvailable('bus', async () => {
      await bus.healthcheck();
      await bus.ensureTopic(config.kafka.logsTopic, config.kafka.partitions);
      await this.detection?.start();
    });
    if (this.stopController.signal.aborted) return;
    this.subscription = await bus.subscribe({
      topic: config.kafka.logsTopic,
      groupId: config.processor.groupId,
      concurrency: config.processor.concurrency,
      maxBytesPerPartition: config.processor.fetchMaxBytes,
      handleBatch: (batch, context) => this.handleBatch(batch, context),
      onAssigned: (partitions) => this.detection?.releaseMoved(partitions),
    });
    this.logger.info(
      { topic: config.kafka.logsTopic, group: config.processor.groupId },
      'Processor started.',
    );
  }

  async stop(): Promise<void> {
    this.stopController.abort();
    await this.subscription?.stop();
    this.subscription = undefined;
    await this.detection?.stop();
  }

  /**
   * Ready when the processor joined its group and the storage answers. After a failed
   * write, the storage counts as unavailable until a write or a health check succeeds,
   * so a probe after an outage does not wait for new traffic to turn ready again.
   */
  async readiness(): Promise<Readiness> {
    if (!this.storageAvailable && this.subscription) {
      this.storageAvailable = await this.options.store.healthcheck().then(
        () => true,
        () => false,
      );
    }
    const joined = this.subscription !== undefined;
    return {
      ready: joined && this.storageAvailable,
      checks: {
        bus: joined
          ? `joined, partitions [${this.subscription?.assignedPartitions().join(',')}]`
          : 'not joined',
        storage: this.storageAvailable ? 'ok' : 'unavailable',
      },
    };
  }

  private async handleBatch(batch: RecordBatch, context: BatchContext): Promise<void> {
    const { metrics } = this.options;
    const first = batch.records[0];
    const last = batch.records.at(-1);
    if (!first || !last) return;
    const replayFrom = await this.detection?.replayPoint(batch.partition, BigInt(first.offset));
    if (replayFrom !== undefined) {
      context.replayFrom(replayFrom);
      return;
    }
    metrics.received.inc(batch.records.length);
    const prepared = prepareBatch(batch);
    const writing = this.indexer.write(prepared, context.signal);
    // Detection's CPU work runs while Elasticsearch indexes the batch; its output is
    // written only once the batch is indexed, before the offsets are committed.
    const detecting = this.detection?.ingest(
      batch.partition,
      prepared.logs.map((log) => ({
        id: log.id,
        offset: BigInt(log.record.offset),
        event: log.event,
        recordTime: log.record.timestamp,
      })),
      BigInt(last.offset),
    );
    await Promise.all([writing, detecting]);
    await this.detection?.flush(batch.partition, context.signal);
  }

  private untilAvailable(what: string, attempt: () => Promise<void>): Promise<void> {
    return untilAvailable(what, attempt, {
      signal: this.stopController.signal,
      logger: this.logger,
      retryMs: DEPENDENCY_RETRY_MS,
    });
  }
}
