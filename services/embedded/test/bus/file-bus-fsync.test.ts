import { mkdtempSync, statSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileBus } from '@vigie/embedded';
import { testLogger } from '@vigie/testkit';
import { afterEach, describe, expect, it, vi } from 'vitest';

describe('FileBus publish', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('resolves only after an fsync covering its records, one fsync for many concurrent publishes', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'vigie-file-bus-fsync-'));
    const bus = await FileBus.open({ dataDir, logger: testLogger() });
    await bus.ensureTopic('synced', 1);
    const segment = join(dataDir, 'topics', 'synced', '0', `${'0'.repeat(20)}.log`);

    const probe = await open(segment, 'r');
    const prototype = Object.getPrototypeOf(probe) as FileHandle;
    await probe.close();
    const original = prototype.datasync;
    let syncedBytes = 0;
    let syncs = 0;
    vi.spyOn(prototype, 'datasync').mockImplementation(async function (this: FileHandle) {
      const { size } = await this.stat();
      await original.call(this);
      syncs++;
      syncedBytes = Math.max(syncedBytes, size);
    });

    const publishes = Array.from({ length: 40 }, (_, i) =>
      bus.publish('synced', [{ key: 'k', value: Buffer.alloc(1000, i) }]).then(() => {
        // Everything this publish wrote is in the file and was there when an fsync ran.
        expect(statSync(segment).size).toBeGreaterThanOrEqual(sizeAfter(i));
        expect(syncedBytes).toBeGreaterThanOrEqual(sizeAfter(i));
      }),
    );
    await Promise.all(publishes);
    expect(syncs).toBeGreaterThan(0);
    expect(syncs).toBeLessThanOrEqual(3);
    await bus.close();
  });
});

/** Segment bytes up to the end of the i-th record: 8 header + 12 fixed + 1 key + 1000 value bytes each, in call order. */
function sizeAfter(i: number): number {
  return (i + 1) * 1021;
}
