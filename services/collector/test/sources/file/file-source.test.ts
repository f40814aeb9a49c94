import { appendFile, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CapturingSink, waitFor } from '@vigie/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import type { RawLine } from '../../../src/model.js';
import type { FileSource } from '../../../src/sources/file/index.js';
import { fileConfig, fileSource, metricValue, tempDir, waitForLines } from './helpers.js';

const running: FileSource[] = [];
afterEach(async () => {
  for (const source of running.splice(0)) await source.stop();
});

async function started(...args: Parameters<typeof fileSource>) {
  const made = fileSource(...args);
  running.push(made.source);
  await made.source.start();
  return made;
}

describe('FileSource', () => {
  it('follows glob matches minus excludes, picks up new files, and tags lines with origin and hints', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'sub'));
    await writeFile(join(dir, 'a.log'), 'one\ntwo\n');
    await writeFile(join(dir, 'skip.log'), 'never\n');
    await writeFile(join(dir, 'sub', 'b.log.gz'), 'compressed\n');
    const sink = new CapturingSink<RawLine>();
    const config = fileConfig([join(dir, '**/*.log*')], {
      exclude: ['**/skip.log'],
      service: 'shop',
      environment: 'prod',
      format: 'json',
      labels: { team: 'a' },
    });
    const { registry } = await started([config], join(dir, 'data'), sink);
    await waitForLines(sink, 2);
    await writeFile(join(dir, 'sub', 'c.log'), 'three\n');
    await waitForLines(sink, 3);
    expect(sink.texts.sort()).toEqual(['one', 'three', 'two']);
    expect(sink.lines[1]).toMatchObject({
      text: 'two',
      origin: { source: 'file', hostName: 'test-host', filePath: join(dir, 'a.log'), offset: 4 },
      hints: { service: 'shop', environment: 'prod', format: 'json', labels: { team: 'a' } },
    });
    expect(sink.lines[1]?.truncated).toBeUndefined();
    expect(await metricValue(registry, 'vigie_file_watched_files')).toBe(2);
    expect(await metricValue(registry, 'vigie_file_read_lines_total')).toBe(3);
    expect(await metricValue(registry, 'vigie_file_read_bytes_total')).toBe(14);
  });

  it('resumes after a restart from the acknowledged offset, nothing lost or repeated', async () => {
    const dir = await tempDir();
    const path = join(dir, 'app.log');
    await writeFile(path, 'a1\na2\n');
    const sink = new CapturingSink();
    const first = await started([fileConfig([path])], join(dir, 'data'), sink);
    await waitForLines(sink, 2);
    await first.source.stop();
    await appendFile(path, 'a3\na4\n');
    const second = await started([fileConfig([path])], join(dir, 'data'), sink);
    await waitForLines(sink, 4);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(sink.texts).toEqual(['a1', 'a2', 'a3', 'a4']);
    expect(await metricValue(second.registry, 'vigie_file_checkpoint_writes_total')).toBeGreaterThan(0);
  });

  it('starts despite a corrupt checkpoint file, from the previous version', async () => {
    const dir = await tempDir();
    const path = join(dir, 'app.log');
    const dataDir = join(dir, 'data');
    await writeFile(path, 'a1\n');
    const sink = new CapturingSink();
    const first = await started([fileConfig([path])], dataDir, sink);
    await waitForLines(sink, 1);
    await appendFile(path, 'a2\n');
    await waitForLines(sink, 2);
    await first.source.stop();
    await writeFile(join(dataDir, 'file-checkpoints.json'), '\u0000\u0000 torn write');
    await started([fileConfig([path])], dataDir, sink);
    await waitFor(
      'a2 again',
      async () => sink.texts,
      (t) => t.length >= 3,
      5000,
      20,
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    // The previous version had a1 only: a2 comes again, a1 does not.
    expect(sink.texts).toEqual(['a1', 'a2', 'a2']);
    expect((await readdir(dataDir)).some((n) => n.includes('.corrupt-'))).toBe(true);
  });

  it('joins Java and Python stack traces and flushes the last record after a silence', async () => {
    const dir = await tempDir();
    const path = join(dir, 'app.log');
    const java =
      'java.lang.IllegalStateException: boom\n\tat a.B.c(B.java:1)\nCaused by: java.io.IOException: x\n\t... 3 more';
    const python =
      'Traceback (most recent call last):\n  File "a.py", line 1, in <module>\n    f()\nValueError: bad';
    await writeFile(path, `2026-11-28 12:00:00 ERROR failed\n${java}\nERROR worker died\n${python}\n`);
    const sink = new CapturingSink<RawLine>();
    await started([fileConfig([path])], join(dir, 'data'), sink);
    await waitForLines(sink, 2);
    expect(sink.texts).toEqual([`2026-11-28 12:00:00 ERROR failed\n${java}`, `ERROR worker died\n${python}`]);
    expect(sink.lines[1]?.origin.offset).toBe(
      Buffer.byteLength(`2026-11-28 12:00:00 ERROR failed\n${java}\n`),
    );
  });

  it('cuts a 10 MiB line to maxLineBytes and flags it; handles BOM, CRLF, NUL and invalid UTF-8', async () => {
    const dir = await tempDir();
    const path = join(dir, 'app.log');
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    const huge = Buffer.alloc(10 * 1024 * 1024, 'x');
    await writeFile(
      path,
      Buffer.concat([
        bom,
        Buffer.from('first\r\n'),
        huge,
        Buffer.from('\nbad \xff\x00 end\n', 'latin1'),
        Buffer.from('ok\n'),
      ]),
    );
    const sink = new CapturingSink<RawLine>();
    // The line is streamed and cut, never held whole: memory outside the heap barely moves.
    const baseline = process.memoryUsage().arrayBuffers;
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().arrayBuffers);
    }, 2);
    const { registry } = await started([fileConfig([path])], join(dir, 'data'), sink, {
      maxLineBytes: 64 * 1024,
    });
    await waitForLines(sink, 4);
    clearInterval(sampler);
    expect(peak - baseline).toBeLessThan(4 * 1024 * 1024);
    const [first, cut, bad, ok] = sink.lines;
    expect(first).toMatchObject({ text: 'first', origin: { offset: 3 } });
    expect(cut?.truncated).toBe(true);
    expect(cut?.text).toBe('x'.repeat(64 * 1024));
    expect(cut?.origin.offset).toBe(3 + 7);
    expect(bad?.text).toBe('bad \uFFFD\u0000 end');
    expect(ok).toMatchObject({ text: 'ok', origin: { offset: 3 + 7 + huge.length + 1 + 11 } });
    expect(await metricValue(registry, 'vigie_file_read_bytes_total')).toBe(3 + 7 + huge.length + 1 + 11 + 3);
  });

  it('keeps the same lines while the sink refuses them, then delivers each once and in order', async () => {
    const dir = await tempDir();
    const path = join(dir, 'app.log');
    await writeFile(path, '');
    const sink = new CapturingSink();
    sink.refuse();
    const { registry } = await started([fileConfig([path])], join(dir, 'data'), sink);
    const expected = Array.from({ length: 50_000 }, (_, i) => `n=${i}`);
    await appendFile(path, `${expected.join('\n')}\n`);
    await new Promise((resolve) => setTimeout(resolve, 800));
    const readWhileRefused = await metricValue(registry, 'vigie_file_read_bytes_total');
    expect(sink.lines).toHaveLength(0);
    // Reading stopped at the first refused batch: far less than the file was read.
    expect(readWhileRefused).toBeLessThan(Buffer.byteLength(expected.join('\n')));
    expect(await metricValue(registry, 'vigie_file_backpressure_waits_total')).toBeGreaterThanOrEqual(3);
    sink.accept();
    await waitForLines(sink, 50_000);
    expect(sink.texts).toEqual(expected);
  });

  it('pauses while the checkpoint cannot be saved (ENOSPC), then resumes with nothing lost', async () => {
    const dir = await tempDir();
    const path = join(dir, 'app.log');
    await writeFile(path, 'before\n');
    const sink = new CapturingSink();
    const nodeFs = await import('node:fs/promises');
    let full = false;
    const checkpointFs = {
      ...nodeFs,
      open: (async (file: string, flags?: string) => {
        if (full && flags === 'w') {
          throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
        }
        return nodeFs.open(file, flags);
      }) as typeof nodeFs.open,
    };
    const dataDir = join(dir, 'data');
    const first = await started([fileConfig([path])], dataDir, sink, { checkpointFs });
    await waitForLines(sink, 1);
    full = true;
    await appendFile(path, 'during 1\n');
    await waitForLines(sink, 2);
    await appendFile(path, 'during 2\n');
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(sink.texts).toEqual(['before', 'during 1']);
    expect(await metricValue(first.registry, 'vigie_file_checkpoint_failures_total')).toBeGreaterThan(0);
    full = false;
    await waitForLines(sink, 3);
    await first.source.stop();
    await appendFile(path, 'after\n');
    await started([fileConfig([path])], dataDir, sink);
    await waitForLines(sink, 4);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(sink.texts).toEqual(['before', 'during 1', 'during 2', 'after']);
  });

  it('on stop, submits the pending multiline record only when the sink takes it', async () => {
    const dir = await tempDir();
    const path = join(dir, 'app.log');
    await writeFile(path, 'ERROR first\n\tat a.B(B.java:1)\n');
    const dataDir = join(dir, 'data');
    const sink = new CapturingSink();
    const slow = { multilineFlushMs: 60_000 };
    const refused = await started([fileConfig([path])], dataDir, sink, slow);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(sink.lines).toHaveLength(0);
    sink.refuse();
    await refused.source.stop();
    expect(sink.lines).toHaveLength(0);
    sink.accept();
    const accepted = await started([fileConfig([path])], dataDir, sink, slow);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await accepted.source.stop();
    expect(sink.texts).toEqual(['ERROR first\n\tat a.B(B.java:1)']);
    await appendFile(path, 'INFO next\n');
    await started([fileConfig([path])], dataDir, sink);
    await waitForLines(sink, 2);
    expect(sink.texts).toEqual(['ERROR first\n\tat a.B(B.java:1)', 'INFO next']);
  });

  it('stops without having started, twice', async () => {
    const { source } = fileSource([fileConfig(['/nonexistent/*.log'])], await tempDir(), new CapturingSink());
    await source.stop();
    await source.stop();
  });
});
