import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger, RecordBatch, SubscribeOptions, Subscription } from '@vigie/common';
import { summarizeError } from '@vigie/common';
import type { ConsumerGroup, GroupMember } from './consumer-group.js';
import type { ReadRecord } from './partition-log.js';

const REDELIVERY_PAUSE_MS = 1000;
const DEFAULT_MAX_BYTES_PER_PARTITION = 1024 * 1024;

interface Lane {
  controller: AbortController;
  done: Promise<void>;
}

type Outcome = { kind: 'done' } | { kind: 'replay'; from: number } | { kind: 'aborted' };

/**
 * One member of an in-process consumer group. Each assigned partition has a lane that
 * reads batches from the committed offset on and hands them to the handler one at a
 * time; a batch is committed when its handler resolved, retried after a pause when it
 * rejected, and abandoned uncommitted when the partition is revoked.
 */
export class FileSubscription implements Subscription, GroupMember {
  private readonly lanes = new Map<number, Lane>();
  private readonly permits: Permits;
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly group: ConsumerGroup,
    private readonly options: SubscribeOptions,
    private readonly logger: Logger,
    private readonly onStopped: (subscription: FileSubscription) => void,
  ) {
    this.permits = new Permits(options.concurrency ?? 1);
  }

  assignedPartitions(): number[] {
    return [...this.lanes.keys()].sort((a, b) => a - b);
  }

  stop(): Promise<void> {
    this.stopping ??= this.group.leave(this).finally(() => this.onStopped(this));
    return this.stopping;
  }

  async revokeExcept(keep: ReadonlySet<number>): Promise<void> {
    const ending: Promise<void>[] = [];
    for (const [partition, lane] of this.lanes) {
      if (keep.has(partition)) continue;
      lane.controller.abort();
      ending.push(lane.done);
      this.lanes.delete(partition);
    }
    await Promise.all(ending);
  }

  assign(partitions: ReadonlySet<number>): void {
    if (this.stopping) return;
    for (const partition of partitions) {
      if (this.lanes.has(partition)) continue;
      const controller = new AbortController();
      const done = this.run(partition, controller.signal).catch((err: unknown) =>
        this.logger.error({ err: summarizeError(err), partition }, 'Partition lane failed.'),
      );
      this.lanes.set(partition, { controller, done });
    }
    this.options.onAssigned?.(this.assignedPartitions());
  }

  private async run(partition: number, signal: AbortSignal): Promise<void> {
    const { topic, groupId } = this.group;
    const log = topic.partitions[partition];
    if (!log) return;
    const maxBytes = this.options.maxBytesPerPartition ?? DEFAULT_MAX_BYTES_PER_PARTITION;
    const committed = topic.offsets.committed(groupId, partition);
    let position = committed ?? ((this.options.fromBeginning ?? true) ? log.startOffset : log.endOffset);
    while (!signal.aborted) {
      let records: ReadRecord[];
      try {
        records = await log.read(position, maxBytes);
      } catch (err) {
        this.logger.error(
          { err: summarizeError(err), partition },
          'Reading the partition failed; trying again.',
        );
        await sleep(REDELIVERY_PAUSE_MS, undefined, { signal }).catch(() => undefined);
        continue;
      }
      if (records.length === 0) {
        await log.waitBeyond(position, signal);
        continue;
      }
      const outcome = await this.handleUntilDone(toBatch(topic.name, partition, records), signal);
      if (outcome.kind === 'aborted' || signal.aborted) return;
      if (outcome.kind === 'replay') {
        this.logger.info(
          { partition, from: outcome.from, batchStart: records[0]?.offset },
          'Replaying records for the handler.',
        );
        position = Math.max(outcome.from, log.startOffset);
        continue;
      }
      position = (records.at(-1) as ReadRecord).offset + 1;
      topic.offsets
        .commit(groupId, partition, position)
        .catch((err: unknown) =>
          this.logger.warn({ err: summarizeError(err), partition }, 'Could not persist a committed offset.'),
        );
    }
  }

  private async handleUntilDone(batch: RecordBatch, signal: AbortSignal): Promise<Outcome> {
    while (!signal.aborted) {
      let replayFrom: number | undefined;
      const replay = (offset: string) => {
        if (!/^\d+$/.test(offset)) throw new TypeError(`Not an offset: ${offset}`);
        replayFrom = Number(offset);
      };
      try {
        await this.permits.run(() => this.options.handleBatch(batch, { signal, replayFrom: replay }), signal);
        return replayFrom === undefined ? { kind: 'done' } : { kind: 'replay', from: replayFrom };
      } catch (err) {
        if (signal.aborted) break;
        this.logger.warn(
          { err: summarizeError(err), partition: batch.partition },
          'Batch handler failed; delivering it again.',
        );
        await sleep(REDELIVERY_PAUSE_MS, undefined, { signal }).catch(() => undefined);
      }
    }
    return { kind: 'aborted' };
  }
}

/** At most `limit` handlers at once across the member's partitions. */
class Permits {
  private active = 0;
  private readonly queue: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  /** Runs `task` when a permit is free; rejects without running it when `signal` aborts first. */
  async run<T>(task: () => Promise<T>, signal: AbortSignal): Promise<T> {
    if (this.active >= this.limit) {
      await new Promise<void>((resolve, reject) => {
        const granted = () => {
          signal.removeEventListener('abort', cancel);
          resolve();
        };
        const cancel = () => {
          this.queue.splice(this.queue.indexOf(granted), 1);
          reject(signal.reason);
        };
        if (signal.aborted) return reject(signal.reason);
        this.queue.push(granted);
        signal.addEventListener('abort', cancel, { once: true });
      });
    } else {
      this.active++;
    }
    try {
      return await task();
    } finally {
      const next = this.queue.shift();
      if (next) next();
      else this.active--;
    }
  }
}

function toBatch(topic: string, partition: number, records: ReadRecord[]): RecordBatch {
  return {
    topic,
    partition,
    records: records.map((r) => ({
      key: r.key,
      value: r.value,
      timestamp: r.timestamp,
      offset: String(r.offset),
    })),
  };
}
