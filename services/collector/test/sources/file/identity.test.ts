import { appendFile, open, rename, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  FINGERPRINT_BYTES,
  identityOf,
  isSameFile,
  sameContent,
} from '../../../src/sources/file/identity.js';
import { recreateOnSameInode, tempDir } from './helpers.js';

async function withHandle<T>(
  path: string,
  use: (h: Awaited<ReturnType<typeof open>>) => Promise<T>,
): Promise<T> {
  const handle = await open(path, 'r');
  try {
    return await use(handle);
  } finally {
    await handle.close();
  }
}

describe('file identity', () => {
  it('fingerprints the first 1 KiB, or all of a shorter file', async () => {
    const path = join(await tempDir(), 'a.log');
    await writeFile(path, 'short\n');
    const short = await withHandle(path, identityOf);
    expect(short.fingerprintBytes).toBe(6);
    await appendFile(path, 'x'.repeat(5000));
    const full = await withHandle(path, identityOf);
    expect(full.fingerprintBytes).toBe(FINGERPRINT_BYTES);
    expect(full.fingerprint).not.toBe(short.fingerprint);
    // The short fingerprint still matches the grown file: it is the same file.
    expect(await withHandle(path, (h) => sameContent(h, short, full.size))).toBe(true);
  });

  it('keeps a renamed file the same and tells a truncated or rewritten one apart', async () => {
    const dir = await tempDir();
    const path = join(dir, 'a.log');
    await writeFile(path, 'line 1\n'.repeat(300));
    const before = await withHandle(path, identityOf);
    await rename(path, join(dir, 'a.log.1'));
    const moved = await withHandle(join(dir, 'a.log.1'), identityOf);
    expect(await withHandle(join(dir, 'a.log.1'), (h) => isSameFile(h, moved, before))).toBe(true);
    await truncate(join(dir, 'a.log.1'), 0);
    await appendFile(join(dir, 'a.log.1'), 'line 2\n'.repeat(300));
    const rewritten = await withHandle(join(dir, 'a.log.1'), identityOf);
    expect(rewritten.ino).toBe(before.ino);
    expect(await withHandle(join(dir, 'a.log.1'), (h) => isSameFile(h, rewritten, before))).toBe(false);
  });

  it('tells a new file reusing a deleted inode apart from the old one', async () => {
    let checked = false;
    for (let round = 0; round < 5 && !checked; round++) {
      const path = join(await tempDir(), 'a.log');
      await writeFile(path, 'first generation\n'.repeat(100));
      const old = await withHandle(path, identityOf);
      if (!(await recreateOnSameInode(path, 'second generation\n'.repeat(100)))) continue;
      const now = await withHandle(path, identityOf);
      expect(now.ino).toBe(old.ino);
      expect(await withHandle(path, (h) => isSameFile(h, now, old))).toBe(false);
      checked = true;
    }
    expect(checked).toBe(true);
  });
});
