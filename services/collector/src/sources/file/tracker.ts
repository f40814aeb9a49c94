import { open, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { FileSourceConfig, Logger } from '@vigie/common';
import type { Checkpoint } from './checkpoint-store.js';
import { findMovedFile, type MatchedFile, matchFiles, savedCheckpointFor } from './discovery.js';
import { FINGERPRINT_BYTES, type FileIdentity, identityOf, inodeKey, sameBirth } from './identity.js';
import type { FileSourceMetrics } from './metrics.js';
import { Tailer, type TailerSettings } from './tailer.js';

/**
 * The set of followed files, kept in step with the disk by `scan()`: new matches are
 * opened (from their checkpoint when they have one), files no longer at a matched path are
 * marked rotated, truncated files move to their copy (copytruncate) or restart from 0.
 */
export class FileTracker {
  /** Followed files by device and inode. */
  readonly tailers = new Map<string, Tailer>();

  constructor(
    private readonly files: FileSourceConfig[],
    private readonly settings: TailerSettings,
    private readonly metrics: FileSourceMetrics,
    private readonly log: Logger,
  ) {}

  /**
   * Matches the patterns again. `saved` (first scan after a start) are the loaded
   * checkpoints: matched files resume from theirs, and those whose file is no longer at a
   * matched path are looked for next to it (renamed or copied while the collector was down).
   */
  async scan(now: number, saved?: Checkpoint[]): Promise<void> {
    const matched = await matchFiles(this.files);
    const configOf = new Map([...matched.values()].map((m) => [m.path, m.config]));
    for (const tailer of [...this.tailers.values()]) {
      // After a copytruncate the tailer holds the copy: the original's inode stays in
      // `matched` and is followed anew from 0.
      await this.checkTruncation(tailer);
      const here = matched.get(inodeKey(tailer.identity));
      if (here) {
        tailer.path = here.path;
        tailer.rotated = false;
        matched.delete(inodeKey(tailer.identity));
      } else if (!tailer.rotated && !(await this.stillAtPath(tailer))) {
        tailer.rotated = true;
        tailer.rotatedAt = now;
        this.metrics.rotations.inc();
        this.log.info({ path: tailer.path }, 'Followed file rotated; reading it to its end.');
      }
    }
    const fresh = [...matched.values()];
    if (saved) {
      const rest: MatchedFile[] = [];
      for (const file of fresh) if (!(await this.track(file, saved, 'same', now))) rest.push(file);
      for (const file of rest) await this.track(file, saved, 'copy', now);
      for (const checkpoint of [...saved]) await this.resumeMoved(checkpoint, configOf, now);
    } else {
      for (const file of fresh) await this.track(file, [], 'copy', now);
    }
    this.metrics.filesWatched.set(this.tailers.size);
  }

  /** Whether the tailer's path still leads to its file (a glob that missed it is no rotation). */
  private async stillAtPath(tailer: Tailer): Promise<boolean> {
    const info = await stat(tailer.path).catch(() => undefined);
    return (
      info !== undefined && inodeKey(info) === inodeKey(tailer.identity) && sameBirth(info, tailer.identity)
    );
  }

  /** Lets go of a file read to its end. */
  async forget(tailer: Tailer): Promise<void> {
    await tailer.close();
    this.tailers.delete(inodeKey(tailer.identity));
    this.metrics.filesWatched.set(this.tailers.size);
    this.log.info({ path: tailer.path }, 'Rotated file read to its end and released.');
  }

  /** Closes every file. */
  async closeAll(): Promise<void> {
    for (const tailer of this.tailers.values()) await tailer.close();
    this.tailers.clear();
    this.metrics.filesWatched.set(0);
  }

  /**
   * Opens a newly matched file, from its saved offset if it has one. In `same` mode only a
   * file with a checkpoint of its own inode is taken (false: try it again as a `copy`).
   */
  private async track(file: MatchedFile, saved: Checkpoint[], mode: 'same' | 'copy', now: number) {
    const handle = await open(file.path, 'r').catch(() => undefined);
    if (!handle) return true;
    const { size, ...identity } = await identityOf(handle);
    if (this.tailers.has(inodeKey(identity)) || this.isCopyOfFollowed(identity)) {
      await handle.close();
      return true;
    }
    const checkpoint = await savedCheckpointFor(handle, { ...identity, size }, saved, mode);
    if (!checkpoint && mode === 'same') {
      await handle.close();
      return false;
    }
    if (checkpoint) saved.splice(saved.indexOf(checkpoint), 1);
    const offset = checkpoint?.offset ?? 0;
    this.add(new Tailer(handle, file.path, identity, offset, file.config, this.settings, now));
    this.log.info({ path: file.path, offset }, 'Following file.');
    return true;
  }

  /**
   * A new file holding the same first 1 KiB as a followed one is a copy being made
   * (copytruncate): it is taken over only once the original is truncated.
   */
  private isCopyOfFollowed(identity: FileIdentity): boolean {
    if (identity.fingerprintBytes < FINGERPRINT_BYTES) return false;
    for (const tailer of this.tailers.values()) {
      if (tailer.identity.fingerprintBytes === identity.fingerprintBytes) {
        if (tailer.identity.fingerprint === identity.fingerprint) return true;
      }
    }
    return false;
  }

  /** Finds a file whose checkpoint matched no pattern: renamed or copied away while down. */
  private async resumeMoved(checkpoint: Checkpoint, configOf: Map<string, FileSourceConfig>, now: number) {
    const found = await findMovedFile(checkpoint, checkpoint.offset, new Set(this.tailers.keys()));
    if (!found) {
      this.log.warn({ path: checkpoint.path }, 'File of a checkpoint is gone; its checkpoint is dropped.');
      return;
    }
    const config = configOf.get(checkpoint.path) ?? this.configNear(checkpoint.path);
    const tailer = new Tailer(
      found.handle,
      found.path,
      found.identity,
      checkpoint.offset,
      config,
      this.settings,
      now,
    );
    tailer.rotated = true;
    tailer.rotatedAt = now;
    this.add(tailer);
    this.metrics.rotations.inc();
    this.log.info({ path: found.path, offset: checkpoint.offset }, 'Rotated file found again; finishing it.');
  }

  /** The config entry with a pattern in the folder of `path` (its original entry is not known). */
  private configNear(path: string): FileSourceConfig {
    const dir = dirname(resolve(path));
    const near = this.files.find((f) => f.paths.some((p) => resolve(p).startsWith(`${dir}/`)));
    return near ?? (this.files[0] as FileSourceConfig);
  }

  private async checkTruncation(tailer: Tailer): Promise<void> {
    // A batch still waiting for the sink carries old offsets: decide once it went through.
    if (tailer.finished || tailer.pendingBatch) return;
    const change = await tailer.check().catch(() => 'none' as const);
    if (change === 'truncated') await this.truncated(tailer);
  }

  /**
   * Handles a file truncated in place (its `pendingBatch` acknowledged): it continues on
   * the copy of its content when one is next to it (copytruncate), or restarts from 0.
   */
  async truncated(tailer: Tailer): Promise<void> {
    const key = inodeKey(tailer.identity);
    this.metrics.truncations.inc();
    const copy = await findMovedFile(
      { ...tailer.identity, path: tailer.path },
      tailer.readOffset,
      new Set(this.tailers.keys()),
    );
    if (copy) {
      this.tailers.delete(key);
      await tailer.switchTo(copy.handle, copy.path, copy.identity);
      // The copy is finished like a renamed file, unless a pattern matches it too.
      tailer.rotated = true;
      tailer.rotatedAt = Date.now();
      this.metrics.rotations.inc();
      this.add(tailer);
      this.log.info({ path: tailer.path }, 'Followed file copied and truncated; finishing the copy.');
      return;
    }
    tailer.pendingBatch = await tailer.restartFromZero();
    this.log.info({ path: tailer.path }, 'Followed file truncated; reading it again from the start.');
  }

  private add(tailer: Tailer): void {
    this.tailers.set(inodeKey(tailer.identity), tailer);
  }
}
