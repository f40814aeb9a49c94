import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '@vigie/common';
import { writeFileAtomic } from './fs-durable.js';
import { OffsetStore } from './offset-store.js';
import { PartitionLog, type Segment, type SegmentPolicy } from './partition-log.js';

/** How long and how much a topic keeps: whole segments past either bound are deleted. */
export interface RetentionPolicy {
  /** Segments whose last write is older are deleted. */
  retentionMs: number;
  /** Oldest segments are deleted while the topic's partitions hold more bytes. */
  retentionBytes: number;
}

interface TopicFile {
  version: 1;
  partitions: number;
}

/** A topic's folder: `topic.json`, `offsets.json` and one folder per partition. */
export class Topic {
  readonly partitions: PartitionLog[] = [];

  private constructor(
    readonly name: string,
    private readonly dir: string,
    readonly offsets: OffsetStore,
    private readonly policy: SegmentPolicy,
    private readonly logger: Logger,
  ) {}

  /** Opens the topic found in `dir`, or creates it with `partitions` partitions when absent. */
  static async open(
    name: string,
    dir: string,
    partitions: number,
    policy: SegmentPolicy,
    logger: Logger,
  ): Promise<Topic> {
    await mkdir(dir, { recursive: true });
    const metaPath = join(dir, 'topic.json');
    let existing: number | undefined;
    try {
      existing = (JSON.parse(await readFile(metaPath, 'utf8')) as TopicFile).partitions;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const topic = new Topic(name, dir, await OffsetStore.load(join(dir, 'offsets.json')), policy, logger);
    await topic.grow(existing ?? partitions);
    return topic;
  }

  /** Adds partitions up to `count`; never removes any. */
  async grow(count: number): Promise<boolean> {
    if (count <= this.partitions.length) return false;
    const file: TopicFile = { version: 1, partitions: count };
    await writeFileAtomic(join(this.dir, 'topic.json'), JSON.stringify(file));
    for (let partition = this.partitions.length; partition < count; partition++) {
      const { log, truncatedBytes } = await PartitionLog.open(join(this.dir, String(partition)), this.policy);
      if (truncatedBytes > 0) {
        this.logger.warn(
          { topic: this.name, partition, truncatedBytes },
          'Truncated a torn record at the end of a partition (a crash cut it short; it was never acknowledged).',
        );
      }
      this.partitions.push(log);
    }
    return true;
  }

  /** Deletes whole sealed segments past the retention age, then past the topic's size bound. */
  async enforceRetention(policy: RetentionPolicy, now: number): Promise<number> {
    let deleted = 0;
    for (const log of this.partitions) {
      while ((log.sealedSegments()[0]?.lastWrite ?? now) < now - policy.retentionMs) {
        await log.deleteOldestSegment();
        deleted++;
      }
    }
    let size = this.partitions.reduce((sum, log) => sum + log.sizeBytes, 0);
    while (size > policy.retentionBytes) {
      let oldest: { log: PartitionLog; segment: Segment } | undefined;
      for (const log of this.partitions) {
        const segment = log.sealedSegments()[0];
        if (segment && (!oldest || segment.lastWrite < oldest.segment.lastWrite)) oldest = { log, segment };
      }
      if (!oldest) break;
      await oldest.log.deleteOldestSegment();
      size -= oldest.segment.size;
      deleted++;
    }
    if (deleted > 0)
      this.logger.info({ topic: this.name, deletedSegments: deleted }, 'Retention deleted old segments.');
    return deleted;
  }

  async close(): Promise<void> {
    await this.offsets.settled();
    await Promise.all(this.partitions.map((log) => log.close()));
  }
}
