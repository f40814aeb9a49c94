import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';

/** Bytes at the start of a file that identify its content, with its device and inode. */
export const FINGERPRINT_BYTES = 1024;

/**
 * What tells two files apart: device and inode say where it lives, the fingerprint (hash
 * of its first bytes) says whether it is still the same content, since a deleted file's
 * inode is soon reused by a new one. Files shorter than `FINGERPRINT_BYTES` are
 * fingerprinted over what they have and again as they grow.
 */
export interface FileIdentity {
  dev: number;
  ino: number;
  /** SHA-256 (hex) of the first `fingerprintBytes` bytes. */
  fingerprint: string;
  fingerprintBytes: number;
  /**
   * Creation time where the file system records one (statx): tells a new file reusing an
   * inode from the old one even when both start with the same few bytes.
   */
  birthtimeMs?: number;
}

/** Hash of the first `length` bytes (fewer if the file is shorter) of an open file. */
export async function fingerprintOf(
  handle: FileHandle,
  length = FINGERPRINT_BYTES,
): Promise<{ fingerprint: string; fingerprintBytes: number }> {
  const buffer = Buffer.alloc(length);
  let read = 0;
  while (read < length) {
    const { bytesRead } = await handle.read(buffer, read, length - read, read);
    if (bytesRead === 0) break;
    read += bytesRead;
  }
  return { fingerprint: hash(buffer.subarray(0, read)), fingerprintBytes: read };
}

/** SHA-256 of bytes, hex. */
export function hash(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Identity of an open file as it is now. */
export async function identityOf(handle: FileHandle): Promise<FileIdentity & { size: number }> {
  const stat = await handle.stat();
  const print = await fingerprintOf(handle, Math.min(FINGERPRINT_BYTES, stat.size));
  const birth = stat.birthtimeMs > 0 ? { birthtimeMs: stat.birthtimeMs } : {};
  return { dev: stat.dev, ino: stat.ino, size: stat.size, ...print, ...birth };
}

/** Whether two looks at one inode saw the same file: the same creation time, when known. */
export function sameBirth(a: { birthtimeMs?: number }, b: { birthtimeMs?: number }): boolean {
  return !a.birthtimeMs || !b.birthtimeMs || a.birthtimeMs === b.birthtimeMs;
}

/** Key of the place a file lives, to find it again after a rename. */
export function inodeKey(identity: { dev: number; ino: number }): string {
  return `${identity.dev}:${identity.ino}`;
}

/**
 * Whether the open file `handle` still holds the content `known` was taken from: the first
 * `known.fingerprintBytes` bytes hash the same. A file now shorter than that was truncated
 * or replaced, so it is not the same.
 */
export async function sameContent(handle: FileHandle, known: FileIdentity, size: number): Promise<boolean> {
  if (size < known.fingerprintBytes) return false;
  const now = await fingerprintOf(handle, known.fingerprintBytes);
  return now.fingerprint === known.fingerprint;
}

/** Whether `candidate` is the file `known` describes: same inode and same first bytes. */
export async function isSameFile(
  handle: FileHandle,
  candidate: { dev: number; ino: number; size: number; birthtimeMs?: number },
  known: FileIdentity,
): Promise<boolean> {
  return (
    candidate.dev === known.dev &&
    candidate.ino === known.ino &&
    sameBirth(candidate, known) &&
    (await sameContent(handle, known, candidate.size))
  );
}
