import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileBus, type FileBusOptions } from '@vigie/embedded';
import { testLogger } from '@vigie/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { readAll } from './support/read-all.js';

const DAY = 24 * 60 * 60 * 1000;
// ~1 KB records in 8 KB segments: a new segment every 7 or 8 records.
const SEGMENT_BYTES = 8 * 1024;

const records = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => ({
    key: 'one-key',
    value: Buffer.from(JSON.stringify({ n: from + i, pad: 'x'.repeat(1000) })),
  }));
const numberOf = (value: Buffer) => (JSON.parse(value.toString()) as { n: number }).n;

function segmentFiles(dataDir: string, topic: string, partition = '0'): string[] {
  const dir = join(dataDir, 'topics', topic, partition);
  return readdirSync(dir)
    .filter((name) => name.endsWith('.log'))
    .map((name) => join(dir, name));
}

describe('FileBus segments and retention', () => {
  const buses: FileBus[] = [];
  const open = async (options: Partial<FileBusOptions> & { dataDir: string }) => {
    const bus = await FileBus.open({ logger: testLogger(), segmentBytes: SEGMENT_BYTES, ...options });
    buses.push(bus);
    return bus;
  };
  afterEach(async () => {
    await Promise.all(buses.splice(0).map((bus) => bus.close()));
  });
  const newDir = () => mkdtempSync(join(tmpdir(), 'vigie-file-bus-retention-'));

  it('rolls segments and reads across them, before and after a restart', async () => {
    const dataDir = newDir();
    const bus = await open({ dataDir });
    for (let from = 0; from < 300; from += 30) await bus.publish('rolled', records(from, 30));
    expect(segmentFiles(dataDir, 'rolled').length).toBeGreaterThan(30);
    const before = await readAll(bus, 'rolled');
    expect(before.map((r) => numberOf(r.value))).toEqual(Array.from({ length: 300 }, (_, i) => i));
    await bus.close();

    const reopened = await open({ dataDir });
    const after = await readAll(reopened, 'rolled');
    expect(after.map((r) => r.offset)).toEqual(before.map((r) => r.offset));
    expect(after.map((r) => numberOf(r.value))).toEqual(Array.from({ length: 300 }, (_, i) => i));
  });

  it('deletes whole segments older than the retention age, never the one being written', async () => {
    const dataDir = newDir();
    const bus = await open({ dataDir, retentionMs: DAY });
    await bus.publish('aged', records(0, 100));
    await bus.enforceRetention(Date.now() + DAY / 2);
    expect((await readAll(bus, 'aged')).length).toBe(100);

    await bus.enforceRetention(Date.now() + 2 * DAY);
    expect(segmentFiles(dataDir, 'aged')).toHaveLength(1);
    const kept = await readAll(bus, 'aged');
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThan(10);
    expect(kept.map((r) => numberOf(r.value))).toEqual(
      Array.from({ length: kept.length }, (_, i) => 100 - kept.length + i),
    );
    // A group that never committed lags by what is left, not by what was deleted.
    const lag = await bus.consumerLag('aged', 'new-group');
    expect(lag.get(0)).toBe(kept.length);
  });

  it('keeps a topic under its size bound by deleting its oldest segments first', async () => {
    const dataDir = newDir();
    const retentionBytes = 64 * 1024;
    const bus = await open({ dataDir, retentionBytes });
    await bus.ensureTopic('sized', 2);
    const groupId = 'behind';
    await bus.publish('sized', records(0, 20));
    await readAll(bus, 'sized', groupId); // commits offset 20
    await bus.publish('sized', records(20, 300));
    await bus.enforceRetention();

    const total = ['0', '1']
      .flatMap((partition) => segmentFiles(dataDir, 'sized', partition))
      .reduce((sum, path) => sum + statSync(path).size, 0);
    expect(total).toBeLessThanOrEqual(retentionBytes);
    expect(total).toBeGreaterThan(retentionBytes - 2 * SEGMENT_BYTES);
    const kept = (await readAll(bus, 'sized')).map((r) => numberOf(r.value));
    expect(kept.at(-1)).toBe(319);
    expect(kept).toEqual(Array.from({ length: kept.length }, (_, i) => 320 - kept.length + i));
    // The group committed before the deleted records: it resumes at the oldest one left.
    const resumed = await readAll(bus, 'sized', groupId);
    expect(resumed.map((r) => numberOf(r.value))).toEqual(kept);
  });
});
