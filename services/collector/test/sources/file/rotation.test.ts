import { execFileSync } from 'node:child_process';
import { appendFile, copyFile, open, readdir, rename, truncate, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CapturingSink, waitFor } from '@vigie/testkit';
import { describe, expect, it } from 'vitest';
import {
  expectEachOnce,
  fileConfig,
  metricValue,
  numbered,
  numbersOf,
  range,
  recreateOnSameInode,
  sourcesPerTest,
  tempDir,
  waitForLines,
  whileBehind,
} from './helpers.js';
import { LogWriter } from './writer.js';

const start = sourcesPerTest();

/** Follows `paths` (of `dir`) into `sink`, with checkpoints in `dir/data`. */
function follow(dir: string, paths: string[], sink: CapturingSink) {
  return start([fileConfig(paths)], join(dir, 'data'), sink);
}

/**
 * `app.log` in a fresh folder holding the numbers [0, lines), followed (by `pattern`,
 * default the file itself) until all of them arrived.
 */
async function followedLog(lines: number, pattern = 'app.log') {
  const dir = await tempDir();
  const path = join(dir, 'app.log');
  await writeFile(path, numbered(0, lines));
  const sink = new CapturingSink();
  const { source, registry } = await follow(dir, [join(dir, pattern)], sink);
  await waitForLines(sink, lines);
  return { dir, path, sink, source, registry };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Each rotation happens while the sink refuses lines, so the collector is behind: the
 * tail of the old file can only come from the rotated file.
 */
describe('FileSource rotation matrix', () => {
  it('rename + create: the renamed file is finished, writes after the rename included', async () => {
    const { path, sink, registry } = await followedLog(2000);
    await whileBehind(sink, async () => {
      const writer = await LogWriter.open(path);
      await writer.append(numbered(2000, 3000));
      await writer.rotate('rename', numbered(5000, 1000));
      await writer.append(numbered(6000, 2000));
      await writer.close();
    });
    await expectEachOnce(sink, 8000);
    expect(await metricValue(registry, 'vigie_file_rotations_total')).toBe(1);
  });

  it('rename of a quiet file: a line the writer adds soon after the rename is still read', async () => {
    const { path, sink } = await followedLog(10);
    // Quiet for longer than finishIdleMs (300 ms) before the rotation.
    await pause(600);
    const old = await open(path, 'a');
    await rename(path, `${path}.1`);
    await pause(200);
    await old.appendFile(numbered(10, 1));
    await old.close();
    await waitForLines(sink, 11, 3000);
    expect(numbersOf(sink.texts)).toEqual(range(0, 11));
  });

  it('copytruncate: the unread tail is taken from the copy, the truncated file from 0', async () => {
    const { path, sink, registry } = await followedLog(2000);
    await whileBehind(sink, async () => {
      const writer = await LogWriter.open(path);
      await writer.append(numbered(2000, 5000));
      await pause(150);
      await writer.rotate('copytruncate', numbered(7000, 3000));
      await writer.close();
    });
    await expectEachOnce(sink, 10_000);
    expect(await metricValue(registry, 'vigie_file_truncations_total')).toBe(1);
    // The copy, which the pattern does not match, is let go once read to its end.
    const watched = () => metricValue(registry, 'vigie_file_watched_files');
    await waitFor('the copy to be released', watched, (n) => n === 1, 5000, 50);
  });

  it('copytruncate with a pattern matching the copy too: each line once, none lost', async () => {
    const { path, sink } = await followedLog(2000, 'app.log*');
    await whileBehind(sink, async () => {
      await appendFile(path, numbered(2000, 5000));
      await copyFile(path, `${path}.1`);
      // A scan sees the copy before the truncation: it must not be read as a new file.
      await pause(150);
      await truncate(path, 0);
      await appendFile(path, numbered(7000, 3000));
    });
    await expectEachOnce(sink, 10_000, 300);
  });

  it('delete + recreate: the deleted file is finished through its open handle', async () => {
    const { path, sink } = await followedLog(1000);
    await whileBehind(sink, async () => {
      await appendFile(path, numbered(1000, 4000));
      await unlink(path);
      await writeFile(path, numbered(5000, 1000));
    });
    await expectEachOnce(sink, 6000);
  });

  it('a file renamed away while stopped, before any of its lines was taken, is found again', async () => {
    const { dir, path, sink, source } = await followedLog(1000);
    const writer = await LogWriter.open(path);
    // The new app.log is followed but none of its lines goes through before the stop.
    await whileBehind(
      sink,
      async () => {
        await writer.rotate('rename');
        await writer.append(numbered(1000, 1000));
        await pause(150);
        await source.stop();
      },
      0,
    );
    await writer.rotate('rename');
    await writer.append(numbered(2000, 500));
    await writer.close();
    await follow(dir, [path], sink);
    await expectEachOnce(sink, 2500, 300);
  });

  /**
   * Follows `first`, stops, replaces the file by `second` on the same inode, starts again
   * and returns what arrived. Starts over (new folder) when another process took the inode.
   */
  async function acrossInodeReuse(first: string, second: string, expectedLines: number) {
    for (let round = 0; round < 5; round++) {
      const dir = await tempDir();
      const path = join(dir, 'app.log');
      await writeFile(path, first);
      const sink = new CapturingSink();
      const before = await follow(dir, [path], sink);
      await waitForLines(sink, first.split('\n').length - 1);
      await before.source.stop();
      if (!(await recreateOnSameInode(path, second))) continue;
      await follow(dir, [path], sink);
      await waitForLines(sink, expectedLines);
      await pause(200);
      return sink.texts;
    }
    throw new Error('no inode was handed out again in 5 rounds');
  }

  it('delete + recreate reusing the inode while stopped: the new file is read from 0', async () => {
    const texts = await acrossInodeReuse(numbered(0, 1000), numbered(1000, 1500), 2500);
    expect(numbersOf(texts)).toEqual(range(0, 2500));
  });

  it('delete + recreate reusing the inode with the same first bytes: creation time tells them apart', async () => {
    expect(await acrossInodeReuse('hello\n', 'hello\nworld\n', 3)).toEqual(['hello', 'hello', 'world']);
  });

  it('rotations while stopped: a renamed file resumes at its offset, a copytruncate copy too', async () => {
    const dir = await tempDir();
    const path = join(dir, 'app.log');
    const other = join(dir, 'other.log');
    await writeFile(path, numbered(0, 1000));
    await writeFile(other, numbered(10_000, 1000));
    const sink = new CapturingSink();
    const first = await follow(dir, [path, other], sink);
    await waitForLines(sink, 2000);
    await first.source.stop();
    // app.log: rename + create; other.log: copytruncate; both written to in between.
    const app = await LogWriter.open(path);
    await app.append(numbered(1000, 500));
    await app.rotate('rename');
    await app.append(numbered(1500, 500));
    await app.close();
    const copied = await LogWriter.open(other);
    await copied.append(numbered(11_000, 500));
    await copied.rotate('copytruncate', numbered(11_500, 500));
    await copied.close();
    await follow(dir, [path, other], sink);
    await waitForLines(sink, 4000);
    await pause(300);
    const expected = [...range(0, 2000), ...range(10_000, 12_000)];
    expect(numbersOf(sink.texts).sort((a, b) => a - b)).toEqual(expected);
  });

  it('plain truncate: reading starts again from 0, also when rewritten past the old offset', async () => {
    const { path, sink, registry } = await followedLog(1000);
    await truncate(path, 0);
    await appendFile(path, numbered(1000, 10));
    await waitForLines(sink, 1010);
    await pause(200);
    await truncate(path, 0);
    await appendFile(path, numbered(2000, 2000));
    await waitForLines(sink, 3010);
    await pause(200);
    expect(numbersOf(sink.texts)).toEqual([...range(0, 1010), ...range(2000, 4000)]);
    expect(await metricValue(registry, 'vigie_file_truncations_total')).toBe(2);
  });

  it('gzip of the rotated file: the original is finished, the .gz is not read as a log', async () => {
    const { dir, path, sink } = await followedLog(1000, 'app.log*');
    await whileBehind(sink, async () => {
      const writer = await LogWriter.open(path);
      await writer.append(numbered(1000, 4000));
      await writer.rotate('rename');
      await writer.append(numbered(5000, 1000));
      await writer.close();
      execFileSync('gzip', [`${path}.1`]);
      expect((await readdir(dir)).sort()).toEqual(['app.log', 'app.log.1.gz', 'data']);
    });
    await expectEachOnce(sink, 6000, 300);
  });
});
