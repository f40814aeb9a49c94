import { open, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Makes a directory's entries (a created, renamed or deleted file) survive a crash. */
export async function fsyncDir(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Replaces `path` with `content` so that a crash leaves either the old or the new
 * content, never a mix: write a temporary file, fsync it, rename it over, fsync the folder.
 */
export async function writeFileAtomic(path: string, content: string): Promise<void> {
  const temporary = `${path}.tmp`;
  const handle = await open(temporary, 'w');
  try {
    await writeFile(handle, content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, path);
  await fsyncDir(dirname(path));
}
