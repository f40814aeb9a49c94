/**
 * Throughput of the embedded bus (FileBus) on this machine's disk.
 *
 *   npm run bench:filebus [-- --records 200000 --partitions 3 --in-flight 1,4]
 *
 * Publish: 1 KB records with distinct keys, in batches of 500, with 1 and with 4 publish
 * calls in flight (the collector's and the processor's patterns); every publish resolves
 * after its records are fsynced, so the figure includes the group commit. Consume: one
 * group member reading everything back from the start, handler doing nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { BusRecord } from '@vigie/common';
import { createLogger } from '@vigie/common';
import { FileBus } from '@vigie/embedded';
import { progress } from './lib.js';

const BATCH = 500;
const RECORD_BYTES = 1024;

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '200000' },
    partitions: { type: 'string', default: '3' },
    'in-flight': { type: 'string', default: '1,4' },
  },
});
const total = Number(values.records);
const partitions = Number(values.partitions);
const inFlightRuns = (values['in-flight'] ?? '1').split(',').map(Number);
const payload = Buffer.alloc(RECORD_BYTES - 40, 'x');

function batch(from: number): BusRecord[] {
  return Array.from({ length: BATCH }, (_, i) => ({
    key: `service-${(from + i) % 97}`,
    value: Buffer.concat([Buffer.from(`{"n":${from + i},"pad":"`), payload, Buffer.from('"}')]),
  }));
}

interface Rate {
  perSecond: number;
  /** CPU of this process (user + system) per record, µs. */
  cpuMicros: number;
}

function rate(records: number, started: number, cpu: NodeJS.CpuUsage): Rate {
  const used = process.cpuUsage(cpu);
  return {
    perSecond: records / ((performance.now() - started) / 1000),
    cpuMicros: (used.user + used.system) / records,
  };
}

async function publishAll(bus: FileBus, topic: string, inFlight: number): Promise<Rate> {
  const batches = Math.ceil(total / BATCH);
  let next = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < batches) {
        const from = next++ * BATCH;
        await bus.publish(topic, batch(from));
      }
    }),
  );
  return rate(batches * BATCH, started, cpu);
}

async function consumeAll(bus: FileBus, topic: string, expected: number): Promise<Rate> {
  let received = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const subscription = await bus.subscribe({
    topic,
    groupId: 'bench',
    concurrency: partitions,
    handleBatch: async (b) => {
      received += b.records.length;
      if (received >= expected) finish();
    },
  });
  await finished;
  const consumed = rate(received, started, cpu);
  await subscription.stop();
  return consumed;
}

const dataDir = mkdtempSync(join(tmpdir(), 'vigie-bench-file-bus-'));
const bus = await FileBus.open({ dataDir, logger: createLogger({ level: 'warn', role: 'bench' }) });
try {
  progress(
    `FileBus in ${dataDir}: ${total} records of ${RECORD_BYTES} B, batches of ${BATCH}, ${partitions} partitions`,
  );
  for (const inFlight of inFlightRuns) {
    const topic = `bench-${inFlight}`;
    await bus.ensureTopic(topic, partitions);
    await publishAll(bus, topic, inFlight); // warm-up pass, also the data the consumer reads
    const publishRate = await publishAll(bus, topic, inFlight);
    const consumeRate = await consumeAll(bus, topic, 2 * Math.ceil(total / BATCH) * BATCH);
    const line = (what: string, r: Rate) =>
      `${what}: ${Math.round(r.perSecond).toLocaleString('en')} records/s` +
      ` (${((r.perSecond * RECORD_BYTES) / 1e6).toFixed(0)} MB/s), CPU ${r.cpuMicros.toFixed(1)} µs/record`;
    console.log(line(`publish, ${inFlight} in flight`, publishRate));
    console.log(line('consume, one member ', consumeRate));
  }
} finally {
  await bus.close();
  rmSync(dataDir, { recursive: true, force: true });
}
