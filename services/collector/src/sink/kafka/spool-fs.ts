import * as fsp from 'node:fs/promises';

/** The file operations the spool needs on an open segment (a subset of `FileHandle`). */
export interface SpoolFile {
  write(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesWritten: number }>;
  read(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  sync(): Promise<void>;
  truncate(length: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * The file system as the spool uses it. Tests swap in one that fails (a full disk, say)
 * to check that the spool then refuses the write and keeps what it already has intact.
 */
export interface SpoolFs {
  mkdir(path: string, options: { recursive: true }): Promise<unknown>;
  readdir(path: string): Promise<string[]>;
  open(path: string, flags: 'r' | 'r+' | 'wx+'): Promise<SpoolFile>;
  stat(path: string): Promise<{ size: number }>;
  unlink(path: string): Promise<void>;
  readFile(path: string, encoding: 'utf8'): Promise<string>;
  writeFile(path: string, data: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
}

/** The real file system. */
export const nodeSpoolFs: SpoolFs = {
  mkdir: (path, options) => fsp.mkdir(path, options),
  readdir: (path) => fsp.readdir(path),
  open: (path, flags) => fsp.open(path, flags),
  stat: (path) => fsp.stat(path),
  unlink: (path) => fsp.unlink(path),
  readFile: (path, encoding) => fsp.readFile(path, encoding),
  writeFile: (path, data) => fsp.writeFile(path, data),
  rename: (from, to) => fsp.rename(from, to),
};

/** Reads exactly `length` bytes at `position`, or fewer at the end of the file. */
export async function readAt(file: SpoolFile, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await file.read(buffer, filled, length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return buffer.subarray(0, filled);
}

/** Fsyncs a folder, so that files just created in it survive a crash. */
export async function syncDir(fs: SpoolFs, dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
