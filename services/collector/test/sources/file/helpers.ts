import { mkdtemp, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRegistry, type FileSourceConfig, type Registry } from '@vigie/common';
import { type CapturingSink, testLogger, waitFor } from '@vigie/testkit';
import { afterEach, expect } from 'vitest';
import type { LineSink } from '../../../src/model.js';
import { FileSource, type FileSourceOptions } from '../../../src/sources/file/index.js';

/** A fresh folder for one test. */
export function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'vigie-file-'));
}

/** A file source with fast timings, on its own registry. */
export function fileSource(
  files: FileSourceConfig[],
  dataDir: string,
  sink: LineSink,
  extra: Partial<FileSourceOptions> = {},
): { source: FileSource; registry: Registry } {
  const registry = createRegistry();
  const source = new FileSource({
    files,
    dataDir,
    maxLineBytes: 1024 * 1024,
    pollIntervalMs: 20,
    rescanIntervalMs: 50,
    multilineFlushMs: 200,
    finishIdleMs: 300,
    sink,
    logger: testLogger(),
    registry,
    hostName: 'test-host',
    ...extra,
  });
  return { source, registry };
}

/**
 * `start()` for a test file: makes a file source with `fileSource`, starts it and stops
 * it after the test (registers its own `afterEach`).
 */
export function sourcesPerTest(): (
  ...args: Parameters<typeof fileSource>
) => Promise<ReturnType<typeof fileSource>> {
  const running: FileSource[] = [];
  afterEach(async () => {
    for (const source of running.splice(0)) await source.stop();
  });
  return async (...args) => {
    const made = fileSource(...args);
    running.push(made.source);
    await made.source.start();
    return made;
  };
}

/**
 * Runs `act` while the sink refuses every line, so the source is behind when it happens
 * (what it did not read yet can only come from where `act` put it), then lets the lines
 * through once the source had `settleMs` to notice.
 */
export async function whileBehind(
  sink: CapturingSink,
  act: () => Promise<void>,
  settleMs = 300,
): Promise<void> {
  sink.refuse();
  await act();
  await new Promise((resolve) => setTimeout(resolve, settleMs));
  sink.accept();
}

/**
 * Waits for `count` lines, then `settleMs` more for any extra one, and checks they are
 * the numbers [0, count), each once, in any order.
 */
export async function expectEachOnce(sink: CapturingSink, count: number, settleMs = 0): Promise<void> {
  await waitForLines(sink, count);
  await new Promise((resolve) => setTimeout(resolve, settleMs));
  expect(numbersOf(sink.texts).sort((a, b) => a - b)).toEqual(range(0, count));
}

/** One `files` entry following `paths`. */
export function fileConfig(paths: string[], extra: Partial<FileSourceConfig> = {}): FileSourceConfig {
  return { paths, format: 'text', ...extra };
}

/** Waits until the sink holds at least `count` lines. */
export function waitForLines(sink: CapturingSink, count: number, timeoutMs = 20_000): Promise<number> {
  return waitFor(
    `${count} lines`,
    async () => sink.lines.length,
    (n) => n >= count,
    timeoutMs,
    20,
  );
}

export { metricValue } from '@vigie/testkit';

/** Lines `n=<i> ...` for i in [from, from + count), newline-terminated. */
export function numbered(from: number, count: number): string {
  let text = '';
  for (let i = from; i < from + count; i++)
    text += `n=${String(i).padStart(7, '0')} payload ${'x'.repeat(i % 40)}\n`;
  return text;
}

/** The numbers of `numbered` lines, in arrival order. */
export function numbersOf(texts: string[]): number[] {
  return texts.map((t) => {
    const match = /^n=(\d{7}) /.exec(t);
    if (!match) throw new Error(`unexpected line: ${t.slice(0, 80)}`);
    return Number(match[1]);
  });
}

/** [from, to) */
export function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

/**
 * Deletes `path` and creates it again with `content` until the new file gets the old
 * inode back (file systems hand a freed inode out again soon). False when another
 * process took it first: the caller starts its scenario again.
 */
export async function recreateOnSameInode(path: string, content: string): Promise<boolean> {
  const { ino, dev } = await stat(path);
  await unlink(path);
  for (let i = 0; i < 20; i++) {
    await writeFile(path, content);
    const now = await stat(path);
    if (now.ino === ino && now.dev === dev) return true;
    await rename(path, `${path}.spare-${i}`);
  }
  return false;
}
