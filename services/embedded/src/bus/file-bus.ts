import { access, constants, mkdir, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { BusRecord, LogBus, Logger, SubscribeOptions, Subscription } from '@vigie/common';
import { createLogger, UnavailableError, VigieError } from '@vigie/common';
import { CoalescingRunner } from './coalescing-runner.js';
import { ConsumerGroup } from './consumer-group.js';
import { DirLock } from './dir-lock.js';
import { FileSubscription } from './file-subscription.js';
import { partitionOfKey } from './partitioner.js';
import { encodeRecord } from './record-codec.js';
import { type RetentionPolicy, Topic } from './topic.js';

/** Where and how the embedded bus keeps its records. */
export interface FileBusOptions {
  /** Folder of the bus's files; one process at a time (a lock file guards it). */
  dataDir: string;
  logger?: Logger;
  /** A partition starts a new segment file past this size (default 64 MiB). */
  segmentBytes?: number;
  /** … or when its segment is older than this (default 1 hour), so age retention can delete it. */
  segmentMs?: number;
  /** Segments whose last record is older are deleted (default 7 days). */
  retentionMs?: number;
  /** Bytes kept per topic, over all its partitions, before old segments are deleted (default 10 GiB). */
  retentionBytes?: number;
  /** How often retention runs (default 1 minute). */
  retentionCheckMs?: number;
  /** Partitions of a topic first used by `publish` or `subscribe` without `ensureTopic` (default 1). */
  defaultPartitions?: number;
}

const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,200}$/;

/**
 * The embedded `LogBus` of the all-in-one mode: keyed records on partitioned topics in
 * append-only segment files, fsynced before `publish` resolves (one fsync per flush round,
 * shared by every publish waiting), consumer groups of this process with offsets committed
 * in atomically replaced files, retention by age and size, and recovery that cuts a torn
 * last record left by a crash.
 */
export class FileBus implements LogBus {
  private readonly topics = new Map<string, Promise<Topic>>();
  private readonly groups = new Map<string, ConsumerGroup>();
  private readonly subscriptions = new Set<FileSubscription>();
  private readonly flusher = new CoalescingRunner(() => this.flushAll());
  private readonly dirty = new Set<Topic['partitions'][number]>();
  private readonly retentionTimer: NodeJS.Timeout;
  private nextNullKeyPartition = 0;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly options: Required<Omit<FileBusOptions, 'logger'>>,
    private readonly logger: Logger,
    private readonly lock: DirLock,
  ) {
    this.retentionTimer = setInterval(() => {
      this.enforceRetention().catch((err: unknown) =>
        this.logger.warn({ err }, 'Retention of the embedded bus failed; trying again later.'),
      );
    }, options.retentionCheckMs);
    this.retentionTimer.unref();
  }

  /** Locks the folder, recovers every topic found in it and enforces retention once. */
  static async open(options: FileBusOptions): Promise<FileBus> {
    const dataDir = resolve(options.dataDir);
    await mkdir(join(dataDir, 'topics'), { recursive: true });
    const lock = await DirLock.acquire(dataDir);
    const logger = (options.logger ?? createLogger({ level: 'info', role: 'bus' })).child({
      component: 'file-bus',
    });
    const bus = new FileBus(
      {
        dataDir,
        segmentBytes: options.segmentBytes ?? 64 * 1024 * 1024,
        segmentMs: options.segmentMs ?? 60 * 60 * 1000,
        retentionMs: options.retentionMs ?? 7 * 24 * 60 * 60 * 1000,
        retentionBytes: options.retentionBytes ?? 10 * 1024 * 1024 * 1024,
        retentionCheckMs: options.retentionCheckMs ?? 60 * 1000,
        defaultPartitions: options.defaultPartitions ?? 1,
      },
      logger,
      lock,
    );
    try {
      for (const name of await readdir(join(dataDir, 'topics'))) {
        if (TOPIC_NAME.test(name)) await bus.topic(name, bus.options.defaultPartitions);
      }
      await bus.enforceRetention();
    } catch (err) {
      await bus.close();
      throw err;
    }
    return bus;
  }

  async healthcheck(): Promise<void> {
    if (this.closing) throw new UnavailableError('The embedded bus (closed)');
    try {
      await access(this.options.dataDir, constants.W_OK);
    } catch (err) {
      throw new UnavailableError('The embedded bus folder', err);
    }
    for (const log of this.dirty) if (log.broken) throw new UnavailableError('The embedded bus', log.broken);
  }

  async ensureTopic(topic: string, partitions: number): Promise<void> {
    const opened = await this.topic(topic, partitions);
    if (await opened.grow(partitions)) {
      for (const group of this.groups.values()) if (group.topic === opened) await group.rebalance();
    }
  }

  async publish(topic: string, records: BusRecord[]): Promise<void> {
    this.assertOpen();
    if (records.length === 0) return;
    const target = await this.topic(topic, this.options.defaultPartitions);
    const count = target.partitions.length;
    const now = Date.now();
    for (const record of records) {
      const partition =
        record.key === null ? this.nextNullKeyPartition++ % count : partitionOfKey(record.key, count);
      const log = target.partitions[partition] as Topic['partitions'][number];
      log.append(encodeRecord({ key: record.key, value: record.value, timestamp: record.timestamp ?? now }));
      this.dirty.add(log);
    }
    await this.flusher.request();
  }

  async consumerLag(topic: string, groupId: string): Promise<Map<number, number>> {
    const target = await this.topic(topic, this.options.defaultPartitions);
    const lag = new Map<number, number>();
    target.partitions.forEach((log, partition) => {
      const committed = Math.max(target.offsets.committed(groupId, partition) ?? 0, log.startOffset);
      lag.set(partition, Math.max(log.endOffset - committed, 0));
    });
    return lag;
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    this.assertOpen();
    const topic = await this.topic(options.topic, this.options.defaultPartitions);
    const key = JSON.stringify([options.topic, options.groupId]);
    let group = this.groups.get(key);
    if (!group) {
      group = new ConsumerGroup(topic, options.groupId);
      this.groups.set(key, group);
    }
    const subscription = new FileSubscription(group, options, this.logger, (stopped) => {
      this.subscriptions.delete(stopped);
      if (group.empty && this.groups.get(key) === group) this.groups.delete(key);
    });
    this.subscriptions.add(subscription);
    await group.join(subscription);
    return subscription;
  }

  /** Deletes whole segments past the retention bounds now (also runs on a timer). */
  async enforceRetention(now = Date.now()): Promise<void> {
    const policy: RetentionPolicy = this.options;
    for (const topic of this.topics.values()) await (await topic).enforceRetention(policy, now);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      clearInterval(this.retentionTimer);
      await Promise.allSettled([...this.subscriptions].map((s) => s.stop()));
      await this.flusher.idle();
      const topics = await Promise.allSettled(this.topics.values());
      for (const topic of topics) if (topic.status === 'fulfilled') await topic.value.close();
      await this.lock.release();
    })();
    return this.closing;
  }

  private topic(name: string, partitions: number): Promise<Topic> {
    let topic = this.topics.get(name);
    if (!topic) {
      if (!TOPIC_NAME.test(name) || name === '.' || name === '..') {
        return Promise.reject(
          new VigieError(
            'VIGIE_ERR_INVALID_TOPIC',
            `Invalid topic name ${JSON.stringify(name.slice(0, 200))}.`,
          ),
        );
      }
      const dir = join(this.options.dataDir, 'topics', name);
      const policy = { segmentBytes: this.options.segmentBytes, segmentMs: this.options.segmentMs };
      topic = Topic.open(name, dir, partitions, policy, this.logger);
      topic.catch(() => this.topics.delete(name));
      this.topics.set(name, topic);
    }
    return topic;
  }

  private async flushAll(): Promise<void> {
    const logs = [...this.dirty];
    this.dirty.clear();
    const results = await Promise.allSettled(logs.map((log) => log.flush()));
    const failed = results.find((result) => result.status === 'rejected');
    if (failed) {
      // Kept so that healthcheck reports the broken partition.
      for (const log of logs) if (log.broken) this.dirty.add(log);
      throw new UnavailableError('The embedded bus', failed.reason);
    }
  }

  private assertOpen(): void {
    if (this.closing) throw new UnavailableError('The embedded bus (closed)');
  }
}
