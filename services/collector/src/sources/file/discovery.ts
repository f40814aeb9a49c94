import { type FileHandle, open, readdir, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import type { FileSourceConfig } from '@vigie/common';
import picomatch from 'picomatch';
import { glob } from 'tinyglobby';
import type { Checkpoint } from './checkpoint-store.js';
import { type FileIdentity, fingerprintOf, inodeKey, sameBirth, sameContent } from './identity.js';

/** Compressed rotations: never read as logs unless a pattern itself names the extension. */
const COMPRESSED = ['gz', 'bz2', 'xz', 'zst', 'zip', 'lz4'];

/** A file a pattern matches, with the config entry that matched it first. */
export interface MatchedFile {
  path: string;
  config: FileSourceConfig;
  dev: number;
  ino: number;
  size: number;
}

/** Every regular file the config entries match now, keyed by device and inode. */
export async function matchFiles(entries: FileSourceConfig[]): Promise<Map<string, MatchedFile>> {
  const matched = new Map<string, MatchedFile>();
  for (const config of entries) {
    const namesCompressed = (ext: string) => config.paths.some((p) => p.endsWith(`.${ext}`));
    const ignore = [
      ...(config.exclude ?? []).map(anywhere),
      ...COMPRESSED.filter((ext) => !namesCompressed(ext)).map((ext) => `/**/*.${ext}`),
    ];
    const patterns = config.paths.map((p) => resolve(p));
    // Excludes are matched here on absolute paths: tinyglobby's own `ignore` reads
    // absolute patterns relative to the working directory and misses them elsewhere.
    const excluded = picomatch(ignore, { dot: true });
    const paths = (await glob(patterns, { absolute: true, onlyFiles: true, dot: true })).filter(
      (p) => !excluded(p),
    );
    for (const path of paths.sort()) {
      const info = await stat(path).catch(() => undefined);
      if (!info?.isFile()) continue;
      const key = inodeKey(info);
      if (!matched.has(key)) {
        matched.set(key, { path: resolve(path), config, dev: info.dev, ino: info.ino, size: info.size });
      }
    }
  }
  return matched;
}

/**
 * An exclude pattern as an absolute one: without a folder (`*.tmp`) or starting with `**`
 * it applies in every folder; other relative ones are taken from the working directory.
 */
function anywhere(pattern: string): string {
  if (isAbsolute(pattern)) return pattern;
  if (pattern.startsWith('**/')) return `/${pattern}`;
  return pattern.includes('/') ? resolve(pattern) : `/**/${pattern}`;
}

/** An open file found by a search, with its identity. */
export interface FoundFile {
  handle: FileHandle;
  path: string;
  identity: FileIdentity;
  size: number;
}

/**
 * Looks next to `known.path` for the file it described: the same inode under another name
 * (renamed by rotation while the collector was down), or else a copy holding the same
 * first bytes and at least `minSize` bytes (copytruncate: the content moved to a new file
 * named after the old one, e.g. `app.log.1`). Skips inodes in `taken`.
 */
export async function findMovedFile(
  known: FileIdentity & { path: string },
  minSize: number,
  taken: Set<string>,
): Promise<FoundFile | undefined> {
  const dir = dirname(known.path);
  const base = basename(known.path);
  const names = await readdir(dir).catch(() => [] as string[]);
  const candidates: {
    path: string;
    dev: number;
    ino: number;
    size: number;
    mtimeMs: number;
    birthtimeMs: number;
  }[] = [];
  for (const name of names) {
    const path = join(dir, name);
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile() || taken.has(inodeKey(info)) || info.size < minSize) continue;
    const sameInode = info.dev === known.dev && info.ino === known.ino;
    if (sameInode ? sameBirth(info, known) : name.startsWith(base) && name !== base) {
      candidates.push({
        path,
        dev: info.dev,
        ino: info.ino,
        size: info.size,
        mtimeMs: info.mtimeMs,
        birthtimeMs: info.birthtimeMs,
      });
    }
  }
  // The same inode first; then the newest copy, which is the latest rotation.
  candidates.sort((a, b) => rank(b, known) - rank(a, known) || b.mtimeMs - a.mtimeMs);
  for (const candidate of candidates) {
    const handle = await open(candidate.path, 'r').catch(() => undefined);
    if (!handle) continue;
    if (await sameContent(handle, known, candidate.size)) {
      const print = await fingerprintOf(handle, known.fingerprintBytes);
      return {
        handle,
        path: candidate.path,
        identity: {
          dev: candidate.dev,
          ino: candidate.ino,
          ...print,
          ...(candidate.birthtimeMs > 0 ? { birthtimeMs: candidate.birthtimeMs } : {}),
        },
        size: candidate.size,
      };
    }
    await handle.close();
  }
  return undefined;
}

function rank(candidate: { dev: number; ino: number }, known: FileIdentity): number {
  return candidate.dev === known.dev && candidate.ino === known.ino ? 1 : 0;
}

/**
 * How a newly matched file relates to the saved checkpoints: `same` finds the same inode
 * with the same first bytes; `copy` finds one of another inode whose content this file now
 * holds (copytruncate while the collector was down). Undefined: a new file, read from 0.
 */
export async function savedCheckpointFor(
  handle: FileHandle,
  file: { dev: number; ino: number; size: number; birthtimeMs?: number },
  saved: Checkpoint[],
  mode: 'same' | 'copy',
): Promise<Checkpoint | undefined> {
  for (const checkpoint of saved) {
    const sameInode = checkpoint.dev === file.dev && checkpoint.ino === file.ino;
    const skip = mode === 'same' ? !sameInode || !sameBirth(checkpoint, file) : sameInode;
    if (skip || (mode === 'copy' && checkpoint.fingerprintBytes === 0)) continue;
    if (file.size >= checkpoint.offset && (await sameContent(handle, checkpoint, file.size)))
      return checkpoint;
  }
  return undefined;
}
