import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FileBus } from '@vigie/embedded';
import { testLogger, waitFor } from '@vigie/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { readAll } from './support/read-all.js';

const publisher = fileURLToPath(new URL('./support/crash-publisher.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

describe('FileBus after a SIGKILL', () => {
  const buses: FileBus[] = [];
  afterEach(async () => {
    await Promise.all(buses.splice(0).map((bus) => bus.close()));
  });

  it('keeps every acknowledged record and accepts new ones', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'vigie-file-bus-crash-'));
    const child = spawn(process.execPath, ['--import', 'tsx', publisher, dataDir, 'crash'], {
      cwd: repoRoot,
      // Workspace packages from their sources, as in the tests: no build needed.
      env: { ...process.env, TSX_TSCONFIG_PATH: join(repoRoot, 'tsconfig.test.json') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const acked = new Set<number>();
    let stderr = '';
    let pendingLine = '';
    child.stdout.on('data', (chunk: Buffer) => {
      const lines = (pendingLine + chunk.toString()).split('\n');
      pendingLine = lines.pop() ?? '';
      for (const line of lines) {
        const [, first, count] = line.split(' ').map(Number);
        for (let n = first as number; n < (first as number) + (count as number); n++) acked.add(n);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal)),
    );
    await waitFor(
      'acknowledged records',
      async () => acked.size,
      (n) => n >= 20_000,
      60_000,
      20,
    ).catch((err: Error) => {
      throw new Error(`${err.message}; publisher stderr: ${stderr.slice(0, 2000)}`);
    });
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    const bus = await FileBus.open({ dataDir, logger: testLogger() });
    buses.push(bus);
    const numbers = new Set(
      (await readAll(bus, 'crash')).map((r) => (JSON.parse(r.value.toString()) as { n: number }).n),
    );
    const lost = [...acked].filter((n) => !numbers.has(n));
    expect(lost).toEqual([]);
    expect(numbers.size).toBeGreaterThanOrEqual(acked.size);

    // The bus goes on from where the partitions really end.
    await bus.publish('crash', [{ key: 'k1', value: Buffer.from('{"n":-1}') }]);
    const after = await readAll(bus, 'crash');
    expect(after.some((r) => r.value.toString() === '{"n":-1}')).toBe(true);
    for (const partition of new Set(after.map((r) => r.partition))) {
      const offsets = after.filter((r) => r.partition === partition).map((r) => Number(r.offset));
      expect(offsets).toEqual(offsets.map((_, i) => i));
    }
  }, 120_000);
});
