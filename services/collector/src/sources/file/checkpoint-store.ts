import * as nodeFs from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '@vigie/common';
import type { FileIdentity } from './identity.js';

/** Where reading of one file resumes: the first byte not yet acknowledged downstream. */
export interface Checkpoint extends FileIdentity {
  /** Last path the file was seen under. */
  path: string;
  offset: number;
}

/** Steps of a save, for tests that crash the process in the middle of one. */
export type CheckpointStep = 'temp-written' | 'previous-kept' | 'renamed' | 'folder-synced';

/** The file system calls the store makes, so tests can make them fail (ENOSPC). */
export type CheckpointFs = Pick<typeof nodeFs, 'open' | 'rename' | 'readFile' | 'unlink'>;

/** What the store needs. */
export interface CheckpointStoreOptions {
  dir: string;
  logger: Logger;
  fs?: CheckpointFs;
  /** Called after each step of a save (tests kill the process there). */
  onStep?: (step: CheckpointStep) => void;
}

const FILE = 'file-checkpoints.json';
const VERSION = 1;

/**
 * Read offsets on disk. A save writes a temp file, fsyncs it, keeps the previous version
 * as `.prev`, renames the temp file over the current one and fsyncs the folder, so a crash
 * at any step leaves a valid current or previous version. Loading never fails: a leftover
 * temp file is deleted, a corrupt file is moved aside with a warning and the previous
 * version (or nothing: read from the start) is used.
 */
export class CheckpointStore {
  private readonly fs: CheckpointFs;
  private readonly path: string;

  constructor(private readonly options: CheckpointStoreOptions) {
    this.fs = options.fs ?? nodeFs;
    this.path = join(options.dir, FILE);
  }

  /** The last saved checkpoints, or none. */
  async load(): Promise<Checkpoint[]> {
    await nodeFs.mkdir(this.options.dir, { recursive: true });
    await this.fs.unlink(`${this.path}.tmp`).catch(() => undefined);
    for (const path of [this.path, `${this.path}.prev`]) {
      const text = await this.fs.readFile(path, 'utf8').catch(() => undefined);
      if (text === undefined) continue;
      const checkpoints = parseCheckpoints(text);
      if (checkpoints) return checkpoints;
      const aside = `${path}.corrupt-${Date.now()}`;
      await this.fs.rename(path, aside).catch(() => undefined);
      this.options.logger.warn(
        { path, movedTo: aside },
        'File checkpoint unreadable: moved aside, using the previous one or reading from the start.',
      );
    }
    return [];
  }

  /** Saves checkpoints atomically; throws (ENOSPC...) leaving the last saved version intact. */
  async save(checkpoints: Checkpoint[]): Promise<void> {
    const tmp = `${this.path}.tmp`;
    const body = `${JSON.stringify({ version: VERSION, files: checkpoints })}\n`;
    try {
      const handle = await this.fs.open(tmp, 'w');
      try {
        await handle.writeFile(body, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
    } catch (err) {
      await this.fs.unlink(tmp).catch(() => undefined);
      throw err;
    }
    this.options.onStep?.('temp-written');
    await this.fs.rename(this.path, `${this.path}.prev`).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
    this.options.onStep?.('previous-kept');
    await this.fs.rename(tmp, this.path);
    this.options.onStep?.('renamed');
    const folder = await this.fs.open(this.options.dir, 'r');
    try {
      await folder.sync();
    } finally {
      await folder.close();
    }
    this.options.onStep?.('folder-synced');
  }
}

/** Checkpoints from a file's text, or undefined when it is not a valid checkpoint file. */
export function parseCheckpoints(text: string): Checkpoint[] | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { version, files } = parsed as { version?: unknown; files?: unknown };
  if (version !== VERSION || !Array.isArray(files)) return undefined;
  return files.every(isCheckpoint) ? files : undefined;
}

function isCheckpoint(value: unknown): value is Checkpoint {
  if (typeof value !== 'object' || value === null) return false;
  const c = value as Record<string, unknown>;
  const count = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
  return (
    typeof c.path === 'string' &&
    count(c.dev) &&
    count(c.ino) &&
    count(c.offset) &&
    count(c.fingerprintBytes) &&
    (c.birthtimeMs === undefined || (typeof c.birthtimeMs === 'number' && c.birthtimeMs >= 0)) &&
    typeof c.fingerprint === 'string' &&
    /^[0-9a-f]{64}$/.test(c.fingerprint)
  );
}
