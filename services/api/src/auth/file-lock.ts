import { mkdir, open, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { VigieError } from '@vigie/common';

/**
 * Runs `action` while holding `<path>.lock` (created exclusively), so two `vigie keys`
 * runs cannot both read the keys file and each write back a version without the
 * other's change (a lost revocation would bring a key back). A lock older than
 * `staleMs` is left over from a crash and taken over.
 */
export async function withFileLock<T>(
  path: string,
  action: () => Promise<T>,
  options: { timeoutMs?: number; staleMs?: number } = {},
): Promise<T> {
  const lockPath = `${path}.lock`;
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  const staleMs = options.staleMs ?? 30_000;
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  for (;;) {
    try {
      await (await open(lockPath, 'wx', 0o600)).close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const held = await stat(lockPath).catch(() => undefined);
    if (held && Date.now() - held.mtimeMs > staleMs) await unlink(lockPath).catch(() => undefined);
    else if (Date.now() > deadline)
      throw new VigieError('VIGIE_ERR_LOCKED', `${lockPath} is held by another vigie keys run; try again`, {
        retriable: true,
      });
    else await sleep(10 + Math.random() * 20);
  }
  try {
    return await action();
  } finally {
    await unlink(lockPath).catch(() => undefined);
  }
}
