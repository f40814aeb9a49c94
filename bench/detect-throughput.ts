/**
 * `npm run bench:detect`: events/s through detection (buckets, sketches, detectors,
 * template mining, security windows) on one core, and memory with many active series.
 *
 *   npm run bench:detect -- [--events 1000000] [--runs 3] [--series 10000]
 *
 * 1. Throughput: the simulated shop (five services, daily rhythm, the six incidents of
 *    the detection scenario) is generated first, then fed to a fresh engine per run;
 *    only the engine is timed. Goal: >= 200,000 events/s.
 * 2. Memory: events spread over `--series` series (services × routes × hosts), for an
 *    hour of event time, then RSS and heap with every series active. Goal: <= 300 MB.
 */
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

// Memory first, in a fresh heap: the throughput phase keeps every generated event in memory.
function memoryWithManySeries() {
  progress(`Memory: ${seriesTarget.toLocaleString()} series for one hour of event time...`);
  const engine = new DetectionEngine();
  let count = 0;
  const before = process.memoryUsage();
  for (const event of manySeries(seriesTarget, 3_600_000, 2_000)) {
    engine.ingest({ id: `m${count++}`, event });
    // Drained often, as the processor does after each batch: a bucket close publishes one
    // metric per series, and holding minutes of them would measure the outbox, not state.
    if ((count & 4095) === 0) engine.drain();
    if ((count & 262143) === 0) {
      const now = process.memoryUsage();
      progress(
        `  ${count.toLocaleString()} events, ${engine.stats().series.toLocaleString()} series, heap ${(now.heapUsed / 2 ** 20).toFixed(0)} MB, RSS ${(now.rss / 2 ** 20).toFixed(0)} MB`,
      );
    }
  }
  engine.drain();
  globalThis.gc?.();
  return { before, after: process.memoryUsage(), stats: engine.stats(), events: count };
}

const { before: baseline, after: memory, stats, events: i } = memoryWithManySeries();
globalThis.gc?.();
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
const rssMb = memory.rss / 2 ** 20;
console.log('\nDetection throughput (one core, CPU time of the engine only)');
console.log(
  `  median of ${runs} runs over ${events.length.toLocaleString()} events: ${Math.round(rate).toLocaleString()} events/s`,
);
console.log(
  `  ${bar(rate, Math.max(rate, goalRate))} goal ${goalRate.toLocaleString()}: ${(rate / goalRate).toFixed(2)}×`,
);
console.log(
  `\nMemory with ${stats.series.toLocaleString()} active series (${stats.services} services, ${i.toLocaleString()} events)`,
);
console.log(
  `  RSS ${rssMb.toFixed(0)} MB (heap ${(memory.heapUsed / 2 ** 20).toFixed(0)} MB; before ${(baseline.rss / 2 ** 20).toFixed(0)} MB)`,
);
console.log(`  ${bar(rssMb, Math.max(rssMb, goalRss))} goal ${goalRss} MB: ${(rssMb / goalRss).toFixed(2)}×`);
