import { appendFileSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { VigieError } from '@vigie/common';
import { FileBus } from '@vigie/embedded';
import { testLogger } from '@vigie/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { readAll } from './support/read-all.js';

const records = (from: number, count: number, key: string | null = 'same') =>
  Array.from({ length: count }, (_, i) => ({
    key,
    value: Buffer.from(`record ${from + i}`),
    timestamp: from + i,
  }));

/** The only segment file of partition 0 of `topic`. */
function segmentOf(dataDir: string, topic: string): string {
  const dir = join(dataDir, 'topics', topic, '0');
  const [name] = readdirSync(dir).filter((n) => n.endsWith('.log'));
  return join(dir, name as string);
}

describe('FileBus recovery', () => {
  const buses: FileBus[] = [];
  const open = async (dataDir: string) => {
    const bus = await FileBus.open({ dataDir, logger: testLogger() });
    buses.push(bus);
    return bus;
  };
  afterEach(async () => {
    await Promise.all(buses.splice(0).map((bus) => bus.close()));
  });
  const newDir = () => mkdtempSync(join(tmpdir(), 'vigie-file-bus-recovery-'));

  it('truncates a torn last record on open and appends after the last whole one', async () => {
    const dataDir = newDir();
    const first = await open(dataDir);
    await first.ensureTopic('torn', 1);
    await first.publish('torn', records(0, 10));
    await first.close();
    const segment = segmentOf(dataDir, 'torn');
    const wholeSize = statSync(segment).size;
    // A record header announcing 500 bytes, followed by 20: the write a crash cut short.
    const header = Buffer.alloc(8);
    header.writeUInt32LE(500, 0);
    appendFileSync(segment, Buffer.concat([header, Buffer.alloc(20, 7)]));

    const reopened = await open(dataDir);
    expect(statSync(segment).size).toBe(wholeSize);
    await reopened.publish('torn', records(10, 5));
    const read = await readAll(reopened, 'torn');
    expect(read.map((r) => r.value.toString())).toEqual(records(0, 15).map((r) => r.value.toString()));
    expect(read.map((r) => r.offset)).toEqual(Array.from({ length: 15 }, (_, i) => String(i)));
    expect(read.map((r) => r.timestamp)).toEqual(Array.from({ length: 15 }, (_, i) => i));
  });

  it('drops a last record whose checksum does not match', async () => {
    const dataDir = newDir();
    const first = await open(dataDir);
    await first.publish('corrupt', records(0, 3));
    await first.close();
    const segment = segmentOf(dataDir, 'corrupt');
    const bytes = readFileSync(segment);
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 0xff;
    writeFileSync(segment, bytes);

    const reopened = await open(dataDir);
    expect((await readAll(reopened, 'corrupt')).map((r) => r.value.toString())).toEqual([
      'record 0',
      'record 1',
    ]);
  });

  it('keeps committed offsets across a restart', async () => {
    const dataDir = newDir();
    const first = await open(dataDir);
    await first.ensureTopic('offsets', 3);
    await first.publish('offsets', records(0, 30, null));
    await readAll(first, 'offsets', 'the-group');
    await first.close();
    // A temporary file left by a crash in the middle of a commit is ignored.
    writeFileSync(join(dataDir, 'topics', 'offsets', 'offsets.json.tmp'), '{"version":1,"gro');

    const reopened = await open(dataDir);
    expect([...(await reopened.consumerLag('offsets', 'the-group')).values()]).toEqual([0, 0, 0]);
    await reopened.publish('offsets', records(30, 6, null));
    expect([...(await reopened.consumerLag('offsets', 'the-group')).values()]).toEqual([2, 2, 2]);
    const next = await readAll(reopened, 'offsets', 'the-group');
    expect(next.map((r) => r.value.toString()).sort()).toEqual(
      records(30, 6)
        .map((r) => r.value.toString())
        .sort(),
    );
  });

  it('never shrinks a topic and keeps its partition count across a restart', async () => {
    const dataDir = newDir();
    const first = await open(dataDir);
    await first.ensureTopic('grown', 2);
    await first.ensureTopic('grown', 4);
    await first.ensureTopic('grown', 1);
    await first.close();
    const reopened = await open(dataDir);
    expect([...(await reopened.consumerLag('grown', 'g')).keys()]).toEqual([0, 1, 2, 3]);
  });

  it('refuses a second bus on the same folder while the first one runs', async () => {
    const dataDir = newDir();
    const first = await open(dataDir);
    await expect(FileBus.open({ dataDir, logger: testLogger() })).rejects.toMatchObject({
      code: 'VIGIE_ERR_BUS_LOCKED',
    } satisfies Partial<VigieError>);
    await first.close();
    await expect(first.healthcheck()).rejects.toMatchObject({ code: 'VIGIE_ERR_UNAVAILABLE' });
    await expect(first.publish('t', records(0, 1))).rejects.toMatchObject({ code: 'VIGIE_ERR_UNAVAILABLE' });
    const second = await open(dataDir);
    await second.healthcheck();
  });

  it('rejects topic names that are not file names', async () => {
    const bus = await open(newDir());
    for (const name of ['..', '../escape', 'a/b', '', 'x'.repeat(201)]) {
      await expect(bus.publish(name, records(0, 1))).rejects.toMatchObject({
        code: 'VIGIE_ERR_INVALID_TOPIC',
      });
    }
  });
});
