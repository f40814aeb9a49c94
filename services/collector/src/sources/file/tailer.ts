import type { FileHandle } from 'node:fs/promises';
import type { FileSourceConfig } from '@vigie/common';
import type { Checkpoint } from './checkpoint-store.js';
import { FINGERPRINT_BYTES, type FileIdentity, fingerprintOf, sameContent } from './identity.js';
import { LineSplitter } from './line-reader.js';
import { type FileRecord, MultilineJoiner } from './multiline.js';

/** Records read from one file, to be submitted together. */
export interface Batch {
  records: FileRecord[];
  /** Offset to checkpoint once the records are acknowledged. */
  ackOffset: number;
}

/** Reading settings shared by every file. */
export interface TailerSettings {
  maxLineBytes: number;
  maxRecordBytes: number;
  chunkBytes: number;
  maxBatchRecords: number;
  maxBatchBytes: number;
  /** A pending multiline record is emitted after this long without new data. */
  multilineFlushMs: number;
}

/** What `check()` found out about the file since the last look. */
export type FileChange = 'none' | 'truncated';

/**
 * Follows one file: reads it in chunks from an offset, cuts lines, joins multiline
 * records, and holds the batch being submitted until it is acknowledged. The handle stays
 * open across renames, so a rotated file is read to its end before it is let go.
 */
export class Tailer {
  /** Offset of the first byte not yet acknowledged downstream. */
  ackedOffset: number;
  /** The batch being submitted, kept until acknowledged (retried as is on failure). */
  pendingBatch: Batch | undefined;
  /** When the next submission of `pendingBatch` may be tried, epoch ms. */
  nextAttemptAt = 0;
  /** Current wait between two tries of a refused batch, ms. */
  retryDelayMs = 0;
  /** The path no longer leads to this file: read it to the end, then let it go. */
  rotated = false;
  /** When the file was found rotated, epoch ms (0: not rotated). */
  rotatedAt = 0;
  /** The last read found no more data. */
  atEof = false;
  /** Last time data was read, epoch ms. */
  lastDataAt: number;
  /** The final batch was taken: close once it is acknowledged. */
  finished = false;
  private splitter: LineSplitter;
  /** One read buffer per file, reused: a long line costs no garbage per chunk. */
  private readonly buffer: Buffer;
  private joiner: MultilineJoiner;

  constructor(
    public handle: FileHandle,
    public path: string,
    public identity: FileIdentity,
    offset: number,
    readonly config: FileSourceConfig,
    private readonly settings: TailerSettings,
    now: number,
  ) {
    this.ackedOffset = offset;
    this.lastDataAt = now;
    this.buffer = Buffer.allocUnsafe(settings.chunkBytes);
    this.splitter = new LineSplitter(settings.maxLineBytes, offset);
    this.joiner = this.newJoiner();
  }

  /** Offset of the next byte to read. */
  get readOffset(): number {
    return this.splitter.offset;
  }

  /**
   * Reads up to one batch; undefined when no record is complete yet. Checks first that the
   * file was not truncated since the last read (`truncated`: nothing was read), so bytes of
   * a rewritten file are not taken for the rest of the old one.
   */
  async read(now: number): Promise<{ batch: Batch | undefined; bytesRead: number; truncated: boolean }> {
    if ((await this.check()) === 'truncated') return { batch: undefined, bytesRead: 0, truncated: true };
    const records: FileRecord[] = [];
    let batchBytes = 0;
    let bytesRead = 0;
    this.atEof = false;
    while (records.length < this.settings.maxBatchRecords && batchBytes < this.settings.maxBatchBytes) {
      const chunk = this.buffer;
      const { bytesRead: n } = await this.handle.read(chunk, 0, chunk.length, this.splitter.offset);
      if (n === 0) {
        this.atEof = true;
        break;
      }
      bytesRead += n;
      for (const line of this.splitter.push(chunk.subarray(0, n))) {
        const record = this.joiner.push(line);
        if (record) {
          records.push(record);
          batchBytes += record.text.length;
        }
      }
    }
    if (bytesRead > 0) this.lastDataAt = now;
    if (this.atEof && now - this.lastDataAt >= this.settings.multilineFlushMs) {
      const record = this.joiner.flush();
      if (record) records.push(record);
    }
    const last = records.at(-1);
    return { batch: last ? { records, ackOffset: last.end } : undefined, bytesRead, truncated: false };
  }

  /**
   * The last records of a file no one writes to any more: the pending multiline record and
   * an unterminated last line. Marks the tailer finished.
   */
  finish(): Batch | undefined {
    this.finished = true;
    return this.drain(this.splitter.offset);
  }

  /** The pending multiline record, emitted now (stop: only complete lines). */
  flushPending(): Batch | undefined {
    const record = this.joiner.flush();
    return record ? { records: [record], ackOffset: record.end } : undefined;
  }

  /**
   * The file was truncated in place and no copy of it was found: what was read from the
   * old content is handed out (checkpointed at 0) and reading starts again from 0.
   */
  async restartFromZero(): Promise<Batch | undefined> {
    const leftover = this.drain(0);
    this.splitter = new LineSplitter(this.settings.maxLineBytes, 0);
    this.joiner = this.newJoiner();
    this.ackedOffset = 0;
    const print = await fingerprintOf(this.handle, FINGERPRINT_BYTES);
    this.identity = { ...this.identity, ...print };
    return leftover;
  }

  /** Continues on another handle holding the same bytes (the copy of a copytruncate). */
  async switchTo(handle: FileHandle, path: string, identity: FileIdentity): Promise<void> {
    await this.handle.close().catch(() => undefined);
    this.handle = handle;
    this.path = path;
    this.identity = identity;
  }

  /**
   * Compares the file with what was read: shorter than the read offset, or different first
   * bytes, means it was truncated (and maybe written again). While it is the same, a short
   * fingerprint is extended as the file grows.
   */
  async check(): Promise<FileChange> {
    const { size } = await this.handle.stat();
    if (size < this.splitter.offset || !(await sameContent(this.handle, this.identity, size))) {
      return 'truncated';
    }
    if (this.identity.fingerprintBytes < FINGERPRINT_BYTES && size > this.identity.fingerprintBytes) {
      const print = await fingerprintOf(this.handle, Math.min(FINGERPRINT_BYTES, size));
      this.identity = { ...this.identity, ...print };
    }
    return 'none';
  }

  /** Records the acknowledgement of `pendingBatch`. */
  acknowledge(): void {
    if (this.pendingBatch) this.ackedOffset = this.pendingBatch.ackOffset;
    this.pendingBatch = undefined;
    this.retryDelayMs = 0;
    this.nextAttemptAt = 0;
  }

  /** Where to resume this file after a restart. */
  checkpoint(): Checkpoint {
    return { ...this.identity, path: this.path, offset: this.ackedOffset };
  }

  /** Closes the handle; safe to call twice. */
  async close(): Promise<void> {
    await this.handle.close().catch(() => undefined);
  }

  private drain(ackOffset: number): Batch | undefined {
    const records: FileRecord[] = [];
    const partial = this.splitter.flushPartial();
    if (partial) {
      const record = this.joiner.push(partial);
      if (record) records.push(record);
    }
    const last = this.joiner.flush();
    if (last) records.push(last);
    return records.length > 0 ? { records, ackOffset } : undefined;
  }

  private newJoiner(): MultilineJoiner {
    const start = this.config.multilineStart;
    return new MultilineJoiner({
      maxRecordBytes: this.settings.maxRecordBytes,
      ...(start ? { start: new RegExp(start) } : {}),
    });
  }
}
