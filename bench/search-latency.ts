/**
 * Search API latency under concurrent load, against the same Elasticsearch queries sent
 * directly with the client in the same run.
 *
 *   npm run bench:search -- [--events 5000000] [--reload] [--duration 30] [--warmup 5]
 *                           [--connections 10] [--runs 3]
 *
 * Needs the local stack (npm run stack:up). Loads a simulated week of the shop's logs
 * into `vigie-bench-search-*` once (a few minutes; reused while it holds `--events`
 * events, `--reload` to load again), starts `vigie api` on it, then for each query kind
 * runs autocannon against the API and a client loop against Elasticsearch, both with
 * `--connections` requests in flight. Prints p50/p95/p99 and requests/s (medians of the
 * runs) with the goal p95 < 300 ms; raw figures go to bench/results/.
 */
import { mkdirSync, mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from '@elastic/elasticsearch';
import { freePort, VigieProcess, waitFor } from '../services/testkit/src/index.js';
import { progress } from './lib.js';
import { loadEvents, openStore } from './search-data.js';
import { type CapturedRequest, CapturingProxy, type LoadResult, loadApi, loadDirect } from './search-load.js';
import { type Figures, figures, medianOf, report } from './search-report.js';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '5000000' },
    reload: { type: 'boolean', default: false },
    duration: { type: 'string', default: '30' },
    warmup: { type: 'string', default: '5' },
    connections: { type: 'string', default: '10' },
    runs: { type: 'string', default: '3' },
    prefix: { type: 'string', default: 'vigie-bench-search' },
    elasticsearch: {
      type: 'string',
      default: process.env.VIGIE_ELASTICSEARCH_URL ?? 'http://127.0.0.1:9200',
    },
  },
});
const EVENTS = Number(values.events);
const DURATION = Number(values.duration);
const WARMUP = Number(values.warmup);
const CONNECTIONS = Number(values.connections);
const RUNS = Number(values.runs);
const PREFIX = values.prefix;
const GOAL_P95_MS = 300;
const HOUR = 3_600_000;
// Measured: about 300 bytes of index per event; merges need room for a copy on top.
const BYTES_PER_EVENT = 600;

const client = new Client({ node: values.elasticsearch, requestTimeout: 120_000 });

/** A typical request of the search page over the last `hours` before `end`. */
interface QueryKind {
  name: string;
  hours: number;
  route: string;
  params: Record<string, string>;
}

const KINDS: QueryKind[] = [
  {
    name: 'search: text + facet, 24 h',
    hours: 24,
    route: '/api/search',
    params: { q: '"did not answer" AND service.name:shop-api', size: '100' },
  },
  {
    name: 'search: field + status range, 24 h',
    hours: 24,
    route: '/api/search',
    params: { q: 'service.name:frontend AND http.response.status_code >= 500', size: '100' },
  },
  { name: 'histogram, 24 h', hours: 24, route: '/api/histogram', params: { q: '' } },
  { name: 'histogram, 7 d', hours: 7 * 24, route: '/api/histogram', params: { q: 'log.level:error' } },
  {
    name: 'top values of url.path, 24 h',
    hours: 24,
    route: '/api/fields/url.path/top',
    params: { q: 'http.response.status_code >= 400', size: '10' },
  },
];

/**
 * Every request ends up to this much before the end of the data, as users asking for
 * "the last 24 h" at different moments do: the same time range over and over would be
 * answered from Elasticsearch's shard request cache, which real dashboards rarely hit.
 */
const JITTER_MS = 10 * 60_000;
const jittered = (end: number) => end - Math.floor(Math.random() * JITTER_MS);

/**
 * The captured body of `kind` with its time range moved to end at `end`: the API sent
 * the range as epoch ms (the filter, and the histogram's bounds).
 */
function bodyTemplate(
  kind: QueryKind,
  captured: CapturedRequest,
  capturedEnd: number,
): (end: number) => Record<string, unknown> {
  const from = String(capturedEnd - kind.hours * HOUR);
  const to = String(capturedEnd);
  if (!captured.body.includes(from) || !captured.body.includes(to))
    throw new Error(`${kind.name}: the Elasticsearch request does not carry the time range as epoch ms`);
  const parts = captured.body.split(new RegExp(`(${from}|${to})`));
  return (end) => {
    const text = parts
      .map((part) => (part === from ? String(end - kind.hours * HOUR) : part === to ? String(end) : part))
      .join('');
    return JSON.parse(text) as Record<string, unknown>;
  };
}

/** The API path of `kind` over the hours before `end`. */
function apiPath(kind: QueryKind, end: number): string {
  const from = new Date(end - kind.hours * HOUR).toISOString();
  return `${kind.route}?${new URLSearchParams({ ...kind.params, from, to: new Date(end).toISOString() })}`;
}

function checkDisk(): void {
  const stats = statfsSync('/');
  const free = stats.bavail * stats.bsize;
  const needed = EVENTS * BYTES_PER_EVENT;
  progress(`disk: ${(free / 1e9).toFixed(1)} GB free, the data needs about ${(needed / 1e9).toFixed(1)} GB`);
  if (free < needed + 10e9) throw new Error('not enough free disk (keeping 10 GB spare for everyone else)');
}

/** Loads the data unless the prefix already holds exactly `EVENTS` events; returns the last event's time. */
async function ensureData(): Promise<number> {
  const store = await openStore(values.elasticsearch, PREFIX);
  try {
    const present = await store.countLogs();
    if (present !== EVENTS || values.reload) {
      checkDisk();
      progress(
        `loading ${EVENTS.toLocaleString('en')} events into ${PREFIX}-logs-* (${present} there now)...`,
      );
      await client.indices.delete({
        index: `${PREFIX}-logs-*`,
        ignore_unavailable: true,
        allow_no_indices: true,
      });
      await store.setup();
      const loaded = await loadEvents(store, EVENTS, 4);
      progress(`loaded in ${Math.round(loaded.seconds)} s (${Math.round(EVENTS / loaded.seconds)} events/s)`);
      await store.refresh();
      const count = await store.countLogs();
      if (count !== EVENTS) throw new Error(`stored ${count} of ${EVENTS} events`);
    } else
      progress(
        `reusing the ${EVENTS.toLocaleString('en')} events of ${PREFIX}-logs-* (--reload to load again)`,
      );
  } finally {
    await store.close();
  }
  const stats = await client.indices.stats({ index: `${PREFIX}-logs`, metric: ['store', 'docs'] });
  const bytes = stats._all.primaries?.store?.size_in_bytes ?? 0;
  progress(
    `index size: ${(bytes / 1e9).toFixed(2)} GB in ${Object.keys(stats.indices ?? {}).length} daily indices`,
  );
  const last = await client.search({
    index: `${PREFIX}-logs`,
    size: 0,
    aggs: { last: { max: { field: '@timestamp' } } },
  });
  const lastTime = (last.aggregations?.last as { value: number | null } | undefined)?.value;
  if (typeof lastTime !== 'number') throw new Error(`${PREFIX}-logs holds no event`);
  return lastTime + 1;
}

/** `vigie api` on the bench's prefix, without rate limit, auditing into a temporary file and the audit index. */
async function startApi(elasticsearchUrl: string, dir: string): Promise<{ api: VigieProcess; url: string }> {
  const port = await freePort();
  const api = new VigieProcess(['api'], {
    VIGIE_ELASTICSEARCH_URL: elasticsearchUrl,
    VIGIE_ELASTICSEARCH_INDEX_PREFIX: PREFIX,
    VIGIE_API_HOST: '127.0.0.1',
    VIGIE_API_PORT: String(port),
    VIGIE_OPS_PORT: '0',
    VIGIE_API_KEYS_FILE: join(dir, 'keys.json'),
    VIGIE_API_AUDIT_FILE: join(dir, 'audit.log'),
    VIGIE_API_RATE_LIMIT_PER_MINUTE: '1000000',
    VIGIE_LOG_LEVEL: 'warn',
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    'vigie api',
    async () => {
      if (api.child.exitCode !== null) throw new Error(`vigie api exited: ${api.stderr}${api.stdout}`);
      return (await fetch(`${url}/ready`).catch(() => undefined))?.ok ?? false;
    },
    (ready) => ready,
    30_000,
    200,
  );
  return { api, url };
}

/** Sends each query once through a capturing proxy: the Elasticsearch request behind each. */
async function captureQueries(end: number, dir: string): Promise<CapturedRequest[]> {
  const proxy = new CapturingProxy(values.elasticsearch);
  const proxyUrl = await proxy.listen();
  const { api, url } = await startApi(proxyUrl, dir);
  const captured: CapturedRequest[] = [];
  try {
    for (const kind of KINDS) {
      const before = proxy.captured.length;
      const response = await fetch(url + apiPath(kind, end));
      if (!response.ok) throw new Error(`${kind.name}: ${response.status} ${await response.text()}`);
      const sent = proxy.captured.slice(before);
      if (sent.length !== 1)
        throw new Error(`${kind.name}: expected 1 Elasticsearch search, saw ${sent.length}`);
      captured.push(sent[0] as CapturedRequest);
    }
  } finally {
    await api.kill('SIGTERM');
    await proxy.close();
  }
  return captured;
}

async function main(): Promise<void> {
  const end = await ensureData();
  const dir = mkdtempSync(join(tmpdir(), 'vigie-bench-search-'));
  // Each search writes an audit record: start every run from an empty audit index.
  await client.indices.delete({ index: `${PREFIX}-audit`, ignore_unavailable: true });
  const captures = await captureQueries(end, dir);
  const { api, url } = await startApi(values.elasticsearch, dir);
  const apiRuns: Figures[][] = KINDS.map(() => []);
  const directRuns: Figures[][] = KINDS.map(() => []);
  const overall: Figures[] = [];
  const raw: Array<Record<string, unknown>> = [];
  try {
    for (let run = 1; run <= RUNS; run++) {
      const all: LoadResult = { latencies: [], rate: 0, failures: 0 };
      for (const [i, kind] of KINDS.entries()) {
        const captured = captures[i] as CapturedRequest;
        const pathOf = () => apiPath(kind, jittered(end));
        const template = bodyTemplate(kind, captured, end);
        const bodyOf = () => template(jittered(end));
        // Alternate the order so that neither side always meets the warmer caches.
        const sides = run % 2 ? (['api', 'direct'] as const) : (['direct', 'api'] as const);
        for (const side of sides) {
          progress(`run ${run}/${RUNS}: ${kind.name}, ${side === 'api' ? 'API' : 'Elasticsearch direct'}...`);
          const load = (seconds: number) =>
            side === 'api'
              ? loadApi(url, pathOf, CONNECTIONS, seconds)
              : loadDirect(client, captured, bodyOf, CONNECTIONS, seconds);
          if (WARMUP > 0) await load(WARMUP);
          const result = await load(DURATION);
          const f = figures(result);
          (side === 'api' ? apiRuns : directRuns)[i]?.push(f);
          raw.push({ run, kind: kind.name, side, ...f, requests: result.latencies.length });
          progress(`  p50 ${f.p50.toFixed(0)} ms, p95 ${f.p95.toFixed(0)} ms, ${f.rate.toFixed(0)} req/s`);
          if (side === 'api') {
            for (const latency of result.latencies) all.latencies.push(latency);
            all.rate += result.latencies.length;
            all.failures += result.failures;
          }
        }
      }
      overall.push(figures({ ...all, rate: all.rate / (DURATION * KINDS.length) }));
    }
  } finally {
    await api.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write(
    report(
      { events: EVENTS, connections: CONNECTIONS, durationS: DURATION, runs: RUNS, goalP95Ms: GOAL_P95_MS },
      KINDS.map((k) => k.name),
      apiRuns,
      directRuns,
      overall,
    ),
  );
  mkdirSync('bench/results', { recursive: true });
  const file = `bench/results/search-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
  const summary = KINDS.map((kind, i) => ({
    kind: kind.name,
    path: apiPath(kind, end),
    api: medianOf(apiRuns[i] as Figures[]),
    direct: medianOf(directRuns[i] as Figures[]),
  }));
  writeFileSync(
    file,
    JSON.stringify(
      {
        events: EVENTS,
        connections: CONNECTIONS,
        durationS: DURATION,
        runs: RUNS,
        goalP95Ms: GOAL_P95_MS,
        summary,
        overall: medianOf(overall),
        raw,
      },
      null,
      2,
    ),
  );
  progress(`results written to ${file}`);
}

main()
  .catch((err: unknown) => {
    process.stderr.write(`bench:search failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  })
  .finally(async () => {
    await client.close();
  });
