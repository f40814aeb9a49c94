import { type FileHandle, mkdir, open, readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { fsyncDir } from './fs-durable.js';
import { decodeRecord, HEADER_BYTES, recordSizeAt, type StoredRecord } from './record-codec.js';
import { INDEX_EVERY, scanSegment } from './segment-scan.js';

/** When the active segment is closed and a new one started. */
export interface SegmentPolicy {
  segmentBytes: number;
  segmentMs: number;
}

/** A record read back, with its offset in the partition. */
export interface ReadRecord extends StoredRecord {
  offset: number;
}

/** One file of the partition: the records from offset `base` on. */
export interface Segment {
  base: number;
  path: string;
  size: number;
  count: number;
  /** Sparse position index; built on the first read of a segment found on disk. */
  positions: number[] | undefined;
  /** Epoch ms of the last write into it. */
  lastWrite: number;
  createdAt: number;
}

const SEGMENT_NAME = /^(\d{20})\.log$/;
const MIN_READ_BYTES = 64 * 1024;

/**
 * One partition: an append-only sequence of segment files named by their first offset.
 * Records are queued by `append` and become durable and visible together in `flush`.
 */
export class PartitionLog {
  private segments: Segment[] = [];
  private writer: FileHandle | undefined;
  private pending: Buffer[] = [];
  private end = 0;
  private readonly waiters = new Set<() => void>();
  private failure: Error | undefined;

  private constructor(
    readonly dir: string,
    private readonly policy: SegmentPolicy,
  ) {}

  /** Opens (or creates) the partition's folder, truncating a torn tail left by a crash. */
  static async open(
    dir: string,
    policy: SegmentPolicy,
  ): Promise<{ log: PartitionLog; truncatedBytes: number }> {
    const log = new PartitionLog(dir, policy);
    await mkdir(dir, { recursive: true });
    const bases = (await readdir(dir))
      .map((name) => SEGMENT_NAME.exec(name)?.[1])
      .filter((base): base is string => base !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
    if (bases.length === 0) {
      await log.createSegment(0);
      return { log, truncatedBytes: 0 };
    }
    for (const [i, base] of bases.entries()) {
      const path = segmentPath(dir, base);
      const info = await stat(path);
      const next = bases[i + 1];
      log.segments.push({
        base,
        path,
        size: info.size,
        count: next === undefined ? 0 : next - base,
        positions: undefined,
        lastWrite: info.mtimeMs,
        createdAt: info.mtimeMs,
      });
    }
    const last = log.segments.at(-1) as Segment;
    const scan = await scanSegment(last.path, true);
    const truncatedBytes = last.size - scan.validBytes;
    log.writer = await open(last.path, 'r+');
    if (truncatedBytes > 0) {
      await log.writer.truncate(scan.validBytes);
      await log.writer.sync();
    }
    await log.writer.close();
    log.writer = await open(last.path, 'a');
    Object.assign(last, { size: scan.validBytes, count: scan.count, positions: scan.positions });
    log.end = last.base + last.count;
    return { log, truncatedBytes };
  }

  /** Oldest offset still held. */
  get startOffset(): number {
    return this.segments[0]?.base ?? this.end;
  }

  /** Offset the next record gets; every record before it is durable. */
  get endOffset(): number {
    return this.end;
  }

  get sizeBytes(): number {
    return this.segments.reduce((sum, segment) => sum + segment.size, 0);
  }

  /** Segments that are no longer written to, oldest first (retention deletes these only). */
  sealedSegments(): readonly Segment[] {
    return this.segments.slice(0, -1);
  }

  /** The error that made the partition stop accepting writes, if any. */
  get broken(): Error | undefined {
    return this.failure;
  }

  /** Queues an encoded record for the next `flush`. */
  append(encoded: Buffer): void {
    if (this.failure) throw this.failure;
    this.pending.push(encoded);
  }

  /** Writes the queued records and fsyncs them; then they are visible to readers. */
  async flush(now = Date.now()): Promise<void> {
    if (this.failure) throw this.failure;
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    try {
      let i = 0;
      while (i < batch.length) {
        let active = this.segments.at(-1) as Segment;
        const expired = now - active.createdAt >= this.policy.segmentMs;
        if (active.count > 0 && (active.size >= this.policy.segmentBytes || expired)) {
          await this.roll();
          active = this.segments.at(-1) as Segment;
        }
        const first = i;
        let bytes = 0;
        const positions = active.positions ?? [];
        while (i < batch.length) {
          const record = batch[i] as Buffer;
          if (i > first && active.size + bytes + record.length > this.policy.segmentBytes) break;
          if ((active.count + i - first) % INDEX_EVERY === 0) positions.push(active.size + bytes);
          bytes += record.length;
          i++;
        }
        await writeAll(this.writer as FileHandle, Buffer.concat(batch.slice(first, i), bytes));
        active.positions = positions;
        active.size += bytes;
        active.count += i - first;
        active.lastWrite = now;
      }
      await (this.writer as FileHandle).datasync();
    } catch (err) {
      // The file may hold part of the batch: stop writing; reopening truncates to the last whole record.
      this.failure = new Error(`Writing to ${this.dir} failed`, { cause: err });
      throw this.failure;
    }
    const last = this.segments.at(-1) as Segment;
    this.end = last.base + last.count;
    for (const wake of this.waiters) wake();
    this.waiters.clear();
  }

  /**
   * Durable records from `from` on (or from the oldest one held, if later), up to about
   * `maxBytes` but at least one, all from one segment.
   */
  async read(from: number, maxBytes: number): Promise<ReadRecord[]> {
    for (;;) {
      const start = Math.max(from, this.startOffset);
      const end = this.end;
      if (start >= end) return [];
      const segment = this.segmentOf(start);
      try {
        return await this.readSegment(segment, start, end, maxBytes);
      } catch (err) {
        // Retention deleted the segment meanwhile: read again from the new oldest record.
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
  }

  /** Resolves when a record at `offset` or later is durable, or when `signal` aborts. */
  waitBeyond(offset: number, signal: AbortSignal): Promise<void> {
    if (this.end > offset || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        this.waiters.delete(wake);
        signal.removeEventListener('abort', wake);
        resolve();
      };
      this.waiters.add(wake);
      signal.addEventListener('abort', wake, { once: true });
    });
  }

  /** Deletes the oldest sealed segment (retention); readers move on to the next one. */
  async deleteOldestSegment(): Promise<Segment | undefined> {
    if (this.segments.length < 2) return undefined;
    const oldest = this.segments.shift() as Segment;
    await unlink(oldest.path);
    await fsyncDir(this.dir);
    return oldest;
  }

  async close(): Promise<void> {
    const writer = this.writer;
    this.writer = undefined;
    for (const wake of this.waiters) wake();
    await writer?.close();
  }

  private segmentOf(offset: number): Segment {
    let found = this.segments[0] as Segment;
    for (const segment of this.segments) {
      if (segment.base > offset) break;
      found = segment;
    }
    return found;
  }

  private async readSegment(
    segment: Segment,
    from: number,
    end: number,
    maxBytes: number,
  ): Promise<ReadRecord[]> {
    if (!segment.positions) segment.positions = (await scanSegment(segment.path, false)).positions;
    const slot = Math.floor((from - segment.base) / INDEX_EVERY);
    let offset = segment.base + slot * INDEX_EVERY;
    let position = segment.positions[slot] ?? 0;
    const last = Math.min(end, segment.base + segment.count);
    const records: ReadRecord[] = [];
    let taken = 0;
    let need = 0;
    const handle = await open(segment.path, 'r');
    try {
      while (offset < last && (records.length === 0 || taken < maxBytes)) {
        const length = Math.min(segment.size - position, Math.max(maxBytes - taken, MIN_READ_BYTES, need));
        const buffer = Buffer.allocUnsafe(length);
        const { bytesRead } = await handle.read(buffer, 0, length, position);
        const chunk = buffer.subarray(0, bytesRead);
        let at = 0;
        while (offset < last) {
          const size = recordSizeAt(chunk, at);
          if (size === undefined || at + size > chunk.length) {
            need = size ?? HEADER_BYTES;
            break;
          }
          if (offset >= from) {
            if (records.length > 0 && taken + size > maxBytes) {
              taken = maxBytes;
              break;
            }
            const record = decodeRecord(chunk, at, false);
            if (!record) throw new Error(`Corrupt record at offset ${offset} in ${segment.path}`);
            records.push({ ...record, offset });
            taken += size;
          }
          offset++;
          at += size;
        }
        if (bytesRead === 0) break;
        position += at;
      }
    } finally {
      await handle.close();
    }
    return records;
  }

  private async roll(): Promise<void> {
    await this.writer?.datasync();
    await this.writer?.close();
    this.writer = undefined;
    const last = this.segments.at(-1) as Segment;
    await this.createSegment(last.base + last.count);
  }

  private async createSegment(base: number): Promise<void> {
    const path = segmentPath(this.dir, base);
    this.writer = await open(path, 'a');
    await fsyncDir(this.dir);
    const now = Date.now();
    this.segments.push({ base, path, size: 0, count: 0, positions: [], lastWrite: now, createdAt: now });
    this.end = base;
  }
}

function segmentPath(dir: string, base: number): string {
  return join(dir, `${String(base).padStart(20, '0')}.log`);
}

async function writeAll(handle: FileHandle, buffer: Buffer): Promise<void> {
  let written = 0;
  while (written < buffer.length) {
    const { bytesWritten } = await handle.write(buffer, written, buffer.length - written);
    written += bytesWritten;
  }
}
