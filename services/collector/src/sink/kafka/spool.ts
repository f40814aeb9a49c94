import { join } from 'node:path';
import type { BusRecord, Logger } from '@vigie/common';
import { summarizeError } from '@vigie/common';
import { BackpressureError } from '../../errors.js';
import { decodeRecords, encodeRecords } from './spool-format.js';
import { nodeSpoolFs, readAt, type SpoolFile, type SpoolFs, syncDir } from './spool-fs.js';
import {
  readCursor,
  recoverSegments,
  type SpoolPosition,
  segmentName,
  writeCursor,
} from './spool-recovery.js';

export type { SpoolPosition } from './spool-recovery.js';

/** What a spool needs. */
export interface SpoolOptions {
  /** Folder of the segment files; created when missing. */
  dir: string;
  /** Total bytes of the segment files; an append past it is refused with `BackpressureError`. */
  maxBytes: number;
  /** A new segment starts once the current one reaches this size (default: maxBytes / 16, 1–64 MiB). */
  segmentBytes?: number;
  /** `Retry-After` of the refusals, seconds (default 5). */
  retryAfterSeconds?: number;
  logger: Logger;
  /** File system layer (default: the real one). */
  fs?: SpoolFs;
}

/** Records read from the spool, and where the next ones start. */
export interface SpoolChunk {
  records: BusRecord[];
  next: SpoolPosition;
}

interface Segment {
  id: number;
  /** Bytes written and fsynced; readers never look past them. */
  size: number;
}

/** Why the spool refused an append (a `BackpressureError` that says which limit was hit). */
export class SpoolRefusedError extends BackpressureError {
  /** `spool_full` (maxBytes reached), `disk_full` (ENOSPC) or `spool_error` (any other write failure). */
  readonly reason: 'spool_full' | 'disk_full' | 'spool_error';

  constructor(reason: SpoolRefusedError['reason'], message: string, retryAfterSeconds?: number) {
    super(message, retryAfterSeconds);
    this.reason = reason;
  }
}

/**
 * A bounded, crash-safe, first-in first-out queue of bus records on disk: append-only
 * segment files of checksummed records (see `spool-format.ts`). `append` resolves once
 * the records are fsynced; a reader takes records in order with `read` and releases
 * them with `commit` once they are safe elsewhere, which deletes finished segments.
 * The read position is saved in `cursor.json` so that a restart resumes after the last
 * commit (a lost cursor only means records are read again, never lost).
 *
 * Lifecycle: `open()` once (it recovers what a previous process left), then any number
 * of `append`, `read`, `commit`; `close()` leaves everything on disk.
 */
export class Spool {
  private readonly fs: SpoolFs;
  private readonly logger: Logger;
  private readonly segmentBytes: number;
  private segments: Segment[] = [];
  private head: SpoolPosition = { segment: 1, offset: 0 };
  private nextId = 1;
  /** Handle of the last segment, where appends go; undefined until the next append opens one. */
  private writer: SpoolFile | undefined;
  private appending = 0;
  private queue: Promise<unknown> = Promise.resolve();
  /** Called after every successful append (the replayer waits on it). */
  onAppend: () => void = () => undefined;

  constructor(private readonly options: SpoolOptions) {
    this.fs = options.fs ?? nodeSpoolFs;
    this.logger = options.logger;
    this.segmentBytes =
      options.segmentBytes ?? Math.min(64 * 1024 * 1024, Math.max(1024 * 1024, options.maxBytes / 16));
  }

  /** Creates the folder, checks every segment and cuts off a torn last record. */
  async open(): Promise<void> {
    await this.fs.mkdir(this.options.dir, { recursive: true });
    const recovered = await recoverSegments(this.fs, this.options.dir, this.logger);
    this.segments = recovered.map(({ id, size }) => ({ id, size }));
    this.nextId = (recovered.at(-1)?.id ?? 0) + 1;
    this.head = { segment: this.segments[0]?.id ?? this.nextId, offset: 0 };
    const cursor = await readCursor(this.fs, this.options.dir);
    const segment = this.segments.find((s) => s.id === cursor?.segment);
    if (cursor && segment && cursor.offset <= segment.size) this.head = cursor;
    await this.exclusive(() => this.release());
    if (recovered.length > 0) {
      this.logger.info(
        {
          segments: this.segments.length,
          bytes: this.bytes,
          records: recovered.reduce((sum, s) => sum + s.records, 0),
        },
        'Spool found on disk; its records will be sent to Kafka first.',
      );
    }
  }

  /** True when every record appended so far was committed and no append is under way. */
  isEmpty(): boolean {
    return this.appending === 0 && this.unreadBytes() === 0;
  }

  /** Bytes of the segment files. */
  get bytes(): number {
    return this.segments.reduce((sum, s) => sum + s.size, 0);
  }

  /** Number of segment files. */
  get segmentCount(): number {
    return this.segments.length;
  }

  /**
   * Appends records after every earlier one and fsyncs them. Rejects with a
   * `SpoolRefusedError` (a `BackpressureError`) when the spool is full or the disk refuses the write; the
   * records already in the spool stay intact then.
   */
  async append(records: BusRecord[]): Promise<void> {
    if (records.length === 0) return;
    const data = encodeRecords(records);
    this.appending++;
    try {
      await this.exclusive(() => this.write(data));
    } finally {
      this.appending--;
    }
    this.onAppend();
  }

  /** Reads records from the oldest uncommitted one: about `maxBytes` of them (at least one), at most `maxRecords`. */
  read(maxBytes: number, maxRecords = Number.POSITIVE_INFINITY): Promise<SpoolChunk> {
    return this.exclusive(async () => {
      const index = this.segments.findIndex((s) => s.id === this.head.segment);
      const segment = this.segments[index];
      if (!segment) return { records: [], next: this.head };
      const available = segment.size - this.head.offset;
      if (available === 0) {
        const following = this.segments[index + 1];
        return { records: [], next: following ? { segment: following.id, offset: 0 } : this.head };
      }
      const file = await this.fs.open(join(this.options.dir, segmentName(segment.id)), 'r');
      try {
        let result = decodeRecords(
          await readAt(file, this.head.offset, Math.min(available, maxBytes)),
          maxRecords,
        );
        if (result.records.length === 0 && result.nextBodyBytes !== undefined) {
          // One record larger than maxBytes: read it whole.
          const length = Math.min(available, 8 + result.nextBodyBytes);
          result = decodeRecords(await readAt(file, this.head.offset, length), maxRecords);
        }
        if (result.stop === 'corrupt' || result.records.length === 0) {
          // Only damage after the records were checked at open can get here (the disk
          // changed under us); the rest of this segment cannot be read.
          this.logger.error(
            { segment: segmentName(segment.id), offset: this.head.offset + result.consumed },
            'Spool segment damaged since it was written; its unreadable rest is skipped.',
          );
          return { records: result.records, next: { segment: segment.id, offset: segment.size } };
        }
        return {
          records: result.records,
          next: { segment: segment.id, offset: this.head.offset + result.consumed },
        };
      } finally {
        await file.close();
      }
    });
  }

  /** Releases every record before `next` (they are safe elsewhere): finished segments are deleted. */
  commit(next: SpoolPosition): Promise<void> {
    return this.exclusive(async () => {
      this.head = next;
      await this.release();
    });
  }

  /** Closes the open segment; the spool stays on disk for the next `open`. */
  close(): Promise<void> {
    return this.exclusive(async () => {
      await this.writer?.close();
      this.writer = undefined;
    });
  }

  private unreadBytes(): number {
    let unread = 0;
    for (const segment of this.segments) {
      if (segment.id > this.head.segment) unread += segment.size;
      else if (segment.id === this.head.segment) unread += segment.size - this.head.offset;
    }
    return unread;
  }

  /** Runs file operations one at a time, in call order. */
  private exclusive<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.queue.then(operation);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async write(data: Buffer): Promise<void> {
    if (this.bytes + data.length > this.options.maxBytes) {
      throw new SpoolRefusedError('spool_full', 'the spool is full', this.options.retryAfterSeconds);
    }
    let segment = this.segments.at(-1);
    if (!segment || !this.writer || segment.size >= this.segmentBytes) {
      await this.writer?.close();
      this.writer = undefined;
      const id = this.nextId++;
      this.writer = await this.fs
        .open(join(this.options.dir, segmentName(id)), 'wx+')
        .catch((err: unknown) => this.refuse(err));
      segment = { id, size: 0 };
      this.segments.push(segment);
      // The new file's name must survive a crash as much as its records do.
      await syncDir(this.fs, this.options.dir).catch((err: unknown) => this.refuse(err));
    }
    const writer = this.writer;
    try {
      let written = 0;
      while (written < data.length) {
        const { bytesWritten } = await writer.write(
          data,
          written,
          data.length - written,
          segment.size + written,
        );
        written += bytesWritten;
      }
      await writer.sync();
    } catch (err) {
      // Take the partial write back so that later appends follow valid records. When
      // even that fails, the segment is closed for good: its torn tail lies past the
      // size readers trust, and the next open cuts it off.
      try {
        await writer.truncate(segment.size);
        await writer.sync();
      } catch {
        this.writer = undefined;
        await writer.close().catch(() => undefined);
      }
      this.refuse(err);
    }
    segment.size += data.length;
  }

  private refuse(err: unknown): never {
    const code = (err as { code?: unknown }).code;
    this.logger.warn({ err: summarizeError(err) }, 'Spool write failed; the records were refused.');
    throw code === 'ENOSPC'
      ? new SpoolRefusedError('disk_full', 'the disk of the spool is full', this.options.retryAfterSeconds)
      : new SpoolRefusedError('spool_error', 'the spool cannot be written', this.options.retryAfterSeconds);
  }

  /** Deletes the segments before the read position, and the last one too once all is read. */
  private async release(): Promise<void> {
    while (this.segments.length > 0) {
      const first = this.segments[0] as Segment;
      const finished =
        first.id < this.head.segment ||
        (first.id === this.head.segment && this.head.offset >= first.size && this.segments.length > 1);
      const drained =
        first.id === this.head.segment &&
        this.head.offset >= first.size &&
        this.segments.length === 1 &&
        this.appending === 0;
      if (!finished && !drained) break;
      if (drained) {
        await this.writer?.close();
        this.writer = undefined;
        this.head = { segment: this.nextId, offset: 0 };
      } else if (first.id === this.head.segment) {
        this.head = { segment: (this.segments[1] as Segment).id, offset: 0 };
      }
      await this.fs.unlink(join(this.options.dir, segmentName(first.id)));
      this.segments.shift();
    }
    await writeCursor(this.fs, this.options.dir, this.head);
  }
}
