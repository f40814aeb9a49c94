import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger, RecordBatch, SubscribeOptions, Subscription } from '@vigie/common';
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';

const REDELIVERY_PAUSE_MS = 1000;
const KEEP_ALIVE_MS = 1000;

/**
 * One consumer-group member. Each batch goes to the handler; its last offset is
 * committed only when the handler resolved. A rejected handler gets the same batch
 * again after a pause, until the partition moves away or the subscription stops.
 */
export class KafkaSubscription implements Subscription {
  private readonly consumer: Consumer;
  private readonly assigned = new Set<number>();
  private readonly inFlight = new Set<AbortController>();
  private stopping: Promise<void> | undefined;

  constructor(
    kafka: Kafka,
    private readonly options: SubscribeOptions,
    private readonly logger: Logger,
    private readonly onStopped: () => void,
  ) {
    const maxBytesPerPartition = options.maxBytesPerPartition ?? 1024 * 1024;
    const concurrency = options.concurrency ?? 1;
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      maxBytesPerPartition,
      // One fetch holds at most what the concurrent handlers can take: memory stays bounded.
      maxBytes: maxBytesPerPartition * concurrency,
      maxWaitTimeInMs: 250,
      sessionTimeout: 30000,
      heartbeatInterval: 3000,
    });
    this.consumer.on(this.consumer.events.GROUP_JOIN, (event) => {
      this.assigned.clear();
      for (const partition of event.payload.memberAssignment[options.topic] ?? [])
        this.assigned.add(partition);
    });
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({
      topics: [this.options.topic],
      fromBeginning: this.options.fromBeginning ?? true,
    });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.concurrency ?? 1,
      eachBatch: (payload) => this.handle(payload),
    });
  }

  assignedPartitions(): number[] {
    return [...this.assigned].sort((a, b) => a - b);
  }

  stop(): Promise<void> {
    if (!this.stopping) {
      for (const controller of this.inFlight) controller.abort();
      this.stopping = this.consumer.disconnect().finally(() => {
        this.assigned.clear();
        this.onStopped();
      });
    }
    return this.stopping;
  }

  private async handle(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    if (batch.messages.length === 0) return;
    const recordBatch: RecordBatch = {
      topic: batch.topic,
      partition: batch.partition,
      records: batch.messages.map((m) => ({
        key: m.key === null ? null : m.key.toString('utf8'),
        value: m.value ?? Buffer.alloc(0),
        timestamp: Number(m.timestamp),
        offset: m.offset,
      })),
    };

    const controller = new AbortController();
    this.inFlight.add(controller);
    // kafkajs only heartbeats between batches: keep the membership alive while the
    // handler waits for storage, and notice when the partition is taken away.
    const keepAlive = setInterval(() => {
      if (!payload.isRunning() || payload.isStale()) controller.abort();
      else payload.heartbeat().catch(() => controller.abort());
    }, KEEP_ALIVE_MS);
    const context = { signal: controller.signal };

    try {
      while (!controller.signal.aborted) {
        try {
          await this.options.handleBatch(recordBatch, context);
        } catch (err) {
          if (controller.signal.aborted) break;
          this.logger.warn({ err, partition: batch.partition }, 'Batch handler failed; delivering it again.');
          await sleep(REDELIVERY_PAUSE_MS, undefined, { signal: controller.signal }).catch(() => undefined);
          continue;
        }
        await this.commit(payload);
        return;
      }
    } finally {
      clearInterval(keepAlive);
      this.inFlight.delete(controller);
    }
  }

  private async commit(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    payload.resolveOffset(batch.lastOffset());
    const next = (BigInt(batch.lastOffset()) + 1n).toString();
    try {
      await this.consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: next }]);
    } catch (err) {
      // The partition moved during the batch: its new owner replays from the last commit,
      // which is harmless because writes are idempotent.
      this.logger.info({ err, partition: batch.partition }, 'Commit refused after a rebalance.');
    }
  }
}
