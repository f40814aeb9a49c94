import { createRegistry, type LogBus, type LogEvent, loadConfig } from '@vigie/common';
import { MemoryStore, testLogger } from '@vigie/testkit';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DetectionStage, type DetectionStageOptions } from '../src/detection/detection-stage.js';
import type { PartitionEvent } from '../src/detection/partition-detector.js';
import { Indexer } from '../src/indexing/indexer.js';
import { createProcessorMetrics } from '../src/metrics.js';

const START = Date.parse('2026-01-05T10:00:00Z');
const WALL = Date.parse('2026-11-29T00:00:00Z');
const { config } = loadConfig({ env: { VIGIE_DETECTION_IDLE_SECONDS: '10' } });
const stateKey = (partition: number) => `${config.processor.groupId}/${config.kafka.logsTopic}/${partition}`;

/** One event a second of `service`, the i-th at offset i, for `seconds` from `from`. */
function eventsOf(service: string, from = 0, seconds = 60): PartitionEvent[] {
  return Array.from({ length: seconds }, (_, k) => {
    const i = from + k;
    const event: LogEvent = {
      '@timestamp': new Date(START + i * 1000).toISOString(),
      message: 'GET /cart 200',
      service: { name: service },
    };
    return { id: `${service}-${i}`, offset: BigInt(i), event, recordTime: WALL };
  });
}

describe('DetectionStage, when partitions move and go idle', () => {
  let now = WALL;
  let owned: number[] = [0, 1];
  let backlog = new Map<number, number>();
  let store: MemoryStore;
  let stage: DetectionStage;

  beforeEach(async () => {
    vi.useFakeTimers();
    now = WALL;
    owned = [0, 1];
    backlog = new Map();
    store = new MemoryStore();
    stage = await startedStage({ ownedPartitions: () => owned, backlog: async () => backlog });
    for (const [partition, service] of [
      [0, 'kept'],
      [1, 'moved'],
    ] as const) {
      await stage.ingest(partition, eventsOf(service), 59n);
      await stage.flush(partition, new AbortController().signal);
    }
  });
  /** A stage on the shared store and clock, with its own metrics and a bus double. */
  async function startedStage(
    membership: Pick<DetectionStageOptions, 'ownedPartitions' | 'backlog'> = {},
  ): Promise<DetectionStage> {
    // Only the two calls the stage makes; a bus double with nothing else to do.
    const bus = {
      ensureTopic: async () => undefined,
      publish: async () => undefined,
    } as unknown as LogBus;
    const logger = testLogger();
    const metrics = createProcessorMetrics(createRegistry());
    const indexer = new Indexer({ store, metrics, logger, retryMinMs: 1, retryMaxMs: 1 });
    const started = new DetectionStage({
      config,
      store,
      bus,
      indexer,
      logger,
      metrics,
      now: () => now,
      ...membership,
    });
    await started.start();
    return started;
  }

  afterEach(async () => {
    await stage.stop();
    vi.useRealTimers();
  });

  /** The end of the latest bucket written for `service`, epoch ms. */
  const latestBucket = (service: string) =>
    Math.max(
      ...[...store.metrics.values()]
        .filter((m) => m.service === service)
        .map((m) => Date.parse(m['@timestamp'])),
    );

  async function idleFor(ms: number): Promise<void> {
    now += ms;
    await vi.advanceTimersByTimeAsync(ms);
  }

  it('saves the state of a partition that moved away, drops its engine and writes nothing more for it', async () => {
    // Taken in and written, but not saved yet (the next snapshot is 30 s away).
    await stage.ingest(1, eventsOf('moved', 60, 10), 69n);
    await stage.flush(1, new AbortController().signal);
    expect((await store.loadState(stateKey(1)))?.offset).toBe('59');
    const before = latestBucket('moved');
    owned = [0];
    await idleFor(30_000);
    expect((await store.loadState(stateKey(1)))?.offset).toBe('69');
    // The partition that stayed went on in wall-clock time (silence is detected there)...
    expect(latestBucket('kept')).toBeGreaterThan(START + 60_000);
    // ...the one that moved did not: its new owner reads it now.
    expect(latestBucket('moved')).toBe(before);
  });

  it('lets go of a moved partition as soon as the bus reports the rebalance, without waiting for its ticker', async () => {
    await stage.ingest(1, eventsOf('moved', 60, 10), 69n);
    await stage.flush(1, new AbortController().signal);
    const before = latestBucket('moved');
    stage.releaseMoved([0]);
    // No timer has run: the report alone saved the state and dropped the engine.
    await vi.waitFor(async () => expect((await store.loadState(stateKey(1)))?.offset).toBe('69'));
    await idleFor(30_000);
    expect(latestBucket('moved')).toBe(before);
    expect(latestBucket('kept')).toBeGreaterThan(START + 60_000);
  });

  it('drops a moved partition with output not written yet without saving: the new owner replays it', async () => {
    const before = latestBucket('moved');
    await stage.ingest(1, eventsOf('moved', 60, 10), 69n);
    owned = [0];
    await idleFor(30_000);
    // A state at 69 would hold the bucket closed at 65 s, never written: the new owner
    // would skip its records and the bucket would be lost.
    expect((await store.loadState(stateKey(1)))?.offset).toBe('59');
    expect(latestBucket('moved')).toBe(before);
  });

  it('does not take records waiting in the bus for silence', async () => {
    const before = latestBucket('kept');
    backlog = new Map([
      [0, 5_000],
      [1, 0],
    ]);
    await idleFor(30_000);
    expect(latestBucket('kept')).toBe(before);
    expect(latestBucket('moved')).toBeGreaterThan(START + 60_000);
    backlog = new Map([
      [0, 0],
      [1, 0],
    ]);
    await idleFor(6_000);
    expect(latestBucket('kept')).toBeGreaterThan(START + 60_000);
  });

  /** Runs `steps` on another member taking partition 1 over from the saved state (at offset 59). */
  async function asNewOwner(steps: (owner: DetectionStage) => Promise<void>): Promise<void> {
    const owner = await startedStage();
    try {
      await steps(owner);
    } finally {
      await owner.stop();
    }
  }

  it('asks for the records between its restored state and the committed offset, once, then takes them in', () =>
    asNewOwner(async (owner) => {
      // The group committed up to 79: the records 60..79 never reached the saved state.
      expect(await owner.replayPoint(1, 80n)).toBe('60');
      expect(await owner.replayPoint(1, 60n)).toBeUndefined();
      await owner.ingest(1, eventsOf('moved', 60, 30), 89n);
      await owner.flush(1, new AbortController().signal);
      // Following on from its own state: nothing more to replay.
      expect(await owner.replayPoint(1, 90n)).toBeUndefined();
    }));

  it('goes on without records the bus no longer holds after a replay, instead of asking again', () =>
    asNewOwner(async (owner) => {
      expect(await owner.replayPoint(1, 80n)).toBe('60');
      // Retention deleted 60..69: the replay starts at the oldest record left.
      expect(await owner.replayPoint(1, 70n)).toBeUndefined();
      await owner.ingest(1, eventsOf('moved', 70, 20), 89n);
      await owner.flush(1, new AbortController().signal);
      expect(await owner.replayPoint(1, 90n)).toBeUndefined();
    }));
});
