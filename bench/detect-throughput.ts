/**
 * `npm run bench:detect`: events/s through detection (buckets, sketches, detectors,
 * template mining, security windows) on one core, and memory with many active series.
 *
 *   npm run bench:detect -- [--events 1000000] [--runs 3] [--series 10000] [--heap-cap 160]
 *
 * 1. Throughput: the simulated shop (five services, daily rhythm, the six incidents of
 *    the detection scenario) is generated first, then fed to a fresh engine per run;
 *    only the engine is timed. Goal: >= 200,000 events/s.
 * 2. Memory: events spread over `--series` series (services × routes × hosts), for an
 *    hour of event time, in a fresh process per heap setting: V8's default sizing, which
 *    lets the old space grow to several times the live set between full collections, and
 *    `--max-old-space-size=<--heap-cap>`, the cap the deployment files give the processor.
 *    Peak RSS over the second half of the hour. Goal: <= 300 MB.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { LogEvent } from '@vigie/common';
import { DetectionEngine } from '@vigie/detect';
import {
  defaultShop,
  generateTraffic,
  Rng,
  SCENARIO_INCIDENTS,
} from '../services/testkit/src/traffic/index.js';
import { bar, median, progress } from './lib.js';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '3' },
    series: { type: 'string', default: '10000' },
    'heap-cap': { type: 'string', default: '160' },
    'memory-child': { type: 'boolean', default: false },
  },
});
const eventCount = Number(values.events);
const runs = Number(values.runs);
const seriesTarget = Number(values.series);

function shopEvents(count: number): LogEvent[] {
  const start = Date.parse('2026-01-05T06:00:00Z');
  const events: LogEvent[] = [];
  const scenario = {
    seed: 1,
    start,
    durationMs: 12 * 3_600_000,
    services: defaultShop(),
    incidents: SCENARIO_INCIDENTS(start, 0),
    rateScale: 20,
  };
  for (const event of generateTraffic(scenario)) {
    events.push(event);
    if (events.length >= count) break;
  }
  return events;
}

function throughput(events: readonly LogEvent[]): { perSecond: number; anomalies: number } {
  const engine = new DetectionEngine();
  let anomalies = 0;
  const started = process.cpuUsage();
  for (let i = 0; i < events.length; i++) {
    engine.ingest({ id: `e${i}`, event: events[i] as LogEvent });
    if ((i & 4095) === 0) anomalies += engine.drain().anomalies.length;
  }
  anomalies += engine.drain().anomalies.length;
  const used = process.cpuUsage(started);
  return { perSecond: events.length / ((used.user + used.system) / 1e6), anomalies };
}

/** Events over `series` series: ~1/10 services, each with routes and hosts. */
function* manySeries(series: number, durationMs: number, perSecond: number): Generator<LogEvent> {
  const rng = new Rng(7);
  const services = Math.max(1, Math.round(series / 100));
  const routesPerService = 60;
  const hostsPerService = 39;
  const start = Date.parse('2026-01-05T10:00:00Z');
  const step = 1000 / perSecond;
  for (let t = 0; t < durationMs; t += step) {
    const s = Math.floor(rng.next() * services);
    const status = rng.next() < 0.01 ? 503 : 200;
    yield {
      '@timestamp': new Date(start + t).toISOString(),
      message:
        status === 503 ? `upstream timeout after ${Math.floor(rng.next() * 900)} ms` : 'request served',
      log: { level: status === 503 ? 'error' : 'info' },
      service: { name: `svc-${s}`, version: '1.0.0' },
      host: { name: `host-${s}-${Math.floor(rng.next() * hostsPerService)}` },
      url: { path: `/api/r${Math.floor(rng.next() * routesPerService)}/items` },
      http: { request: { method: 'GET' }, response: { status_code: status } },
      event: { duration: Math.round((20 + rng.next() * 200) * 1e6) },
    };
  }
}

/** What one memory run measured, sent by the child process as one JSON line. */
interface MemoryRun {
  series: number;
  services: number;
  events: number;
  /** Largest RSS sampled over the second half of the hour (every series active). */
  peakRssMb: number;
  /** RSS and heap after a full collection at the end. */
  endRssMb: number;
  liveHeapMb: number;
  arrayBuffersMb: number;
  /** Events/s of the phase (CPU time, generation included): what the heap cap costs. */
  perSecond: number;
}

/** Runs in a child process so that each heap setting starts from a fresh heap. */
function memoryWithManySeries(): MemoryRun {
  const engine = new DetectionEngine();
  const durationMs = 3_600_000;
  const perSecond = 2_000;
  const total = (durationMs / 1000) * perSecond;
  let count = 0;
  let peakRss = 0;
  const started = process.cpuUsage();
  for (const event of manySeries(seriesTarget, durationMs, perSecond)) {
    engine.ingest({ id: `m${count++}`, event });
    // Drained often, as the processor does after each batch: a bucket close publishes one
    // metric per series, and holding minutes of them would measure the outbox, not state.
    if ((count & 4095) === 0) engine.drain();
    if ((count & 65535) === 0 && count > total / 2) peakRss = Math.max(peakRss, process.memoryUsage().rss);
    if ((count & 1048575) === 0) {
      const now = process.memoryUsage();
      progress(
        `  ${count.toLocaleString()} events, ${engine.stats().series.toLocaleString()} series, heap ${mb(now.heapUsed)} MB, RSS ${mb(now.rss)} MB`,
      );
    }
  }
  engine.drain();
  const used = process.cpuUsage(started);
  globalThis.gc?.();
  const end = process.memoryUsage();
  const stats = engine.stats();
  return {
    series: stats.series,
    services: stats.services,
    events: count,
    peakRssMb: mb(Math.max(peakRss, end.rss)),
    endRssMb: mb(end.rss),
    liveHeapMb: mb(end.heapUsed),
    arrayBuffersMb: mb(end.arrayBuffers),
    perSecond: count / ((used.user + used.system) / 1e6),
  };
}

function mb(bytes: number): number {
  return Math.round(bytes / 2 ** 20);
}

if (values['memory-child']) {
  console.log(JSON.stringify(memoryWithManySeries()));
  process.exit(0);
}

/** One memory run in a fresh process with the given V8 flags. */
function memoryRun(flags: string[]): MemoryRun {
  const child = spawnSync(
    process.execPath,
    [
      ...process.execArgv,
      ...flags,
      fileURLToPath(import.meta.url),
      '--memory-child',
      '--series',
      String(seriesTarget),
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20 },
  );
  if (child.status !== 0)
    throw new Error(`memory run with ${flags.join(' ') || 'default flags'} failed (exit ${child.status})`);
  return JSON.parse(child.stdout.trim().split('\n').pop() as string) as MemoryRun;
}

const heapCapFlag = `--max-old-space-size=${values['heap-cap']}`;
const memoryRuns: { label: string; run: MemoryRun }[] = [];
for (const [label, flags] of [
  ['default V8 heap sizing', []],
  [heapCapFlag, [heapCapFlag]],
] as const) {
  progress(`Memory (${label}): ${seriesTarget.toLocaleString()} series for one hour of event time...`);
  memoryRuns.push({ label, run: memoryRun([...flags]) });
}

progress(`Generating ${eventCount.toLocaleString()} shop events...`);
const events = shopEvents(eventCount);
const rates: number[] = [];
for (let run = 1; run <= runs; run++) {
  const result = throughput(events);
  rates.push(result.perSecond);
  progress(
    `run ${run}/${runs}: ${Math.round(result.perSecond).toLocaleString()} events/s (CPU), ${result.anomalies} anomaly records`,
  );
}
const rate = median(rates);

const goalRate = 200_000;
const goalRss = 300;
console.log('\nDetection throughput (one core, CPU time of the engine only)');
console.log(
  `  median of ${runs} runs over ${events.length.toLocaleString()} events: ${Math.round(rate).toLocaleString()} events/s`,
);
console.log(
  `  ${bar(rate, Math.max(rate, goalRate))} goal ${goalRate.toLocaleString()}: ${(rate / goalRate).toFixed(2)}×`,
);
const first = (memoryRuns[0] as { run: MemoryRun }).run;
console.log(
  `\nMemory with ${first.series.toLocaleString()} active series (${first.services} services, ${first.events.toLocaleString()} events; peak RSS over the second half of the hour)`,
);
for (const { label, run } of memoryRuns) {
  console.log(
    `  ${label.padEnd(28)} peak RSS ${String(run.peakRssMb).padStart(4)} MB  ${bar(run.peakRssMb, Math.max(run.peakRssMb, goalRss * 2), 30)} ${(run.peakRssMb / goalRss).toFixed(2)}× goal ${goalRss} MB`,
  );
  console.log(
    `  ${''.padEnd(28)} after a full GC: RSS ${run.endRssMb} MB, live heap ${run.liveHeapMb} MB, array buffers ${run.arrayBuffersMb} MB; ${Math.round(run.perSecond).toLocaleString()} events/s`,
  );
}
