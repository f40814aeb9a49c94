import type { ConsumedRecord, LogBus, RecordBatch, SubscribeOptions, Subscription } from '@vigie/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueName, waitFor } from './engines.js';

const PARTITIONS = 3;

function records(from: number, count: number, keys = ['alpha', 'beta', 'gamma', 'delta']) {
  return Array.from({ length: count }, (_, k) => {
    const i = from + k;
    return {
      key: keys[i % keys.length] as string,
      value: Buffer.from(`{"n":${i}}`),
      timestamp: 1_700_000_000_000 + i,
    };
  });
}

const numberOf = (record: ConsumedRecord) => (JSON.parse(record.value.toString()) as { n: number }).n;

/** Everything a test member received, in order. */
class Received {
  readonly batches: RecordBatch[] = [];
  /** The partitions the member reported holding, each time they changed. */
  readonly assignments: number[][] = [];
  get all(): ConsumedRecord[] {
    return this.batches.flatMap((b) => b.records);
  }
  numbers(): number[] {
    return this.all.map(numberOf);
  }
  distinct(): Set<number> {
    return new Set(this.numbers());
  }
}

/**
 * The behaviour every `LogBus` must have. `createBus` returns a connected bus; each test
 * uses its own topic and consumer group.
 */
export function describeLogBusContract(name: string, createBus: () => Promise<LogBus>): void {
  describe(`LogBus contract: ${name}`, () => {
    let bus: LogBus;
    const subscriptions: Subscription[] = [];
    beforeAll(async () => {
      bus = await createBus();
      await bus.healthcheck();
    });
    afterAll(async () => {
      await Promise.all(subscriptions.map((s) => s.stop()));
      await bus.close();
      await bus.close(); // close is idempotent
    });

    async function member(
      topic: string,
      groupId: string,
      handle?: SubscribeOptions['handleBatch'],
    ): Promise<{ received: Received; subscription: Subscription }> {
      const received = new Received();
      const subscription = await bus.subscribe({
        topic,
        groupId,
        handleBatch: async (batch, context) => {
          if (handle) await handle(batch, context);
          received.batches.push(batch);
        },
        onAssigned: (partitions) => received.assignments.push(partitions),
      });
      subscriptions.push(subscription);
      return { received, subscription };
    }

    async function newTopic(): Promise<string> {
      const topic = uniqueName('contract');
      await bus.ensureTopic(topic, PARTITIONS);
      await bus.ensureTopic(topic, PARTITIONS); // idempotent
      return topic;
    }

    it('delivers every published record once, keeping key, timestamp and per-key order', async () => {
      const topic = await newTopic();
      await bus.publish(topic, records(0, 400));
      const { received, subscription } = await member(topic, uniqueName('group'));
      await waitFor(
        'all records',
        async () => received.all.length,
        (n) => n >= 400,
      );
      expect(received.numbers().sort((a, b) => a - b)).toEqual(Array.from({ length: 400 }, (_, i) => i));
      expect(subscription.assignedPartitions()).toEqual([0, 1, 2]);
      for (const record of received.all) {
        expect(record.timestamp).toBe(1_700_000_000_000 + numberOf(record));
      }
      const byKey = new Map<string, number[]>();
      for (const record of received.all)
        byKey.set(record.key ?? '', [...(byKey.get(record.key ?? '') ?? []), numberOf(record)]);
      expect([...byKey.keys()].sort()).toEqual(['alpha', 'beta', 'delta', 'gamma']);
      for (const numbers of byKey.values()) expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
      // Records of one key share a partition.
      const partitionsOfKey = new Map<string, Set<number>>();
      for (const batch of received.batches) {
        for (const r of batch.records) {
          partitionsOfKey.set(
            r.key ?? '',
            (partitionsOfKey.get(r.key ?? '') ?? new Set()).add(batch.partition),
          );
        }
      }
      for (const partitions of partitionsOfKey.values()) expect(partitions.size).toBe(1);
    });

    it('delivers a batch again when its handler fails, and loses nothing', async () => {
      const topic = await newTopic();
      await bus.publish(topic, records(0, 90));
      let failures = 0;
      const { received } = await member(topic, uniqueName('group'), async () => {
        if (failures < 2) {
          failures++;
          throw new Error('storage is down');
        }
      });
      await waitFor(
        'all records after failures',
        async () => received.distinct().size,
        (n) => n === 90,
      );
      expect(failures).toBe(2);
    });

    it('resumes a group after its last committed batch', async () => {
      const topic = await newTopic();
      const groupId = uniqueName('group');
      await bus.publish(topic, records(0, 60));
      const first = await member(topic, groupId);
      await waitFor(
        'first records',
        async () => first.received.all.length,
        (n) => n === 60,
      );
      await first.subscription.stop();
      await first.subscription.stop(); // idempotent

      await bus.publish(topic, records(60, 30));
      const second = await member(topic, groupId);
      await waitFor(
        'new records only',
        async () => second.received.all.length,
        (n) => n >= 30,
      );
      // Give a redelivery of the old records the time to show up, if it were to.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(second.received.numbers().sort((a, b) => a - b)).toEqual(
        Array.from({ length: 30 }, (_, i) => 60 + i),
      );
    });

    it('replays a partition from an earlier offset when the handler asks, then commits on', async () => {
      const topic = await newTopic();
      const groupId = uniqueName('group');
      const oneKey = (from: number, count: number) => records(from, count, ['alpha']);
      await bus.publish(topic, oneKey(0, 150));
      const first = await member(topic, groupId);
      await waitFor(
        'first records',
        async () => first.received.all.length,
        (n) => n === 150,
      );
      await first.subscription.stop();

      await bus.publish(topic, oneKey(150, 150));
      // A consumer whose own state stops at record 99 (as a detection snapshot can) asks
      // for the records from 100 on the first batch it gets, which starts at 150.
      const delivered: ConsumedRecord[] = [];
      let asked: string | undefined;
      const second = await bus.subscribe({
        topic,
        groupId,
        handleBatch: async (batch, context) => {
          if (asked === undefined) {
            asked = batch.records[0]?.offset;
            context.replayFrom('100');
            return;
          }
          delivered.push(...batch.records);
        },
      });
      subscriptions.push(second);
      await waitFor(
        'replayed and new records',
        async () => new Set(delivered.map(numberOf)).size,
        (n) => n >= 200,
      );
      expect(asked).toBe('150');
      expect(delivered[0]?.offset).toBe('100');
      expect([...new Set(delivered.map(numberOf))].sort((a, b) => a - b)).toEqual(
        Array.from({ length: 200 }, (_, i) => 100 + i),
      );
      // Nothing fetched before the replay slipped through out of order.
      const numbers = delivered.map(numberOf);
      expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
      await waitFor(
        'the replayed records committed',
        async () => [...(await bus.consumerLag(topic, groupId)).values()].reduce((a, b) => a + b, 0),
        (lag) => lag === 0,
      );
    });

    it('drops every batch fetched before a replay, even those waiting for room in the pipeline', async () => {
      const topic = await newTopic();
      const groupId = uniqueName('group');
      const oneKey = (from: number, count: number) => records(from, count, ['alpha']);
      // Many small batches: the member fetches ahead of its slow handler until its
      // pipeline is full, and the next fetched batch waits for room when the replay comes.
      for (let i = 0; i < 400; i += 10) await bus.publish(topic, oneKey(i, 10));
      const delivered: ConsumedRecord[] = [];
      let asked = false;
      const member = await bus.subscribe({
        topic,
        groupId,
        maxBytesPerPartition: 256,
        handleBatch: async (batch, context) => {
          const first = Number(batch.records[0]?.offset);
          if (!asked && first >= 200) {
            asked = true;
            context.replayFrom('100');
            return;
          }
          await new Promise((resolve) => setTimeout(resolve, 50));
          delivered.push(...batch.records);
        },
      });
      subscriptions.push(member);
      await waitFor(
        'every record delivered',
        async () => new Set(delivered.map(numberOf)).size,
        (n) => n === 400,
        60_000,
      );
      // In order up to the batch that asked, then from 100 on: nothing fetched before
      // the replay is handed over after it.
      const numbers = delivered.map(numberOf);
      const replayed = numbers.findIndex((n, i) => i > 0 && n <= (numbers[i - 1] as number));
      expect(replayed).toBeGreaterThan(0);
      expect(numbers.slice(0, replayed)).toEqual(Array.from({ length: replayed }, (_, i) => i));
      expect(numbers.slice(replayed)).toEqual(Array.from({ length: 300 }, (_, i) => 100 + i));
    });

    it('reports the lag of a group: records published and not yet committed', async () => {
      const topic = await newTopic();
      const groupId = uniqueName('group');
      await bus.publish(topic, records(0, 45));
      const total = async () =>
        [...(await bus.consumerLag(topic, groupId)).values()].reduce((a, b) => a + b, 0);
      expect(await total()).toBe(45);
      expect([...(await bus.consumerLag(topic, groupId)).keys()].sort()).toEqual([0, 1, 2]);
      await member(topic, groupId);
      await waitFor('lag down to 0', total, (n) => n === 0);
    });

    it('hands an unfinished batch to the next member of the group', async () => {
      const topic = await newTopic();
      const groupId = uniqueName('group');
      await bus.publish(topic, records(0, 30));
      let started = 0;
      const stuck = await member(topic, groupId, async (_batch, context) => {
        started++;
        // Never finishes on its own: it waits until the bus takes the batch back.
        await new Promise<void>((resolve) => context.signal.addEventListener('abort', () => resolve()));
        throw new Error('aborted');
      });
      await waitFor(
        'a batch in progress',
        async () => started,
        (n) => n > 0,
      );
      await stuck.subscription.stop();
      expect(stuck.received.all).toHaveLength(0);

      const next = await member(topic, groupId);
      await waitFor(
        'redelivered records',
        async () => next.received.distinct().size,
        (n) => n === 30,
      );
    });

    it('splits partitions between members and moves them when a member leaves', async () => {
      const topic = await newTopic();
      const groupId = uniqueName('group');
      const a = await member(topic, groupId);
      const b = await member(topic, groupId);
      await waitFor(
        'both members assigned',
        async () => [a.subscription.assignedPartitions(), b.subscription.assignedPartitions()],
        ([pa, pb]) =>
          (pa?.length ?? 0) > 0 &&
          (pb?.length ?? 0) > 0 &&
          (pa?.length ?? 0) + (pb?.length ?? 0) === PARTITIONS,
        60_000,
      );
      expect([...a.subscription.assignedPartitions(), ...b.subscription.assignedPartitions()].sort()).toEqual(
        [0, 1, 2],
      );
      // Each member was told what it holds as the partitions moved.
      expect(a.received.assignments.at(-1)).toEqual(a.subscription.assignedPartitions());
      expect(b.received.assignments.at(-1)).toEqual(b.subscription.assignedPartitions());

      await bus.publish(topic, records(0, 120));
      const seen = () => new Set([...a.received.numbers(), ...b.received.numbers()]).size;
      await waitFor(
        'records on both members',
        async () => seen(),
        (n) => n === 120,
      );
      expect(a.received.all.length).toBeGreaterThan(0);
      expect(b.received.all.length).toBeGreaterThan(0);

      await b.subscription.stop();
      await waitFor(
        'a takes every partition',
        async () => a.subscription.assignedPartitions(),
        (p) => p.length === 3,
        60_000,
      );
      expect(a.received.assignments.at(-1)).toEqual([0, 1, 2]);
      const before = a.received.all.length;
      await bus.publish(topic, records(120, 120));
      await waitFor(
        'records after the move',
        async () => seen(),
        (n) => n === 240,
      );
      expect(a.received.all.length - before).toBeGreaterThanOrEqual(120);
    });
  });
}
