import { nodeSpoolFs, type SpoolFile, type SpoolFs } from '../../src/sink/index.js';

/** A file system whose writes fail with ENOSPC after `budget` bytes (truncate too, when asked). */
export function fullDisk(budget: { bytes: number; truncateFails?: boolean }): SpoolFs {
  const enospc = () => Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
  return {
    ...nodeSpoolFs,
    async writeFile(path, data) {
      if (budget.bytes <= 0) throw enospc();
      await nodeSpoolFs.writeFile(path, data);
    },
    async open(path, flags) {
      const file = await nodeSpoolFs.open(path, flags);
      const wrapped: SpoolFile = {
        read: (...args) => file.read(...args),
        sync: () => file.sync(),
        close: () => file.close(),
        truncate: async (length) => {
          if (budget.truncateFails) throw new Error('EIO: i/o error');
          await file.truncate(length);
        },
        write: async (buffer, offset, length, position) => {
          if (budget.bytes <= 0) throw enospc();
          // A partial write, as a full disk does, then ENOSPC on the next call.
          const n = Math.min(length, budget.bytes);
          budget.bytes -= n;
          return file.write(buffer, offset, n, position);
        },
      };
      return wrapped;
    },
  };
}
