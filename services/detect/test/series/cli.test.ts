import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { parseTimestamp, runDetectSeriesCommand } from '@vigie/detect';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigie-series-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function run(csv: string): Promise<string[][]> {
  const file = join(dir, 'series.csv');
  writeFileSync(file, csv);
  const output = new PassThrough();
  const chunks: Buffer[] = [];
  output.on('data', (c: Buffer) => chunks.push(c));
  await runDetectSeriesCommand(file, output);
  return Buffer.concat(chunks)
    .toString('utf8')
    .trim()
    .split('\n')
    .map((line) => line.split(','));
}

describe('vigie detect-series', () => {
  it('writes timestamp,value,anomaly_score,is_anomaly for every row, flagging the spike', async () => {
    const rows = ['timestamp,value'];
    for (let i = 0; i < 400; i++) {
      const time = new Date(Date.UTC(2014, 3, 1) + i * 300_000).toISOString().slice(0, 19).replace('T', ' ');
      rows.push(`${time},${i === 300 ? 500 : 100 + (i % 5)}`);
    }
    const lines = await run(`${rows.join('\n')}\n`);
    expect(lines[0]).toEqual(['timestamp', 'value', 'anomaly_score', 'is_anomaly']);
    expect(lines).toHaveLength(401);
    expect(lines[1]?.slice(0, 2)).toEqual(['2014-04-01 00:00:00', '100']);
    for (const line of lines.slice(1)) {
      const score = Number(line[2]);
      expect(score).toBeGreaterThanOrEqual(0);
      expect(score).toBeLessThanOrEqual(1);
      expect(['0', '1']).toContain(line[3]);
    }
    const flagged = lines.slice(1).flatMap((line, i) => (line[3] === '1' ? [i] : []));
    expect(flagged).toContain(300);
  });

  it('reads ISO 8601 times without a header, and fails on an unreadable time with its line', async () => {
    const lines = await run('2026-01-05T00:00:00Z,1\n2026-01-05T00:00:10+00:00,2\n');
    expect(lines.map((l) => l[0])).toEqual([
      'timestamp',
      '2026-01-05T00:00:00Z',
      '2026-01-05T00:00:10+00:00',
    ]);
    await expect(run('timestamp,value\n2026-01-05 00:00:00,1\nyesterday,2\n')).rejects.toThrow(
      /:3: cannot read timestamp/,
    );
  });

  it('reads NAB and zone-less ISO times as UTC', () => {
    expect(parseTimestamp('2014-04-01 00:05:00')).toBe(Date.UTC(2014, 3, 1, 0, 5));
    expect(parseTimestamp('2014-04-01T00:05:00')).toBe(Date.UTC(2014, 3, 1, 0, 5));
    expect(parseTimestamp('2014-04-01T02:05:00+02:00')).toBe(Date.UTC(2014, 3, 1, 0, 5));
    expect(parseTimestamp('1396310700')).toBe(Date.UTC(2014, 3, 1, 0, 5));
  });
});
