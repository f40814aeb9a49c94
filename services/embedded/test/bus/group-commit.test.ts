import { describe, expect, it } from 'vitest';
import { CoalescingRunner } from '../../src/bus/coalescing-runner.js';
import { partitionOfKey } from '../../src/bus/partitioner.js';

describe('CoalescingRunner (the group commit)', () => {
  it('shares one run among the callers that arrive while a run is under way', async () => {
    const runs: number[] = [];
    let requested = 0;
    const runner = new CoalescingRunner(async () => {
      runs.push(requested);
      await new Promise((resolve) => setTimeout(resolve, 20));
    });
    const calls: Promise<void>[] = [];
    for (let i = 0; i < 50; i++) {
      requested++;
      calls.push(runner.request());
    }
    await Promise.all(calls);
    // The first caller's run, then one run for the 49 that came during it.
    expect(runs).toEqual([1, 50]);
  });

  it('resolves a caller only after a run that started after its call', async () => {
    let state = 0;
    let flushed = -1;
    const runner = new CoalescingRunner(async () => {
      const snapshot = state;
      await new Promise((resolve) => setTimeout(resolve, 10));
      flushed = snapshot;
    });
    const waits: Promise<void>[] = [];
    for (let i = 1; i <= 20; i++) {
      state = i;
      const seen = i;
      waits.push(runner.request().then(() => expect(flushed).toBeGreaterThanOrEqual(seen)));
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 8));
    }
    await Promise.all(waits);
    await runner.idle();
  });

  it('rejects the callers of a failed run, and runs again for the next ones', async () => {
    let fail = true;
    const runner = new CoalescingRunner(async () => {
      if (fail) throw new Error('disk full');
    });
    await expect(runner.request()).rejects.toThrow('disk full');
    fail = false;
    await expect(runner.request()).resolves.toBeUndefined();
  });
});

describe('partitionOfKey', () => {
  it("puts a key on the partition Kafka's default partitioner picks", () => {
    // Reference values from kafkajs's DefaultPartitioner (Java-compatible murmur2), 7 partitions.
    const expected: Record<string, number> = {
      alpha: 1,
      beta: 1,
      gamma: 6,
      delta: 6,
      a: 5,
      ab: 0,
      abc: 4,
      'service-x/host-1': 3,
      ünïcode: 6,
    };
    for (const [key, partition] of Object.entries(expected)) expect(partitionOfKey(key, 7)).toBe(partition);
  });
});
