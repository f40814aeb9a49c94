import { open, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { VigieError } from '@vigie/common';

/** Data folders locked by this process, so a second bus on the same folder is refused too. */
const lockedHere = new Set<string>();

/**
 * A lock file holding the owner's pid. Unlike an mtime-refreshed lock (proper-lockfile),
 * a process restarted right after a SIGKILL takes it over at once: the pid in the file
 * is dead (or is our own pid, reused in a container restarted as pid 1).
 */
export class DirLock {
  private released = false;

  private constructor(
    readonly dir: string,
    private readonly path: string,
  ) {}

  static async acquire(dir: string): Promise<DirLock> {
    const path = join(dir, 'LOCK');
    if (lockedHere.has(path)) throw lockedError(dir, process.pid);
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const handle = await open(path, 'wx');
        await handle.writeFile(String(process.pid));
        await handle.close();
        lockedHere.add(path);
        return new DirLock(dir, path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const owner = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner))
        throw lockedError(dir, owner);
      await unlink(path).catch(() => undefined);
    }
    throw lockedError(dir, undefined);
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    lockedHere.delete(this.path);
    await unlink(this.path).catch(() => undefined);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function lockedError(dir: string, owner: number | undefined): VigieError {
  const by = owner === undefined ? 'another process' : `process ${owner}`;
  return new VigieError('VIGIE_ERR_BUS_LOCKED', `The embedded bus folder ${dir} is in use by ${by}.`);
}
