/**
 * Sustained ingest + index + detect of `vigie all` on the embedded engines (FileBus + SQLite).
 *
 *   npm run bench:allinone -- [--events 300000] [--runs 3] [--concurrency 4] [--batch 2000]
 *                             [--event-rate 20000 | --backfill-hours 6]
 *
 * Each run starts a fresh `vigie all --no-demo` on a temporary data directory, posts
 * pre-serialised NDJSON of the demo shop's traffic to its HTTP intake, and waits until the
 * processor has
 * indexed every event. Throughput is events indexed per second of wall time from the first
 * post to the last event indexed: collector parsing, the durable bus (fsynced), detection
 * and SQLite/FTS5 indexing all included. CPU and RSS are those of the `vigie all` process,
 * sampled from /proc; the load generator's own CPU is printed apart. No peer here: Loki
 * and Graylog cannot be installed from the registries this machine reaches.
 *
 * Event time: by default the events are spread at `--event-rate` per second up to now,
 * as live traffic arriving at that rate would be, so detection closes its 10 s buckets as
 * often as it would in production. `--backfill-hours N` spreads them over N hours instead,
 * with a round of the demo's incidents in the last hour: a history replayed far faster
 * than real time, where every event also closes buckets (heavier on detection), and
 * anomalies are expected.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultShop, generateTraffic, type Incident, incidentRound } from '@vigie/demo';
import { waitFor } from '../services/testkit/src/engines.js';
import { freePort } from '../services/testkit/src/private-kafka.js';
import { scrapeMetrics, VigieProcess } from '../services/testkit/src/processes.js';
import { bar, cpuSeconds, median, progress } from './lib.js';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '300000' },
    runs: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '4' },
    batch: { type: 'string', default: '2000' },
    'event-rate': { type: 'string', default: '20000' },
    'backfill-hours': { type: 'string' },
  },
});
const EVENTS = Number(values.events);
const RUNS = Number(values.runs);
const CONCURRENCY = Number(values.concurrency);
const BATCH = Number(values.batch);
const GOAL = 20_000;
const EVENT_RATE = Number(values['event-rate']);
const BACKFILL_HOURS = values['backfill-hours'] === undefined ? undefined : Number(values['backfill-hours']);
/** The shop's total rate at its daily peak, events/s, with rateScale 1 (services/demo shop.ts). */
const SHOP_PEAK_RATE = 8;

interface Body {
  service: string;
  lines: number;
  text: string;
}

/** How the events spread over event time: live at `EVENT_RATE`, or a backfilled history. */
function timeline(): { start: number; durationMs: number; rateScale: number; incidents: Incident[] } {
  const now = Date.now();
  if (BACKFILL_HOURS === undefined) {
    const durationMs = Math.ceil((EVENTS / EVENT_RATE) * 1000 * 1.05);
    return { start: now - durationMs, durationMs, rateScale: EVENT_RATE / SHOP_PEAK_RATE, incidents: [] };
  }
  const durationMs = BACKFILL_HOURS * 3_600_000;
  const start = Math.floor((now - durationMs - 3_600_000) / 60_000) * 60_000;
  return {
    start,
    durationMs,
    rateScale: (EVENTS / (durationMs / 1000) / SHOP_PEAK_RATE) * 1.05,
    incidents: incidentRound(start + durationMs - 3_600_000, 0),
  };
}

/** The demo shop's traffic, `EVENTS` events, as NDJSON bodies of one service each, in time order. */
function prepareBodies(): Body[] {
  const traffic = generateTraffic({
    seed: 11,
    services: defaultShop(),
    // Flat: the rate does not depend on the hour the bench runs at.
    dailyAmplitude: 0,
    ...timeline(),
  });
  const bodies: Body[] = [];
  const pending = new Map<string, string[]>();
  const flush = (service: string, lines: string[]) => {
    bodies.push({ service, lines: lines.length, text: `${lines.join('\n')}\n` });
    pending.delete(service);
  };
  let count = 0;
  for (const event of traffic) {
    if (count++ === EVENTS) break;
    const service = event.service?.name ?? 'unknown';
    const lines = pending.get(service) ?? [];
    lines.push(JSON.stringify(event));
    pending.set(service, lines);
    if (lines.length === BATCH) flush(service, lines);
  }
  for (const [service, lines] of pending) flush(service, lines);
  return bodies;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Posts every body with `CONCURRENCY` requests in flight, waiting and retrying on 429/503 as a client must. */
async function postAll(intake: string, bodies: Body[]): Promise<{ pushedBack: number }> {
  let next = 0;
  let pushedBack = 0;
  const worker = async () => {
    while (next < bodies.length) {
      const body = bodies[next++] as Body;
      for (;;) {
        const response = await fetch(`${intake}?service=${encodeURIComponent(body.service)}`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-ndjson' },
          body: body.text,
        });
        await response.arrayBuffer();
        if (response.status === 200) break;
        if (response.status !== 429 && response.status !== 503)
          throw new Error(`the intake answered ${response.status}`);
        pushedBack++;
        await sleep(Number(response.headers.get('retry-after') ?? '1') * 1000);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { pushedBack };
}

/** Resident set size now and at its peak (VmHWM), MB. */
function memory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

interface RunResult {
  eventsPerSecond: number;
  seconds: number;
  /** Cores used by `vigie all` on average over the run. */
  cpuCores: number;
  peakRssMb: number;
  /** Cores used by this load generator. */
  clientCores: number;
  /** Anomalies found, by kind, e.g. `error_spike 2, latency 1`. */
  anomalies: string;
  pushedBack: number;
  /** Events indexed per second, one entry per second of the run. */
  timeline: number[];
}

/** CPU seconds of each thread of `pid` with more than 0.1 s, busiest first (Linux). */
function threadCpu(pid: number): string {
  const threads = readdirSync(`/proc/${pid}/task`).map((tid) => {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    return { tid, name, cpu: cpuSeconds(pid, Number(tid)) };
  });
  return threads
    .filter((t) => t.cpu > 0.1)
    .sort((a, b) => b.cpu - a.cpu)
    .map((t) => `${t.tid === String(pid) ? 'main' : t.name}:${t.cpu.toFixed(1)}s`)
    .join(' ');
}

/** What the detection found, read through the search API of the process. */
async function anomaliesByKind(vigie: VigieProcess): Promise<string> {
  const url = await vigie.apiUrl();
  const response = await fetch(`${url}/api/anomalies?from=now-${(BACKFILL_HOURS ?? 0) + 2}h&size=1000`);
  const { anomalies } = (await response.json()) as { anomalies: Array<{ kind: string }> };
  const counts = new Map<string, number>();
  for (const { kind } of anomalies) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return [...counts].map(([kind, n]) => `${kind} ${n}`).join(', ') || 'none';
}

async function run(bodies: Body[], index: number): Promise<RunResult> {
  const dir = mkdtempSync(join(tmpdir(), 'vigie-bench-allinone-'));
  const intakePort = await freePort();
  const vigie = new VigieProcess(['all', '--no-demo'], {
    VIGIE_API_PORT: '0',
    VIGIE_API_UI_DIR: '/nonexistent/ui',
    VIGIE_API_KEYS_FILE: join(dir, 'keys.json'),
    VIGIE_API_AUDIT_FILE: join(dir, 'audit.log'),
    VIGIE_OPS_PORT: '0',
    VIGIE_COLLECTOR_HTTP_PORT: String(intakePort),
    VIGIE_COLLECTOR_DATA_DIR: join(dir, 'collector'),
    VIGIE_EMBEDDED_DATA_DIR: join(dir, 'embedded'),
    // e.g. --cpu-prof, to see where the time goes.
    ...(process.env.BENCH_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS } : {}),
  });
  try {
    const opsUrl = await vigie.opsUrl();
    const intake = `http://127.0.0.1:${intakePort}/ingest`;
    await waitFor(
      'the intake',
      () => fetch(intake, { method: 'POST', body: '' }).then((r) => r.status),
      (s) => s < 500,
      30_000,
      200,
    );
    const pid = vigie.child.pid as number;
    const cpuBefore = cpuSeconds(pid);
    const clientBefore = process.cpuUsage();
    const started = performance.now();
    const timeline: number[] = [];
    let indexed = 0;
    const posting = postAll(intake, bodies);
    let last = 0;
    while (indexed < EVENTS) {
      await sleep(1000);
      if (vigie.child.exitCode !== null) throw new Error(`vigie all exited: ${vigie.stderr.slice(-2000)}`);
      const metrics = await scrapeMetrics(opsUrl);
      indexed = metrics.get('vigie_events_indexed_total') ?? 0;
      timeline.push(indexed - last);
      last = indexed;
      progress(`  run ${index}: ${indexed.toLocaleString('en')} / ${EVENTS.toLocaleString('en')} indexed`);
      if (timeline.length > 600) throw new Error('not every event was indexed within 10 minutes');
    }
    const seconds = (performance.now() - started) / 1000;
    const { pushedBack } = await posting;
    const anomalies = await anomaliesByKind(vigie);
    if (process.env.BENCH_THREADS) progress(threadCpu(pid));
    const client = process.cpuUsage(clientBefore);
    return {
      eventsPerSecond: EVENTS / seconds,
      seconds,
      cpuCores: (cpuSeconds(pid) - cpuBefore) / seconds,
      peakRssMb: memory(pid).peak,
      clientCores: (client.user + client.system) / 1e6 / seconds,
      anomalies,
      pushedBack,
      timeline,
    };
  } finally {
    await vigie.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

const spread =
  BACKFILL_HOURS === undefined
    ? `event time at ${EVENT_RATE.toLocaleString('en')}/s up to now`
    : `a ${BACKFILL_HOURS} h history with incidents`;
progress(`Generating ${EVENTS.toLocaleString('en')} events of the demo shop (${spread})...`);
const bodies = prepareBodies();
const bytes = bodies.reduce((sum, b) => sum + Buffer.byteLength(b.text), 0);
progress(`${bodies.length} bodies of up to ${BATCH} lines, ${(bytes / 1e6).toFixed(0)} MB`);
const results: RunResult[] = [];
for (let i = 1; i <= RUNS; i++) {
  progress(`Run ${i} of ${RUNS}: vigie all on the embedded engines`);
  results.push(await run(bodies, i));
}

const med = (pick: (r: RunResult) => number) => median(results.map(pick));
console.log(
  `\nvigie all, embedded engines: ${EVENTS.toLocaleString('en')} events (${spread}), ${RUNS} runs, ${CONCURRENCY} posts in flight of ${BATCH} lines`,
);
for (const [i, r] of results.entries())
  console.log(
    `  run ${i + 1}: ${Math.round(r.eventsPerSecond).toLocaleString('en').padStart(7)} ev/s  ${r.seconds.toFixed(1)} s  vigie ${r.cpuCores.toFixed(2)} cores, peak RSS ${r.peakRssMb.toFixed(0)} MB  client ${r.clientCores.toFixed(2)} cores  anomalies ${r.anomalies}  pushed back ${r.pushedBack}`,
  );
const rate = med((r) => r.eventsPerSecond);
console.log(
  `median: ${Math.round(rate).toLocaleString('en')} events/s (goal ${GOAL.toLocaleString('en')}: ${(rate / GOAL).toFixed(2)}×), vigie ${med((r) => r.cpuCores).toFixed(2)} cores, peak RSS ${med((r) => r.peakRssMb).toFixed(0)} MB`,
);
const chart = results[Math.floor(results.length / 2)]?.timeline ?? [];
const top = Math.max(...chart, 1);
console.log('\nevents indexed per second over one run:');
for (const [second, n] of chart.entries())
  console.log(`  ${String(second + 1).padStart(3)} s ${bar(n, top)} ${n.toLocaleString('en')}`);
