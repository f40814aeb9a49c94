import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BusRecord, LogBus, LogEvent, Registry } from '@vigie/common';
import { createRegistry, EngineAuthError, UnavailableError } from '@vigie/common';
import { metricValue, sampleEvent, testLogger, waitFor } from '@vigie/testkit';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BackpressureError } from '../../src/errors.js';
import { KafkaEventSink, type KafkaEventSinkOptions } from '../../src/sink/index.js';
import { fullDisk } from './full-disk.js';

/** A bus that is up or down on demand, and can hang instead of answering. */
class FakeBus implements LogBus {
  up = true;
  hang = false;
  /** Set: Kafka answers but refuses the credentials, as a broker after a password rotation. */
  refusal: EngineAuthError | undefined;
  readonly published: BusRecord[] = [];
  publishCalls = 0;

  async healthcheck(): Promise<void> {
    if (this.refusal) throw this.refusal;
    if (!this.up) throw new UnavailableError('Kafka');
  }
  /** Sends held while `hang` is set, settled by `release`. */
  readonly held: Array<(landed: boolean) => void> = [];

  /** Publishes to fail even while up. */
  failures = 0;
  /** Every publish asked for, failed or not. */
  readonly calls: BusRecord[][] = [];

  async publish(_topic: string, records: BusRecord[]): Promise<void> {
    this.publishCalls++;
    this.calls.push(records);
    if (this.refusal) throw this.refusal;
    if (this.failures > 0) {
      this.failures--;
      throw new UnavailableError('Kafka');
    }
    if (this.hang) {
      const landed = await new Promise<boolean>((resolve) => this.held.push(resolve));
      if (!landed) throw new UnavailableError('Kafka');
    } else if (!this.up) {
      throw new UnavailableError('Kafka');
    }
    this.published.push(...records);
  }

  release(landed: boolean): void {
    this.hang = false;
    for (const settle of this.held.splice(0)) settle(landed);
  }
  async ensureTopic(): Promise<void> {}
  async consumerLag(): Promise<Map<number, number>> {
    return new Map();
  }
  subscribe(): never {
    throw new Error('not used by the sink');
  }
  async close(): Promise<void> {}
}

/** Event `seq` of `service`, numbered so that order and duplicates can be checked. */
const event = (service: string, seq: number): LogEvent => ({
  ...sampleEvent(seq),
  service: { name: service },
  labels: { seq: String(seq) },
});

function sequences(records: BusRecord[]): Map<string, number[]> {
  const byKey = new Map<string, number[]>();
  for (const record of records) {
    const parsed = JSON.parse(record.value.toString()) as LogEvent & { labels: { seq: string } };
    expect(record.key).toBe(parsed.service.name);
    byKey.set(record.key ?? '', [...(byKey.get(record.key ?? '') ?? []), Number(parsed.labels.seq)]);
  }
  return byKey;
}

const metric = metricValue;

let dir: string;
let bus: FakeBus;
let registry: Registry;
const sinks: KafkaEventSink[] = [];

function newSink(options: Partial<KafkaEventSinkOptions> = {}): KafkaEventSink {
  registry = createRegistry();
  const sink = new KafkaEventSink({
    bus,
    topic: 'logs',
    spoolDir: dir,
    spoolMaxBytes: 16 * 1024 * 1024,
    logger: testLogger(),
    registry,
    minBackoffMs: 20,
    maxBackoffMs: 50,
    ...options,
  });
  sinks.push(sink);
  return sink;
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vigie-sink-'));
  bus = new FakeBus();
});
afterEach(async () => {
  await Promise.allSettled(sinks.splice(0).map((s) => s.stop()));
  await rm(dir, { recursive: true, force: true });
});

describe('KafkaEventSink', () => {
  it('publishes events keyed by service, concurrent writes sharing one publish', async () => {
    const sink = newSink({ lingerMs: 20 });
    await sink.start();
    await Promise.all(
      Array.from({ length: 10 }, (_, w) => sink.write([event('a', w * 2), event(`b${w}`, w * 2 + 1)])),
    );
    expect(bus.publishCalls).toBe(1);
    expect(bus.published).toHaveLength(20);
    expect(sequences(bus.published).get('a')).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16, 18]);
    expect(await metric(registry, 'vigie_collector_kafka_sent_events_total')).toBe(20);
    expect((await readdir(dir)).filter((f) => f.endsWith('.spool'))).toEqual([]);
  });

  it('spools while Kafka is away, keeps new writes behind the spool, and replays in order', async () => {
    const sink = newSink();
    await sink.start();
    await sink.write([event('a', 0), event('b', 0)]);
    bus.up = false;
    for (let seq = 1; seq <= 50; seq++) await sink.write([event('a', seq), event('b', seq)]);
    expect(bus.published).toHaveLength(2);
    expect(await metric(registry, 'vigie_collector_spooled_events_total')).toBe(100);
    expect(await metric(registry, 'vigie_collector_spool_bytes')).toBeGreaterThan(0);
    expect(await metric(registry, 'vigie_collector_kafka_publish_errors_total')).toBe(1);

    bus.up = true;
    // Written while the spool drains: must land after the spooled events.
    const late = Array.from({ length: 20 }, (_, k) => sink.write([event('a', 51 + k)]));
    await Promise.all(late);
    await waitFor(
      'spool drained',
      async () => bus.published.length,
      (n) => n === 122,
      10_000,
      20,
    );
    const byKey = sequences(bus.published);
    expect(byKey.get('a')).toEqual(Array.from({ length: 71 }, (_, i) => i));
    expect(byKey.get('b')).toEqual(Array.from({ length: 51 }, (_, i) => i));
    await waitFor(
      'replay counted',
      async () => metric(registry, 'vigie_collector_replayed_events_total'),
      (n) => n >= 100,
      5000,
      20,
    );
    await waitFor(
      'spool files deleted',
      async () => metric(registry, 'vigie_collector_spool_segments'),
      (n) => n === 0,
      5000,
      20,
    );
  });

  it('keeps spooling when Kafka refuses its credentials, says so once, and sends the spool once accepted', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'error' }, { write: (line: string) => void lines.push(line) });
    const sink = newSink({ logger });
    await sink.start();
    await sink.write([event('a', 0)]);
    bus.refusal = new EngineAuthError(
      'Kafka refused the credentials of user "collector" (SASL scram-sha-512)',
    );
    for (let seq = 1; seq <= 20; seq++) await sink.write([event('a', seq)]);
    await waitFor(
      'the refusal noticed',
      async () => sink.kafkaStatus(),
      (status) => status.state === 'refused',
      5000,
      20,
    );
    expect(sink.kafkaStatus().reason).toContain('user "collector"');
    expect(await metric(registry, 'vigie_collector_kafka_refused')).toBe(1);
    // Many probes, one error line.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(lines.filter((line) => line.includes('refuses the collector'))).toHaveLength(1);
    // The line names the user the broker refused.
    expect(lines[0]).toContain('user \\"collector\\"');
    expect(bus.published).toHaveLength(1);

    bus.refusal = undefined;
    await waitFor(
      'the spool sent',
      async () => bus.published.length,
      (n) => n === 21,
      5000,
      20,
    );
    expect(sequences(bus.published).get('a')).toEqual(Array.from({ length: 21 }, (_, i) => i));
    await waitFor(
      'delivery direct again',
      async () => sink.kafkaStatus().state,
      (state) => state === 'direct',
      5000,
      20,
    );
    expect(await metric(registry, 'vigie_collector_kafka_refused')).toBe(0);
  });

  for (const landed of [true, false]) {
    it(`spools a publish that does not answer in time, and sends it once when it ${landed ? 'lands late' : 'fails'}`, async () => {
      const sink = newSink({ publishTimeoutMs: 200 });
      await sink.start();
      bus.hang = true;
      const started = Date.now();
      await sink.write([event('a', 0), event('b', 0)]);
      expect(Date.now() - started).toBeGreaterThanOrEqual(190);
      for (let seq = 1; seq <= 5; seq++) await sink.write([event('a', seq)]);
      expect(await metric(registry, 'vigie_collector_spooled_events_total')).toBe(7);
      // The replayer waits for the outcome of the timed-out send before sending anything.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(bus.publishCalls).toBe(1);
      bus.release(landed);
      await waitFor(
        'replayed',
        async () => metric(registry, 'vigie_collector_replayed_events_total'),
        (n) => n === 7,
        5000,
        20,
      );
      await waitFor(
        'spool empty',
        async () => metric(registry, 'vigie_collector_spool_segments'),
        (n) => n === 0,
        5000,
        20,
      );
      const byKey = sequences(bus.published);
      expect(byKey.get('a')).toEqual([0, 1, 2, 3, 4, 5]);
      expect(byKey.get('b')).toEqual([0]);
    });
  }

  it('sends a failed publish again alone and unchanged, for the idempotent producer to recognise it', async () => {
    const sink = newSink();
    await sink.start();
    bus.up = false;
    await sink.write([event('a', 0), event('b', 0), event('a', 1)]);
    for (let seq = 2; seq < 12; seq++) await sink.write([event('a', seq)]);
    bus.failures = 1; // the first replay fails too
    bus.up = true;
    await waitFor(
      'replayed',
      async () => bus.published.length,
      (n) => n === 13,
      5000,
      20,
    );
    const first = bus.calls[0]?.map((r) => r.value.toString());
    expect(first).toHaveLength(3);
    expect(bus.calls[1]?.map((r) => r.value.toString())).toEqual(first);
    expect(bus.calls[2]?.map((r) => r.value.toString())).toEqual(first);
    expect(sequences(bus.published).get('a')).toEqual(Array.from({ length: 12 }, (_, i) => i));
  });

  it('rejects with BackpressureError when the spool is full, and never drops accepted events', async () => {
    const sink = newSink({ spoolMaxBytes: 64 * 1024, retryAfterSeconds: 3 });
    await sink.start();
    bus.up = false;
    let accepted = 0;
    let refusal: unknown;
    for (let seq = 0; seq < 1000 && refusal === undefined; seq++) {
      await sink.write([event('a', seq)]).then(
        () => {
          accepted++;
        },
        (err: unknown) => {
          refusal = err;
        },
      );
    }
    expect(refusal).toBeInstanceOf(BackpressureError);
    expect((refusal as BackpressureError).retryAfterSeconds).toBe(3);
    expect(await metric(registry, 'vigie_collector_backpressure_total')).toBe(1);
    bus.up = true;
    await waitFor(
      'replayed',
      async () => bus.published.length,
      (n) => n === accepted,
      10_000,
      20,
    );
    expect(sequences(bus.published).get('a')).toEqual(Array.from({ length: accepted }, (_, i) => i));
  });

  it('rejects with BackpressureError when the disk is full, and sends what it had spooled', async () => {
    const budget = { bytes: Number.POSITIVE_INFINITY };
    const sink = newSink({ fs: fullDisk(budget) });
    await sink.start();
    bus.up = false;
    await sink.write([event('a', 0)]);
    budget.bytes = 10;
    const err = await sink.write([event('a', 1)]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackpressureError);
    expect(await registry.getSingleMetric('vigie_collector_backpressure_total')?.get()).toMatchObject({
      values: [{ labels: { reason: 'disk_full' }, value: 1 }],
    });
    budget.bytes = Number.POSITIVE_INFINITY;
    await sink.write([event('a', 1)]); // the source tries again
    bus.up = true;
    await waitFor(
      'replayed',
      async () => bus.published.length,
      (n) => n === 2,
      5000,
      20,
    );
    expect(sequences(bus.published).get('a')).toEqual([0, 1]);
  });

  it('goes on replaying, without sending anything twice, when the disk is too full to save its position', async () => {
    const budget = { bytes: Number.POSITIVE_INFINITY };
    const sink = newSink({ fs: fullDisk(budget) });
    await sink.start();
    bus.up = false;
    for (let seq = 0; seq < 3; seq++) await sink.write([event('a', seq)]);
    budget.bytes = 0;
    bus.up = true;
    await waitFor(
      'replayed',
      async () => bus.published.length,
      (n) => n === 3,
      5000,
      20,
    );
    await new Promise((resolve) => setTimeout(resolve, 300)); // retries of the failed commit
    await sink.write([event('a', 3)]);
    expect(sequences(bus.published).get('a')).toEqual([0, 1, 2, 3]);
  });

  it('keeps the spool across a restart and sends it first', async () => {
    bus.up = false;
    const first = newSink();
    await first.start();
    for (let seq = 0; seq < 30; seq++) await first.write([event('a', seq)]);
    await first.stop();
    await first.stop(); // idempotent
    expect((await readdir(dir)).some((f) => f.endsWith('.spool'))).toBe(true);

    bus.up = true;
    const second = newSink();
    await second.start();
    await second.write([event('a', 30)]);
    await waitFor(
      'replayed',
      async () => bus.published.length,
      (n) => n === 31,
      10_000,
      20,
    );
    expect(sequences(bus.published).get('a')).toEqual(Array.from({ length: 31 }, (_, i) => i));
  });

  it('refuses a write holding an event larger than Kafka takes, and sends none of it', async () => {
    const sink = newSink({ maxEventBytes: 2000 });
    await sink.start();
    const big = { ...event('a', 1), message: 'x'.repeat(3000) };
    const err = await sink.write([event('a', 0), big]).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'VIGIE_ERR_EVENT_TOO_LARGE', httpStatus: 413, retriable: false });
    await sink.write([event('a', 2)]);
    expect(sequences(bus.published).get('a')).toEqual([2]);
    expect(await metric(registry, 'vigie_collector_kafka_too_large_events_total')).toBe(1);
  });

  it('sends serialised events as they are, in order with events, through the spool too', async () => {
    const sink = newSink();
    await sink.start();
    /** Records cut from one buffer, as the parse workers hand them over. */
    const serialised = (seqs: number[]) => {
      const parts = seqs.map((seq) => Buffer.from(JSON.stringify(event('a', seq))));
      const whole = Buffer.concat(parts);
      let start = 0;
      return parts.map((part) => {
        const value = whole.subarray(start, start + part.length);
        start += part.length;
        return { key: 'a', value };
      });
    };
    const first = serialised([0, 1]);
    await sink.writeSerialized(first);
    expect(bus.published.map((r) => r.value)).toEqual(first.map((r) => r.value));
    bus.up = false;
    await sink.writeSerialized(serialised([2, 3]));
    await sink.write([event('a', 4)]);
    await sink.writeSerialized(serialised([5]));
    expect(await metric(registry, 'vigie_collector_spooled_events_total')).toBe(4);
    bus.up = true;
    await waitFor(
      'replayed',
      async () => bus.published.length,
      (n) => n === 6,
      10_000,
      20,
    );
    expect(sequences(bus.published).get('a')).toEqual([0, 1, 2, 3, 4, 5]);

    const big = { key: 'a', value: Buffer.alloc(1_000_001, 0x20) };
    await expect(sink.writeSerialized([big])).rejects.toMatchObject({ code: 'VIGIE_ERR_EVENT_TOO_LARGE' });
    await sink.stop();
    await expect(sink.writeSerialized(serialised([6]))).rejects.toBeInstanceOf(BackpressureError);
  });

  it('refuses writes when not running; stop is safe without start', async () => {
    const sink = newSink();
    await sink.stop();
    await expect(sink.write([event('a', 0)])).rejects.toBeInstanceOf(BackpressureError);
    expect(bus.publishCalls).toBe(0);
  });
});
