import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger, RecordBatch, SubscribeOptions, Subscription } from '@vigie/common';
import { summarizeError } from '@vigie/common';
import type { Batch, Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import pLimit, { type LimitFunction } from 'p-limit';

const REDELIVERY_PAUSE_MS = 1000;
const WAIT_SLICE_MS = 1000;
/**
 * Batches of one partition fetched ahead of the one being handled. While the storage
 * indexes batch k, kafkajs fetches and decodes batch k+1, so neither side waits for
 * the other; the cost is that many more batches in memory.
 */
const PIPELINE_DEPTH = 2;

/** The batches of one partition, handled one after the other, committed in order. */
interface Lane {
  tail: Promise<void>;
  queued: number;
  controller: AbortController;
  slotFreed: Array<() => void>;
  /**
   * Set while a replay is under way: batches that start after this offset were fetched
   * before the seek and are dropped until the replayed records arrive.
   */
  replayingFrom?: bigint;
  /** Replays so far: a batch queued before the latest one is stale and skipped. */
  generation: number;
}

/** The oldest offset a partition still holds (records before it were deleted by retention). */
export type EarliestOffset = (topic: string, partition: number) => Promise<string>;

/**
 * One consumer-group member. Each partition has a lane: its batches reach the handler
 * one at a time and in order, and a batch's offset is committed only when its handler
 * resolved and every earlier batch of the lane was committed. A rejected handler gets
 * the same batch again after a pause, until the partition moves away or the
 * subscription stops; later batches of the lane wait meanwhile, so nothing is skipped.
 */
export class KafkaSubscription implements Subscription {
  private readonly consumer: Consumer;
  private readonly assigned = new Set<number>();
  private readonly lanes = new Map<number, Lane>();
  private readonly limit: LimitFunction;
  private stopping: Promise<void> | undefined;

  constructor(
    kafka: Kafka,
    private readonly options: SubscribeOptions,
    private readonly logger: Logger,
    private readonly onStopped: () => void,
    private readonly earliestOffset: EarliestOffset,
  ) {
    const maxBytesPerPartition = options.maxBytesPerPartition ?? 1024 * 1024;
    const concurrency = options.concurrency ?? 1;
    this.limit = pLimit(concurrency);
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      maxBytesPerPartition,
      maxBytes: maxBytesPerPartition * concurrency,
      maxWaitTimeInMs: 250,
      // A member that died is noticed after 10 s, so its partitions move on quickly.
      sessionTimeout: 10000,
      heartbeatInterval: 3000,
    });
    this.consumer.on(this.consumer.events.GROUP_JOIN, (event) => {
      this.assigned.clear();
      for (const partition of event.payload.memberAssignment[options.topic] ?? [])
        this.assigned.add(partition);
      // Work on partitions that moved to another member is abandoned: the new owner
      // replays it from the last commit (writes are idempotent).
      for (const [partition, lane] of this.lanes) {
        if (!this.assigned.has(partition)) this.dropLane(partition, lane);
      }
      options.onAssigned?.(this.assignedPartitions());
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
      eachBatch: (payload) => this.enqueue(payload),
    });
  }

  assignedPartitions(): number[] {
    return [...this.assigned].sort((a, b) => a - b);
  }

  stop(): Promise<void> {
    if (!this.stopping) {
      const tails = [...this.lanes.values()].map((lane) => lane.tail);
      for (const [partition, lane] of this.lanes) this.dropLane(partition, lane);
      // Handlers see the abort and return; nothing of this member runs after stop().
      this.stopping = Promise.allSettled(tails)
        .then(() => this.consumer.disconnect())
        .finally(() => {
          this.assigned.clear();
          this.onStopped();
        });
    }
    return this.stopping;
  }

  /** Puts a fetched batch in its partition's lane, waiting while the lane is full (backpressure). */
  private async enqueue(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    if (batch.messages.length === 0) return;
    const lane = this.laneOf(batch.partition);
    while (lane.queued >= PIPELINE_DEPTH) {
      if (!payload.isRunning() || lane.controller.signal.aborted) return;
      await new Promise<void>((resolve) => {
        lane.slotFreed.push(resolve);
        setTimeout(resolve, WAIT_SLICE_MS);
      });
      // kafkajs heartbeats between fetches only: keep the membership alive while waiting.
      await payload.heartbeat().catch(() => undefined);
    }
    if (!payload.isRunning() || lane.controller.signal.aborted) return;
    // Checked once there is room, not before: a replay asked while this batch waited
    // makes it stale too.
    if (lane.replayingFrom !== undefined) {
      if (BigInt(batch.firstOffset() ?? batch.lastOffset()) > lane.replayingFrom) return;
      lane.replayingFrom = undefined;
    }

    lane.queued++;
    // kafkajs fetches on from here; the commit waits for the handler, in the lane.
    payload.resolveOffset(batch.lastOffset());
    const recordBatch = toRecordBatch(batch);
    const { signal } = lane.controller;
    const generation = lane.generation;
    const current = () => !signal.aborted && generation === lane.generation;
    lane.tail = lane.tail
      .then(() => (current() ? this.limit(() => this.handleUntilDone(recordBatch, signal)) : undefined))
      .then((done) => (done ? this.commit(batch) : undefined))
      .catch((err: unknown) =>
        this.logger.error({ err: summarizeError(err), partition: batch.partition }, 'Lane failed.'),
      )
      .finally(() => {
        lane.queued--;
        for (const resolve of lane.slotFreed.splice(0)) resolve();
      });
  }

  /** Runs the handler until it succeeds (true) or the lane is dropped (false). */
  private async handleUntilDone(batch: RecordBatch, signal: AbortSignal): Promise<boolean> {
    while (!signal.aborted) {
      let replayFrom: string | undefined;
      try {
        await this.options.handleBatch(batch, { signal, replayFrom: (offset) => (replayFrom = offset) });
        if (replayFrom === undefined) return true;
        await this.replay(batch, replayFrom);
        return false;
      } catch (err) {
        if (signal.aborted) break;
        this.logger.warn(
          { err: summarizeError(err), partition: batch.partition },
          'Batch handler failed; delivering it again.',
        );
        await sleep(REDELIVERY_PAUSE_MS, undefined, { signal }).catch(() => undefined);
      }
    }
    return false;
  }

  /**
   * Moves the partition's fetch position back to `offset` (or to the oldest record left)
   * and drops what was fetched ahead; the lane's later batches are skipped by offset.
   */
  private async replay(batch: RecordBatch, offset: string): Promise<void> {
    const earliest = BigInt(await this.earliestOffset(batch.topic, batch.partition));
    const from = BigInt(offset) > earliest ? BigInt(offset) : earliest;
    const lane = this.lanes.get(batch.partition);
    if (lane) {
      lane.replayingFrom = from;
      lane.generation++;
    }
    this.logger.info(
      {
        partition: batch.partition,
        from: from.toString(),
        asked: offset,
        batchStart: batch.records[0]?.offset,
      },
      'Replaying records for the handler.',
    );
    this.consumer.seek({ topic: batch.topic, partition: batch.partition, offset: from.toString() });
  }

  private async commit(batch: Batch): Promise<void> {
    const lane = this.lanes.get(batch.partition);
    if (!lane || lane.controller.signal.aborted) return;
    const next = (BigInt(batch.lastOffset()) + 1n).toString();
    try {
      await this.consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: next }]);
    } catch (err) {
      // The group is rebalancing: whoever owns the partition next replays from the last
      // commit, which is harmless because writes are idempotent.
      this.logger.info(
        { err: summarizeError(err), partition: batch.partition },
        'Commit refused during a rebalance.',
      );
    }
  }

  private laneOf(partition: number): Lane {
    let lane = this.lanes.get(partition);
    if (!lane || lane.controller.signal.aborted) {
      lane = {
        tail: Promise.resolve(),
        queued: 0,
        controller: new AbortController(),
        slotFreed: [],
        generation: 0,
      };
      this.lanes.set(partition, lane);
    }
    return lane;
  }

  private dropLane(partition: number, lane: Lane): void {
    lane.controller.abort();
    for (const resolve of lane.slotFreed.splice(0)) resolve();
    this.lanes.delete(partition);
  }
}

function toRecordBatch(batch: Batch): RecordBatch {
  return {
    topic: batch.topic,
    partition: batch.partition,
    records: batch.messages.map((m) => ({
      key: m.key === null ? null : m.key.toString('utf8'),
      value: m.value ?? Buffer.alloc(0),
      timestamp: Number(m.timestamp),
      offset: m.offset,
    })),
  };
}
