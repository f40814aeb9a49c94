import { type ChildProcess, spawn } from 'node:child_process';
import { appendFile, readdir, readFile } from 'node:fs/promises';
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

// 200,000 lines through rotations and kills of the whole collector process, read back
// from Kafka: test/e2e/file-rotation-kill.it.test.ts.
describe('FileSource killed with SIGKILL', () => {
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
