import type { Component, FileSourceConfig } from '@vigie/common';
import { ConfigError, summarizeError } from '@vigie/common';
import type { RawLine, SourceContext, SourceHints } from '../../model.js';
import {
  type Checkpoint,
  type CheckpointFs,
  type CheckpointStep,
  CheckpointStore,
} from './checkpoint-store.js';
import { createFileSourceMetrics, type FileSourceMetrics } from './metrics.js';
import type { Batch, Tailer, TailerSettings } from './tailer.js';
import { FileTracker } from './tracker.js';

/** Settings of the file source, besides what every source gets. */
export interface FileSourceOptions extends SourceContext {
  /** The `files` entries of the collector config. */
  files: FileSourceConfig[];
  /** The checkpoints live in this folder. */
  dataDir: string;
  /** Longer lines are cut to this many bytes and flagged truncated. */
  maxLineBytes: number;
  /** Wait between two reads of an idle file, ms (default 250). */
  pollIntervalMs?: number;
  /** Wait between two glob scans and rotation checks, ms (default 1000). */
  rescanIntervalMs?: number;
  /** A pending multiline record is emitted after this long without data, ms (default 1000). */
  multilineFlushMs?: number;
  /** A rotated file is let go after this long at its end without new data, ms (default 5000). */
  finishIdleMs?: number;
  /** Largest joined multiline record, bytes (default `maxLineBytes`). */
  maxRecordBytes?: number;
  /** File system of the checkpoint store (tests inject failures). */
  checkpointFs?: CheckpointFs;
  /** Called after each step of a checkpoint save (tests crash there). */
  onCheckpointStep?: (step: CheckpointStep) => void;
}

const SOURCE = 'file';
const MIN_RETRY_MS = 100;
const MAX_RETRY_MS = 5000;

/**
 * Follows log files matched by glob patterns and hands their lines to the pipeline. Each
 * file is known by device, inode and a fingerprint of its first bytes, so rotation by
 * rename or copytruncate, truncation and inode reuse are told apart. Offsets are saved
 * only once the sink has acknowledged the lines before them (at-least-once). When the sink
 * refuses a batch, that file waits and retries the same batch with backoff; when the
 * checkpoint cannot be saved (full disk), all reading waits until it can.
 *
 * Lifecycle: `start()` once; `stop()` is idempotent and safe without `start()`.
 */
export class FileSource implements Component {
  private readonly tracker: FileTracker;
  private readonly store: CheckpointStore;
  private readonly metrics: FileSourceMetrics;
  private readonly settings: TailerSettings;
  private readonly log: SourceContext['logger'];
  private saved: Checkpoint[] | undefined;
  private loop: Promise<void> | undefined;
  private stopped: Promise<void> | undefined;
  private stopping = false;
  private wake: (() => void) | undefined;
  private nextScanAt = 0;
  private dirty = false;
  private checkpointRetryAt = 0;
  private checkpointDelayMs = 0;

  constructor(private readonly options: FileSourceOptions) {
    const problems = options.files.flatMap((file, i) => {
      if (!file.multilineStart) return [];
      try {
        new RegExp(file.multilineStart);
        return [];
      } catch {
        return [`files[${i}].multilineStart is not a valid regular expression`];
      }
    });
    if (problems.length > 0) throw new ConfigError(problems.join('; '));
    this.log = options.logger.child({ component: 'file-source' });
    this.metrics = createFileSourceMetrics(options.registry);
    this.store = new CheckpointStore({
      dir: options.dataDir,
      logger: this.log,
      ...(options.checkpointFs ? { fs: options.checkpointFs } : {}),
      ...(options.onCheckpointStep ? { onStep: options.onCheckpointStep } : {}),
    });
    this.settings = {
      maxLineBytes: options.maxLineBytes,
      maxRecordBytes: options.maxRecordBytes ?? options.maxLineBytes,
      chunkBytes: 64 * 1024,
      maxBatchRecords: 1000,
      maxBatchBytes: 1024 * 1024,
      multilineFlushMs: options.multilineFlushMs ?? 1000,
    };
    this.tracker = new FileTracker(options.files, this.settings, this.metrics, this.log);
  }

  /** Loads the checkpoints, opens the matched files and starts following them. */
  async start(): Promise<void> {
    if (this.loop || this.stopping) return;
    this.saved = await this.store.load();
    await this.scan(Date.now());
    if (this.stopping) {
      // stop() came while starting: it found no loop to wait for, so close here.
      await this.tracker.closeAll();
      return;
    }
    this.loop = this.run();
  }

  /** Submits what can be, saves the last checkpoint and closes the files. */
  stop(): Promise<void> {
    this.stopped ??= this.shutdown();
    return this.stopped;
  }

  private async shutdown(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    if (!this.loop) return;
    await this.loop;
    for (const tailer of this.tracker.tailers.values()) {
      // One try each: what the sink refuses now is read again after the restart.
      if (tailer.pendingBatch && !(await this.submit(tailer, Date.now()))) continue;
      tailer.pendingBatch = tailer.flushPending();
      if (tailer.pendingBatch) await this.submit(tailer, Date.now());
    }
    await this.saveCheckpoints(true);
    await this.tracker.closeAll();
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      let busy = false;
      try {
        if (Date.now() >= this.nextScanAt) {
          await this.scan(Date.now());
          // Not after the reads: one slow submit must not leave a new file without checkpoint.
          await this.saveCheckpoints(false);
        }
        // A checkpoint that cannot be saved pauses every file: reading on would pile up
        // acknowledged lines that a crash would send again.
        if (this.checkpointRetryAt === 0) {
          for (const tailer of [...this.tracker.tailers.values()]) {
            if (this.stopping) break;
            busy = (await this.pumpSafely(tailer)) || busy;
          }
        }
        await this.saveCheckpoints(false);
      } catch (err) {
        this.log.error({ err: summarizeError(err) }, 'File source loop failed; going on.');
      }
      if (!busy && !this.stopping) await this.sleep(this.options.pollIntervalMs ?? 250);
    }
  }

  private async pumpSafely(tailer: Tailer): Promise<boolean> {
    try {
      return await this.pump(tailer, Date.now());
    } catch (err) {
      this.log.warn({ path: tailer.path, err: summarizeError(err) }, 'Reading a followed file failed.');
      return false;
    }
  }

  /** Reads and submits one batch of a file; true when it made progress. */
  private async pump(tailer: Tailer, now: number): Promise<boolean> {
    if (!tailer.pendingBatch) {
      if (tailer.finished) return this.forget(tailer);
      const { batch, bytesRead, truncated } = await tailer.read(now);
      if (truncated) {
        await this.tracker.truncated(tailer);
        // The tailer may have moved to the copy: its checkpoint names another file now.
        this.dirty = true;
        return true;
      }
      this.metrics.bytesRead.inc(bytesRead);
      let next = batch;
      // Idle since the rotation too: the writer may still append before reopening its file.
      const quietSince = Math.max(tailer.lastDataAt, tailer.rotatedAt);
      const idle = now - quietSince >= (this.options.finishIdleMs ?? 5000);
      if (!next && tailer.rotated && tailer.atEof && idle) {
        next = tailer.finish();
        if (!next) return this.forget(tailer);
      }
      if (!next) return bytesRead > 0;
      this.metrics.linesRead.inc(next.records.length);
      tailer.pendingBatch = next;
    }
    if (now < tailer.nextAttemptAt) return false;
    return this.submit(tailer, now);
  }

  /** Submits the pending batch of a file; on failure schedules a retry of the same batch. */
  private async submit(tailer: Tailer, now: number): Promise<boolean> {
    const batch = tailer.pendingBatch;
    if (!batch) return false;
    try {
      await this.options.sink.submitLines(SOURCE, this.toRawLines(tailer, batch, now));
    } catch (err) {
      tailer.retryDelayMs = Math.min(MAX_RETRY_MS, Math.max(MIN_RETRY_MS, tailer.retryDelayMs * 2));
      tailer.nextAttemptAt = Date.now() + tailer.retryDelayMs;
      this.metrics.backpressureWaits.inc();
      if (tailer.retryDelayMs === MIN_RETRY_MS) {
        this.log.warn(
          { path: tailer.path, err: summarizeError(err) },
          'Lines refused downstream; file paused.',
        );
      }
      return false;
    }
    tailer.acknowledge();
    this.dirty = true;
    return true;
  }

  private toRawLines(tailer: Tailer, batch: Batch, receivedAt: number): RawLine[] {
    const { service, environment, format, labels } = tailer.config;
    const hints: SourceHints = {};
    // The config schema only admits the formats SourceHints names.
    if (format !== undefined) hints.format = format as SourceHints['format'];
    if (service !== undefined) hints.service = service;
    if (environment !== undefined) hints.environment = environment;
    if (labels !== undefined) hints.labels = labels;
    return batch.records.map((record) => ({
      text: record.text,
      ...(record.truncated ? { truncated: true } : {}),
      origin: {
        source: SOURCE,
        hostName: this.options.hostName,
        filePath: tailer.path,
        offset: record.offset,
      },
      receivedAt,
      hints,
    }));
  }

  private async forget(tailer: Tailer): Promise<boolean> {
    await this.tracker.forget(tailer);
    this.dirty = true;
    return true;
  }

  private async saveCheckpoints(final: boolean): Promise<void> {
    if (!this.dirty || (!final && Date.now() < this.checkpointRetryAt)) return;
    try {
      await this.store.save([...this.tracker.tailers.values()].map((t) => t.checkpoint()));
      this.metrics.checkpointWrites.inc();
      this.dirty = false;
      if (this.checkpointRetryAt !== 0) this.log.info('File checkpoint saved again; reading resumes.');
      this.checkpointRetryAt = 0;
      this.checkpointDelayMs = 0;
    } catch (err) {
      this.metrics.checkpointFailures.inc();
      this.checkpointDelayMs = Math.min(MAX_RETRY_MS, Math.max(MIN_RETRY_MS, this.checkpointDelayMs * 2));
      this.checkpointRetryAt = Date.now() + this.checkpointDelayMs;
      if (this.checkpointDelayMs === MIN_RETRY_MS || final) {
        this.log.warn({ err: summarizeError(err) }, 'File checkpoint not saved; reading paused until it is.');
      }
    }
  }

  private async scan(now: number): Promise<void> {
    this.nextScanAt = now + (this.options.rescanIntervalMs ?? 1000);
    const saved = this.saved;
    const before = this.followedFiles();
    await this.tracker.scan(now, saved);
    // A file newly followed, moved to its copy or found at another path is checkpointed at
    // once, before any of its lines is acknowledged: renamed or copied away while the
    // collector is down, it is found again.
    if (saved || this.followedFiles() !== before) {
      this.saved = undefined;
      this.dirty = true;
    }
  }

  /** The followed files and their paths; offsets and fingerprints left out (they change by reading). */
  private followedFiles(): string {
    return [...this.tracker.tailers].map(([key, tailer]) => `${key} ${tailer.path}`).join('\n');
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
