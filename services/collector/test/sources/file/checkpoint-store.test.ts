import * as nodeFs from 'node:fs/promises';
import { open, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { testLogger } from '@vigie/testkit';
import { describe, expect, it } from 'vitest';
import { type Checkpoint, type CheckpointFs, CheckpointStore } from '../../../src/sources/file/index.js';
import { tempDir } from './helpers.js';

const entry = (offset: number): Checkpoint => ({
  path: '/var/log/app.log',
  dev: 1,
  ino: 42,
  fingerprint: 'a'.repeat(64),
  fingerprintBytes: 1024,
  offset,
});

describe('CheckpointStore', () => {
  it('saves and loads checkpoints, keeping no temp file', async () => {
    const dir = await tempDir();
    const store = new CheckpointStore({ dir, logger: testLogger() });
    expect(await store.load()).toEqual([]);
    await store.save([entry(10)]);
    await store.save([entry(20)]);
    expect(await new CheckpointStore({ dir, logger: testLogger() }).load()).toEqual([entry(20)]);
    expect((await readdir(dir)).sort()).toEqual(['file-checkpoints.json', 'file-checkpoints.json.prev']);
  });

  it('deletes a leftover temp file and moves a corrupt file aside, falling back to the previous one', async () => {
    const dir = await tempDir();
    const store = new CheckpointStore({ dir, logger: testLogger() });
    await store.save([entry(10)]);
    await store.save([entry(20)]);
    await writeFile(join(dir, 'file-checkpoints.json'), '{"version":1,"files":[{"pa');
    await writeFile(join(dir, 'file-checkpoints.json.tmp'), 'half written');
    expect(await store.load()).toEqual([entry(10)]);
    const names = await readdir(dir);
    expect(names).not.toContain('file-checkpoints.json.tmp');
    expect(names.some((n) => n.startsWith('file-checkpoints.json.corrupt-'))).toBe(true);
  });

  it('starts from nothing when every version is corrupt, without throwing', async () => {
    const dir = await tempDir();
    await writeFile(
      join(dir, 'file-checkpoints.json'),
      JSON.stringify({ version: 1, files: [{ offset: -1 }] }),
    );
    expect(await new CheckpointStore({ dir, logger: testLogger() }).load()).toEqual([]);
  });

  it('uses the previous version when a crash left no current one', async () => {
    const dir = await tempDir();
    let crash = false;
    const store = new CheckpointStore({
      dir,
      logger: testLogger(),
      onStep: (step) => {
        if (crash && step === 'previous-kept') throw new Error('crash');
      },
    });
    await store.save([entry(10)]);
    crash = true;
    await expect(store.save([entry(20)])).rejects.toThrow('crash');
    expect(await readdir(dir)).not.toContain('file-checkpoints.json');
    expect(await new CheckpointStore({ dir, logger: testLogger() }).load()).toEqual([entry(10)]);
  });

  it('leaves the last saved version intact when the disk is full', async () => {
    const dir = await tempDir();
    let full = false;
    const fs: CheckpointFs = {
      ...nodeFs,
      open: (async (path: string, flags?: string) => {
        const handle = await open(path, flags);
        if (!full || flags !== 'w') return handle;
        return Object.assign(handle, {
          writeFile: async () => {
            throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
          },
        });
      }) as CheckpointFs['open'],
    };
    const store = new CheckpointStore({ dir, logger: testLogger(), fs });
    await store.save([entry(10)]);
    full = true;
    await expect(store.save([entry(20)])).rejects.toThrow('ENOSPC');
    expect(await readdir(dir)).not.toContain('file-checkpoints.json.tmp');
    expect(JSON.parse(await readFile(join(dir, 'file-checkpoints.json'), 'utf8')).files).toEqual([entry(10)]);
  });
});
