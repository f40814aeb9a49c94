import { type ChildProcess, spawn } from 'node:child_process';
import {
  appendFile,
  copyFile,
  type FileHandle,
  open,
  readdir,
  readFile,
  rename,
  truncate,
} from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@vigie/testkit';
import { describe, expect, it } from 'vitest';
import type { CheckpointStep } from '../../../src/sources/file/index.js';
import type { HarnessConfig, HarnessLine } from './harness.js';
import { fileConfig, numbered, numbersOf, tempDir } from './helpers.js';

const HARNESS = fileURLToPath(new URL('./harness.ts', import.meta.url));
const TEST_TSCONFIG = fileURLToPath(new URL('../../../../../tsconfig.test.json', import.meta.url));

/** The harness in a child process. */
class Harness {
  readonly child: ChildProcess;
  readonly exited: Promise<NodeJS.Signals | number | null>;
  stderr = '';

  constructor(config: HarnessConfig) {
    this.child = spawn(process.execPath, ['--import', 'tsx', HARNESS], {
      // tsconfig.test.json maps the workspace packages to their sources: no build needed.
      env: { ...process.env, TSX_TSCONFIG_PATH: TEST_TSCONFIG, VIGIE_FILE_HARNESS: JSON.stringify(config) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
    });
    this.exited = new Promise((resolve) => this.child.on('exit', (code, signal) => resolve(signal ?? code)));
  }

  ready(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.child.stdout?.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('ready')) resolve();
      });
      void this.exited.then((how) =>
        reject(new Error(`harness exited (${how}): ${this.stderr.slice(-2000)}`)),
      );
    });
  }

  async kill(signal: NodeJS.Signals): Promise<unknown> {
    this.child.kill(signal);
    return this.exited;
  }
}

/** Lines in the output file; a line cut by a SIGKILL mid-write is not counted. */
async function received(out: string): Promise<HarnessLine[]> {
  const text = await readFile(out, 'utf8').catch(() => '');
  const lines: HarnessLine[] = [];
  for (const line of text.split('\n')) {
    try {
      if (line) lines.push(JSON.parse(line) as HarnessLine);
    } catch {
      // Only the last line can be cut; its lines were never acknowledged and come again.
    }
  }
  return lines;
}

function tally(numbers: number[], total: number): { missing: number; twice: number } {
  const counts = new Uint16Array(total);
  for (const n of numbers) counts[n] = (counts[n] ?? 0) + 1;
  return { missing: counts.filter((c) => c === 0).length, twice: counts.filter((c) => c > 1).length };
}

async function waitForAll(out: string, total: number, timeoutMs: number) {
  return waitFor(
    `all ${total} numbers`,
    async () => tally(numbersOf((await received(out)).map((l) => l.text)), total),
    (t) => t.missing === 0,
    timeoutMs,
    500,
  );
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('FileSource killed with SIGKILL', () => {
  it('loses nothing of 200,000 lines through 5 rotations and 2 kills', async () => {
    const dir = await tempDir();
    const path = join(dir, 'app.log');
    const config: HarnessConfig = {
      files: [fileConfig([path])],
      dataDir: join(dir, 'data'),
      out: join(dir, 'out.jsonl'),
    };
    const TOTAL = 200_000;
    const BATCH = 1000;
    const rotations = new Map([
      [30, 'rename'],
      [70, 'rename'],
      [100, 'copytruncate'],
      [140, 'copytruncate'],
      [170, 'rename'],
    ]);
    let harness = new Harness(config);
    await harness.ready();
    let writer: FileHandle = await open(path, 'a');
    let rotated = 0;
    for (let b = 0; b < TOTAL / BATCH; b++) {
      const rotation = rotations.get(b);
      if (rotation === 'rename') {
        await rename(path, `${path}.${++rotated}`);
        // The application writes on to the old file until it reopens.
        await writer.appendFile(numbered(b * BATCH, BATCH / 2));
        await writer.close();
        writer = await open(path, 'a');
        await writer.appendFile(numbered(b * BATCH + BATCH / 2, BATCH / 2));
      } else {
        if (rotation === 'copytruncate') {
          await copyFile(path, `${path}.${++rotated}`);
          await truncate(path, 0);
        }
        await writer.appendFile(numbered(b * BATCH, BATCH));
      }
      // Kills at 60 and 130, restarts 20 batches later: rotations at 70 and 140 happen while down.
      if (b === 60 || b === 130) await harness.kill('SIGKILL');
      if (b === 80 || b === 150) {
        harness = new Harness(config);
        await harness.ready();
      }
      await pause(15);
    }
    await writer.close();
    const result = await waitForAll(config.out, TOTAL, 60_000);
    await harness.kill('SIGTERM');
    const lines = await received(config.out);
    console.log(
      `rotation + SIGKILL: ${TOTAL} lines written, ${lines.length} received, ${result.twice} arrived twice, 0 missing`,
    );
    expect(result.missing).toBe(0);
    expect(lines.length).toBeGreaterThanOrEqual(TOTAL);
    // The rotations made while the collector was down were followed: the rest of the file
    // renamed at batch 70 came from app.log.2, that of the copy made at batch 140 from app.log.4.
    const paths = new Set(lines.map((l) => l.path));
    expect(paths).toContain(`${path}.2`);
    expect(paths).toContain(`${path}.4`);
    if (process.env.VIGIE_DUMP)
      await import('node:fs').then((fs) => fs.cpSync(config.out, process.env.VIGIE_DUMP as string));
  }, 90_000);

  const steps: CheckpointStep[] = ['temp-written', 'previous-kept', 'renamed'];
  for (const step of steps) {
    it(`restarts by itself after a kill right after "${step}" of a checkpoint save`, async () => {
      const dir = await tempDir();
      const path = join(dir, 'app.log');
      const base: HarnessConfig = {
        files: [fileConfig([path])],
        dataDir: join(dir, 'data'),
        out: join(dir, 'out.jsonl'),
      };
      await appendFile(path, numbered(0, 3000));
      const crashing = new Harness({ ...base, crashAt: step, crashOnSave: 3 });
      const started = crashing.ready();
      await appendFile(path, numbered(3000, 3000));
      await started.catch(() => undefined);
      await pause(100);
      await appendFile(path, numbered(6000, 3000));
      expect(await crashing.exited).toBe('SIGKILL');
      await appendFile(path, numbered(9000, 1000));
      const again = new Harness(base);
      await again.ready();
      const result = await waitForAll(base.out, 10_000, 20_000);
      await again.kill('SIGTERM');
      expect((await readdir(base.dataDir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
      console.log(`killed after ${step}: ${result.twice} of 10000 lines arrived twice, 0 missing`);
      expect(result.missing).toBe(0);
    }, 30_000);
  }
});
