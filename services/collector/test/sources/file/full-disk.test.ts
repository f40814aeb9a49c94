import { execFileSync } from 'node:child_process';
import { appendFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CapturingSink } from '@vigie/testkit';
import { describe, expect, it } from 'vitest';
import { parseCheckpoints } from '../../../src/sources/file/checkpoint-store.js';
import { fileConfig, fileSource, metricValue, tempDir, waitForLines } from './helpers.js';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Fills a file system until it refuses more. */
async function fill(path: string): Promise<void> {
  await writeFile(path, Buffer.alloc(1024 * 1024)).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOSPC') throw err;
  });
}

describe('FileSource with its checkpoint folder on a full disk', () => {
  it('pauses on ENOSPC from a real 64 KiB tmpfs, keeps a valid checkpoint, and loses nothing', async () => {
    const dir = await tempDir();
    const dataDir = join(dir, 'data');
    await mkdir(dataDir);
    // Needs root (the collector's CI runs as root); a mount failure fails the test.
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dataDir]);
    try {
      const path = join(dir, 'app.log');
      await writeFile(path, 'n=1\n');
      const sink = new CapturingSink();
      const { source, registry } = fileSource([fileConfig([path])], dataDir, sink);
      await source.start();
      await waitForLines(sink, 1);
      await pause(100);
      await fill(join(dataDir, 'filler'));
      await appendFile(path, 'n=2\n');
      await waitForLines(sink, 2);
      await appendFile(path, 'n=3\n');
      await pause(600);
      expect(sink.texts).toEqual(['n=1', 'n=2']);
      expect(await metricValue(registry, 'vigie_file_checkpoint_failures_total')).toBeGreaterThan(0);
      const saved = parseCheckpoints(await readFile(join(dataDir, 'file-checkpoints.json'), 'utf8'));
      expect(saved?.[0]?.offset).toBe(4);
      await rm(join(dataDir, 'filler'));
      await waitForLines(sink, 3);
      await source.stop();
      await appendFile(path, 'n=4\n');
      const again = fileSource([fileConfig([path])], dataDir, sink);
      await again.source.start();
      await waitForLines(sink, 4);
      await pause(200);
      await again.source.stop();
      expect(sink.texts).toEqual(['n=1', 'n=2', 'n=3', 'n=4']);
    } finally {
      execFileSync('umount', ['-l', dataDir]);
    }
  });
});
