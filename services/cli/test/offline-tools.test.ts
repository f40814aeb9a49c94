import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { VIGIE_CLI } from '@vigie/testkit';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

// The offline tools run the processor's detection code on files: what they print is what
// the live pipeline would conclude. These tests use the built CLI (`npm test` builds).
describe('vigie detect-series and vigie patterns', () => {
  it('scores a CSV online and flags the level shift, not the steady part', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigie-series-'));
    const rows = ['timestamp,value'];
    const start = Date.parse('2026-02-01T00:00:00Z');
    for (let i = 0; i < 400; i++) {
      const value = (i < 300 ? 100 : 400) + ((i * 37) % 11) - 5;
      rows.push(`${new Date(start + i * 300_000).toISOString()},${value}`);
    }
    writeFileSync(join(dir, 'series.csv'), `${rows.join('\n')}\n`);
    const { stdout } = await run(process.execPath, [VIGIE_CLI, 'detect-series', join(dir, 'series.csv')]);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toBe('timestamp,value,anomaly_score,is_anomaly');
    expect(lines).toHaveLength(401);
    const flagged = lines.slice(1).flatMap((line, i) => (line.endsWith(',1') ? [i] : []));
    expect(flagged.filter((i) => i < 300)).toEqual([]);
    expect(flagged.some((i) => i >= 300 && i < 305)).toBe(true);
  });

  it('fails with one line when the file is missing', async () => {
    await expect(run(process.execPath, [VIGIE_CLI, 'detect-series'])).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('needs a CSV file'),
    });
  });

  it('groups messages that differ only in variables and writes valid CSV', async () => {
    const messages = [
      'Connection from 10.0.0.1 closed after 35 ms',
      'Connection from 10.0.0.2 closed after 120 ms',
      'Disk /dev/sda1 is 91% full, "cleanup" scheduled',
      'Connection from 192.168.1.9 closed after 7 ms',
    ];
    const child = execFile(process.execPath, [VIGIE_CLI, 'patterns']);
    let stdout = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stdin?.end(`${messages.join('\n')}\n`);
    await new Promise((resolve) => child.on('close', resolve));
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toBe('line,pattern_id,template');
    const ids = lines.slice(1).map((line) => line.split(',')[1]);
    expect(ids[0]).toBe(ids[1]);
    expect(ids[0]).toBe(ids[3]);
    expect(ids[2]).not.toBe(ids[0]);
    expect(lines[3]).toContain('"Disk <*> is <*> full, ""cleanup"" scheduled"');
  });
});
