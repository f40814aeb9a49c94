import { execFileSync } from 'node:child_process';
import { appendFile, copyFile, open, readdir, rename, truncate, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { waitFor } from '@vigie/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import type { FileSource } from '../../../src/sources/file/index.js';
import {
  CapturingLineSink,
  fileConfig,
  fileSource,
  metricValue,
  numbered,
  numbersOf,
  range,
  recreateOnSameInode,
  tempDir,
  waitForLines,
} from './helpers.js';

const running: FileSource[] = [];
afterEach(async () => {
  for (const source of running.splice(0)) await source.stop();
});

async function follow(paths: string[], dataDir: string, sink: CapturingLineSink) {
  const made = fileSource([fileConfig(paths)], dataDir, sink);
  running.push(made.source);
  await made.source.start();
  return made;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Each rotation happens while the sink refuses lines, so the collector is behind: the
 * tail of the old file can only come from the rotated file.
 */
describe('FileSource rotation matrix', () => {
  it('rename + create: the renamed file is finished, writes after the rename included', async () => {
    const dir = await tempDir();
    const path = join(dir, 'app.log');
    await writeFile(path, numbered(0, 2000));
    const sink = new CapturingLineSink();
    const { registry } = await follow([path], join(dir, 'data'), sink);
    await waitForLines(sink, 2000);
    sink.refuse = true;
    const old = await open(path, 'a');
    await old.appendFile(numbered(2000, 3000));
    await rename(path, `${path}.1`);
    await old.appendFile(numbered(5000, 1000));
    await writeFile(path, numbered(6000, 2000));
    await old.close();
    await pause(300);
    sink.refuse = false;
    await waitForLines(sink, 8000);
    expect(numbersOf(sink.texts()).sort((a, b) => a - b)).toEqual(range(0, 8000));
    expect(await metricValue(registry, 'vigie_file_rotations_total')).toBe(1);
  });

  it('rename of a quiet file: a line the writer adds soon after the rename is still read', async () => {
    const dir = await tempDir();
    const path = join(dir, 'app.log');
    await writeFile(path, numbered(0, 10));
    const sink = new CapturingLineSink();
    await follow([path], join(dir, 'data'), sink);
    await waitForLines(sink, 10);
    // Quiet for longer than finishIdleMs (300 ms) before the rotation.
    await pause(600);
    const old = await open(path, 'a');
    await rename(path, `${path}.1`);
    await pause(200);
    await old.appendFile(numbered(10, 1));
    await old.close();
    await waitForLines(sink, 11, 3000);
    expect(numbersOf(sink.texts())).toEqual(range(0, 11));
  });

  it('copytruncate: the unread tail is taken from the copy, the truncated file from 0', async () => {
    const dir = await tempDir();
    const path = join(dir, 'app.log');
    await writeFile(path, numbered(0, 2000));
    const sink = new CapturingLineSink();
    const { registry } = await follow([path], join(dir, 'data'), sink);
    await waitForLines(sink, 2000);
    sink.refuse = true;
    await appendFile(path, numbered(2000, 5000));
    await pause(150);
    await copyFile(path, `${path}.1`);
    await truncate(path, 0);
    await appendFile(path, numbered(7000, 3000));
    await pause(300);
    sink.refuse = false;
    await waitForLines(sink, 10_000);
    expect(numbersOf(sink.texts()).sort((a, b) => a - b)).toEqual(range(0, 10_000));
    expect(await metricValue(registry, 'vigie_file_truncations_total')).toBe(1);
    // The copy, which the pattern does not match, is let go once read to its end.
    const watched = () => metricValue(registry, 'vigie_file_watched_files');
    await waitFor('the copy to be released', watched, (n) => n === 1, 5000, 50);
  });

  it('copytruncate with a pattern matching the copy too: each line once, none lost', async () => {
    const dir = await tempDir();
    const path = join(dir, 'app.log');
    await writeFile(path, numbered(0, 2000));
    const sink = new CapturingLineSink();
    await follow([join(dir, 'app.log*')], join(dir, 'data'), sink);
    await waitForLines(sink, 2000);
    sink.refuse = true;
    await appendFile(path, numbered(2000, 5000));
    await copyFile(path, `${path}.1`);
    // A scan sees the copy before the truncation: it must not be read as a new file.
    await pause(150);
    await truncate(path, 0);
    await appendFile(path, numbered(7000, 3000));
    await pause(300);
    sink.refuse = false;
    await waitForLines(sink, 10_000);
    await pause(300);
    expect(numbersOf(sink.texts()).sort((a, b) => a - b)).toEqual(range(0, 10_000));
  });

  it('delete + recreate: the deleted file is finished through its open handle', async () => {
    const dir = await tempDir();
    const path = join(dir, 'app.log');
    await writeFile(path, numbered(0, 1000));
    const sink = new CapturingLineSink();
    await follow([path], join(dir, 'data'), sink);
    await waitForLines(sink, 1000);
    sink.refuse = true;
    await appendFile(path, numbered(1000, 4000));
    await unlink(path);
    await writeFile(path, numbered(5000, 1000));
    await pause(300);
    sink.refuse = false;
    await waitForLines(sink, 6000);
    expect(numbersOf(sink.texts()).sort((a, b) => a - b)).toEqual(range(0, 6000));
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
      const sink = new CapturingLineSink();
      const before = await follow([path], join(dir, 'data'), sink);
      await waitForLines(sink, first.split('\n').length - 1);
      await before.source.stop();
      if (!(await recreateOnSameInode(path, second))) continue;
      await follow([path], join(dir, 'data'), sink);
      await waitForLines(sink, expectedLines);
      await pause(200);
      return sink.texts();
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
    const sink = new CapturingLineSink();
    const first = await follow([path, other], join(dir, 'data'), sink);
    await waitForLines(sink, 2000);
    await first.source.stop();
    // app.log: rename + create; other.log: copytruncate; both written to in between.
    await appendFile(path, numbered(1000, 500));
    await rename(path, `${path}.1`);
    await writeFile(path, numbered(1500, 500));
    await appendFile(other, numbered(11_000, 500));
    await copyFile(other, `${other}.1`);
    await truncate(other, 0);
    await appendFile(other, numbered(11_500, 500));
    await follow([path, other], join(dir, 'data'), sink);
    await waitForLines(sink, 4000);
    await pause(300);
    const expected = [...range(0, 2000), ...range(10_000, 12_000)];
    expect(numbersOf(sink.texts()).sort((a, b) => a - b)).toEqual(expected);
  });

  it('plain truncate: reading starts again from 0, also when rewritten past the old offset', async () => {
    const dir = await tempDir();
    const path = join(dir, 'app.log');
    await writeFile(path, numbered(0, 1000));
    const sink = new CapturingLineSink();
    const { registry } = await follow([path], join(dir, 'data'), sink);
    await waitForLines(sink, 1000);
    await truncate(path, 0);
    await appendFile(path, numbered(1000, 10));
    await waitForLines(sink, 1010);
    await pause(200);
    await truncate(path, 0);
    await appendFile(path, numbered(2000, 2000));
    await waitForLines(sink, 3010);
    await pause(200);
    expect(numbersOf(sink.texts())).toEqual([...range(0, 1010), ...range(2000, 4000)]);
    expect(await metricValue(registry, 'vigie_file_truncations_total')).toBe(2);
  });

  it('gzip of the rotated file: the original is finished, the .gz is not read as a log', async () => {
    const dir = await tempDir();
    const path = join(dir, 'app.log');
    await writeFile(path, numbered(0, 1000));
    const sink = new CapturingLineSink();
    await follow([join(dir, 'app.log*')], join(dir, 'data'), sink);
    await waitForLines(sink, 1000);
    sink.refuse = true;
    await appendFile(path, numbered(1000, 4000));
    await rename(path, `${path}.1`);
    await writeFile(path, numbered(5000, 1000));
    execFileSync('gzip', [`${path}.1`]);
    expect((await readdir(dir)).sort()).toEqual(['app.log', 'app.log.1.gz', 'data']);
    await pause(300);
    sink.refuse = false;
    await waitForLines(sink, 6000);
    await pause(300);
    expect(numbersOf(sink.texts()).sort((a, b) => a - b)).toEqual(range(0, 6000));
  });
});
