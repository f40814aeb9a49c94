/**
 * Event loop time per event of `POST /ingest` for NDJSON bodies of 2,000 lines (the
 * demo shop's traffic), with the lines parsed on the event loop or on the parse workers,
 * up to the Kafka sink (on a bus that acknowledges at once). Not a test: a measurement.
 *
 *   node --import tsx services/collector/test/sources/http/measure-ingest-cpu.ts \
 *     [--bodies 60] [--lines 2000] [--concurrency 4] [--rounds 3] [--budget ms] [--only workers|event-loop]
 *
 * Main thread CPU is read from /proc (Linux) for the main thread alone: what `vigie all`
 * runs out of. Event loop time (`performance.eventLoopUtilization().active`) is wall time
 * and grows when a loaded machine preempts the thread; process CPU counts every thread,
 * workers included.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { BusRecord, LogBus } from '@vigie/common';
import { createLogger, createRegistry } from '@vigie/common';
import { defaultShop, generateTraffic } from '@vigie/demo';
import { parseLine } from '../../../src/parse/index.js';
import { CollectorPipeline } from '../../../src/pipeline.js';
import { createRedactor } from '../../../src/redact/index.js';
import { KafkaEventSink } from '../../../src/sink/index.js';
import { buildHttpApp } from '../../../src/sources/http/app.js';

const { values } = parseArgs({
  options: {
    bodies: { type: 'string', default: '60' },
    lines: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '4' },
    rounds: { type: 'string', default: '3' },
    /** Per-line time budget of the workers, ms (default: the pipeline's). */
    budget: { type: 'string' },
    /** Measure one path only (e.g. under --cpu-prof). */
    only: { type: 'string' },
  },
});
const BODIES = Number(values.bodies);
const LINES = Number(values.lines);
const CONCURRENCY = Number(values.concurrency);
const ROUNDS = Number(values.rounds);
const BUDGET_MS = values.budget === undefined ? undefined : Number(values.budget);

/** CPU time of the main thread so far, µs (its utime and stime, in clock ticks of 10 ms). */
function mainThreadCpuUs(): number {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

/** A bus that takes everything at once: only the collector's own work is measured. */
const instantBus: LogBus = {
  healthcheck: async () => {},
  publish: async (_topic: string, _records: BusRecord[]) => {},
  ensureTopic: async () => {},
  consumerLag: async () => new Map(),
  subscribe: () => {
    throw new Error('not used');
  },
  close: async () => {},
};

function bodies(): string[] {
  const start = Date.now() - 7 * 3_600_000;
  const traffic = generateTraffic({
    seed: 11,
    start,
    durationMs: 6 * 3_600_000,
    services: defaultShop(),
    incidents: [],
    rateScale: (BODIES * LINES) / (6 * 3600 * 5),
  });
  const out: string[] = [];
  let lines: string[] = [];
  for (const event of traffic) {
    lines.push(JSON.stringify(event));
    if (lines.length === LINES) {
      out.push(`${lines.join('\n')}\n`);
      lines = [];
      if (out.length === BODIES) break;
    }
  }
  return out;
}

async function measure(workers: boolean, payloads: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'vigie-ingest-cpu-'));
  const registry = createRegistry();
  const logger = createLogger({ level: 'silent' });
  const redaction = { defaults: true, rules: [] };
  const sink = new KafkaEventSink({
    bus: instantBus,
    topic: 'logs',
    spoolDir: dir,
    spoolMaxBytes: 64 * 1024 * 1024,
    logger,
    registry,
  });
  const pipeline = new CollectorPipeline({
    sink,
    parse: parseLine,
    redact: createRedactor({ ...redaction, registry }),
    registry,
    ...(workers && {
      workers: { config: { redaction }, ...(BUDGET_MS !== undefined && { budgetMs: BUDGET_MS }) },
    }),
  });
  const app = buildHttpApp({
    host: '127.0.0.1',
    port: 0,
    maxBodyBytes: 16 * 1024 * 1024,
    defaultService: 'bench',
    sink: pipeline,
    logger,
    registry,
    hostName: 'bench',
  });
  await sink.start();
  await pipeline.start();
  await app.ready();
  const post = async (payload: string) => {
    const response = await app.inject({
      method: 'POST',
      url: '/ingest?service=bench',
      headers: { 'content-type': 'application/x-ndjson' },
      payload,
    });
    if (response.statusCode !== 200) throw new Error(`status ${response.statusCode}`);
  };
  // Warm up the JIT on both sides before measuring.
  for (const payload of payloads.slice(0, 4)) await post(payload);
  const elu = performance.eventLoopUtilization();
  const cpu = process.cpuUsage();
  const mainCpu = mainThreadCpuUs();
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < payloads.length) await post(payloads[next++] as string);
    }),
  );
  const wallMs = performance.now() - started;
  const active = performance.eventLoopUtilization(elu).active;
  const used = process.cpuUsage(cpu);
  const mainUsed = mainThreadCpuUs() - mainCpu;
  const replaced = (await registry.getSingleMetric('vigie_collector_parse_workers_replaced_total')?.get())
    ?.values[0]?.value;
  const events = payloads.length * LINES;
  await app.close();
  await pipeline.stop();
  await sink.stop();
  rmSync(dir, { recursive: true, force: true });
  return {
    mainUsPerEvent: mainUsed / events,
    replaced: replaced ?? 0,
    loopUsPerEvent: (active * 1000) / events,
    processUsPerEvent: (used.user + used.system) / events,
    eventsPerSecond: events / (wallMs / 1000),
  };
}

const payloads = bodies();
const fmt = (n: number) => n.toFixed(1).padStart(8);
console.log(`${payloads.length} bodies of ${LINES} lines, ${CONCURRENCY} at a time`);
console.log('path         main thread CPU µs/event   event loop µs/event   process CPU µs/event   events/s');
for (let round = 0; round < ROUNDS; round++) {
  for (const workers of [false, true]) {
    if (values.only !== undefined && values.only !== (workers ? 'workers' : 'event-loop')) continue;
    const r = await measure(workers, payloads);
    console.log(
      `${(workers ? 'workers' : 'event loop').padEnd(12)} ${fmt(r.mainUsPerEvent)}                  ${fmt(r.loopUsPerEvent)}             ${fmt(r.processUsPerEvent)}        ${Math.round(r.eventsPerSecond)}${r.replaced ? ` (${r.replaced} workers replaced)` : ''}`,
    );
  }
}
