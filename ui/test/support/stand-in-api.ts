import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type Anomaly,
  type BucketMetric,
  type LogSearch,
  parseQuery,
  QueryError,
  type SearchCursor,
  type SearchHit,
  type SearchScope,
} from '@vigie/common';

// A stand-in for the HTTP layer of the search API while services/api has no server yet:
// the API contract (/tmp/api-contract.md) over Vigie's real `LogSearch` port (the
// Elasticsearch store), with the real query language, serving ui/dist under the same
// strict CSP as services/api/src/auth/security-headers.ts. It only maps parameters to the
// port and back; `startUiServer` moves to the real server once it exists.

const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));
/** The policy of services/api (security-headers.ts), as one header value. */
export const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "font-src 'self'; form-action 'self'; frame-ancestors 'none'; object-src 'none'; base-uri 'none'";

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

const LADDER_MS = [1, 5, 10, 30, 60, 300, 600, 1800, 3600, 10_800, 43_200, 86_400].map((s) => s * 1000);
const UNIT_MS: Record<string, number> = { s: 1e3, m: 6e4, h: 36e5, d: 864e5 };

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: { code: string; message: string; position?: object },
  ) {
    super(body.message);
  }
}

function time(value: string | null, fallback: string, now: number): number {
  const text = value ?? fallback;
  const relative = /^now(?:-(\d+)([smhd]))?$/.exec(text);
  if (relative) return now - Number(relative[1] ?? 0) * (UNIT_MS[relative[2] ?? 's'] ?? 0);
  const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (Number.isNaN(ms))
    throw new HttpError(400, { code: 'VIGIE_ERR_BAD_REQUEST', message: `Bad time '${text}'` });
  return ms;
}

function scopeOf(params: URLSearchParams, now = Date.now()): SearchScope {
  const from = time(params.get('from'), 'now-15m', now);
  const to = time(params.get('to'), 'now', now);
  try {
    return { query: parseQuery(params.get('q') ?? ''), from, to };
  } catch (error) {
    if (!(error instanceof QueryError)) throw error;
    const position = { start: error.offset, end: error.offset + 1, line: error.line, column: error.column };
    throw new HttpError(400, { code: error.code, message: error.message, position });
  }
}

const encodeCursor = (cursor: SearchCursor | undefined) =>
  cursor ? Buffer.from(JSON.stringify(cursor)).toString('base64url') : null;
const decodeCursor = (text: string | null): SearchCursor | undefined =>
  text ? (JSON.parse(Buffer.from(text, 'base64url').toString()) as SearchCursor) : undefined;
const ref = (hit: SearchHit) => ({ id: hit.id, event: hit.event });

/** The band of the metric an anomaly is about, as chart points. */
function pointsOf(metrics: BucketMetric[], metric: 'error_ratio' | 'count' | 'p95_ms') {
  return metrics.map((m) => {
    const t = m['@timestamp'];
    if (metric === 'count') {
      return {
        t,
        observed: m.count,
        expected: m.expected.count,
        lower: m.expected.countLower,
        upper: m.expected.countUpper,
      };
    }
    if (metric === 'p95_ms') {
      return {
        t,
        observed: m.latency?.p95 ?? 0,
        expected: m.expected.p95,
        lower: m.expected.p95Lower,
        upper: m.expected.p95Upper,
      };
    }
    return {
      t,
      observed: m.errorRatio,
      expected: m.expected.errorRatio,
      lower: 0,
      upper: m.expected.errorRatioUpper,
    };
  });
}

const metricOf = (anomaly: Anomaly) =>
  anomaly.kind === 'latency' ? 'p95_ms' : anomaly.kind.startsWith('volume') ? 'count' : 'error_ratio';

async function route(store: LogSearch, url: URL): Promise<unknown> {
  const p = url.searchParams;
  const path = url.pathname;
  if (path === '/api/search') {
    const page = await store.search({
      ...scopeOf(p),
      sort: p.get('sort') === 'asc' ? 'asc' : 'desc',
      size: Number(p.get('size') ?? 100),
      after: decodeCursor(p.get('search_after')),
      highlight: p.get('highlight') !== 'false',
    });
    return { total: page.total, events: page.hits, next: encodeCursor(page.next), took_ms: 0 };
  }
  if (path === '/api/histogram') {
    const scope = scopeOf(p);
    const interval = LADDER_MS.find((ms) => (scope.to - scope.from) / ms <= 120) ?? 86_400_000;
    const counts = await store.histogram(scope, interval);
    const buckets = counts.buckets.map((b) => ({ ...b, start: new Date(b.start).toISOString() }));
    return { interval_ms: interval, total: counts.total, buckets };
  }
  if (path === '/api/fields') return { fields: await store.fields(scopeOf(p)) };
  const top = /^\/api\/fields\/([^/]+)\/top$/.exec(path);
  if (top?.[1]) {
    const field = decodeURIComponent(top[1]);
    return { field, ...(await store.topValues(scopeOf(p), field, Number(p.get('size') ?? 10))) };
  }
  const context = /^\/api\/events\/([^/]+)\/context$/.exec(path);
  if (context?.[1]) {
    const found = await store.context(
      decodeURIComponent(context[1]),
      Number(p.get('before') ?? 20),
      Number(p.get('after') ?? 20),
    );
    if (!found) throw new HttpError(404, { code: 'VIGIE_ERR_NOT_FOUND', message: 'No such event' });
    return {
      source: found.source,
      anchor: ref(found.anchor),
      before: found.before.map(ref),
      after: found.after.map(ref),
    };
  }
  if (path === '/api/anomalies') {
    const now = Date.now();
    const range = { from: time(p.get('from'), 'now-24h', now), to: time(p.get('to'), 'now', now) };
    return {
      anomalies: await store.searchAnomalies({
        range,
        ...(p.get('service') && { service: p.get('service') ?? '' }),
      }),
    };
  }
  const anomalyId = /^\/api\/anomalies\/([^/]+)$/.exec(path)?.[1];
  if (anomalyId) {
    const anomaly = await store.getAnomaly(decodeURIComponent(anomalyId));
    if (!anomaly) throw new HttpError(404, { code: 'VIGIE_ERR_NOT_FOUND', message: 'No such anomaly' });
    const start = Date.parse(anomaly.start);
    const end = Date.parse(anomaly.end ?? anomaly.updated);
    const metrics = await store.listMetrics({
      service: anomaly.service,
      from: start - 30 * anomaly.windowMs,
      to: end + 5 * anomaly.windowMs,
    });
    const metric = metricOf(anomaly);
    return { anomaly, series: { metric, points: pointsOf(metrics, metric) } };
  }
  if (path === '/api/services') {
    const now = Date.now();
    const range = { from: time(p.get('from'), 'now-24h', now), to: time(p.get('to'), 'now', now) };
    const seen = await store.listServices(range, 50);
    const open = await store.searchAnomalies({ range, state: 'open', size: 1000 });
    const services = await Promise.all(
      seen.map(async (service) => {
        const metrics = await store.listMetrics({ ...range, service: service.name });
        return {
          name: service.name,
          version: service.version,
          volume: pointsOf(metrics, 'count'),
          error_ratio: pointsOf(metrics, 'error_ratio'),
          p95_ms: pointsOf(metrics, 'p95_ms'),
          open_anomalies: open.filter((a) => a.service === service.name).length,
        };
      }),
    );
    return { services };
  }
  throw new HttpError(404, { code: 'VIGIE_ERR_NOT_FOUND', message: 'Not found' });
}

/** Live tail: polls the store every 250 ms for events newer than the last one sent. */
function tail(store: LogSearch, url: URL, request: IncomingMessage, response: ServerResponse): void {
  const base = scopeOf(url.searchParams);
  let cursor: SearchCursor = { time: Date.now(), ids: [] };
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
  response.write(': connected\n\n');
  const timer = setInterval(() => {
    store
      .search({ ...base, from: cursor.time, to: Date.now() + 60_000, sort: 'asc', size: 500, after: cursor })
      .then((page) => {
        const last = page.hits.at(-1);
        if (!last) return;
        const time = last.sort[0] ?? cursor.time;
        const ids = page.hits.filter((hit) => hit.sort[0] === time).map((hit) => hit.id);
        cursor = { time, ids: time === cursor.time ? [...cursor.ids, ...ids] : ids };
        response.write(`event: events\ndata: ${JSON.stringify({ events: page.hits.map(ref) })}\n\n`);
      })
      .catch(() => response.end());
  }, 250);
  request.on('close', () => clearInterval(timer));
}

async function serveStatic(
  request: IncomingMessage,
  response: ServerResponse,
  pathname: string,
): Promise<void> {
  const file = normalize(join(DIST, pathname === '/' ? 'index.html' : pathname));
  const body = file.startsWith(DIST) ? await readFile(file).catch(() => null) : null;
  if (!body) throw new HttpError(404, { code: 'VIGIE_ERR_NOT_FOUND', message: 'Not found' });
  response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
  response.end(request.method === 'HEAD' ? undefined : body);
}

/** Starts the stand-in on 127.0.0.1 and a free port, over `store`. */
export async function startStandInApi(
  store: LogSearch,
): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    response.setHeader('content-security-policy', CSP);
    response.setHeader('x-content-type-options', 'nosniff');
    const work = async () => {
      if (url.pathname === '/api/tail') return tail(store, url, request, response);
      if (!url.pathname.startsWith('/api/')) return serveStatic(request, response, url.pathname);
      const body = await route(store, url);
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    work().catch((error: unknown) => {
      const status = error instanceof HttpError ? error.status : 500;
      const body =
        error instanceof HttpError ? error.body : { code: 'VIGIE_ERR_INTERNAL', message: String(error) };
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: body }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
