import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOG_FIELD_TYPES, parseQuery, QueryError } from '@vigie/common';
import { toElasticsearchQuery } from '@vigie/storage';
import { esRequest } from '@vigie/testkit';

// A stand-in for the search API while services/api has no HTTP server yet: the API
// contract over the real Elasticsearch, with the real query language and translation,
// serving ui/dist under the same strict CSP as the API's security headers. It only
// answers what the browser tests need; `startUiServer` uses the real server once it
// exists.

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

class BadRequest extends Error {
  constructor(
    readonly body: { code: string; message: string; position?: object },
    readonly status = 400,
  ) {
    super(body.message);
  }
}

function time(value: string | null, fallback: string, now: number): number {
  const text = value ?? fallback;
  const relative = /^now(?:-(\d+)([smhd]))?$/.exec(text);
  if (relative) {
    const unit = { s: 1e3, m: 6e4, h: 36e5, d: 864e5 }[relative[2] as 's' | 'm' | 'h' | 'd'] ?? 0;
    return now - Number(relative[1] ?? 0) * unit;
  }
  const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (Number.isNaN(ms))
    throw new BadRequest({ code: 'VIGIE_ERR_BAD_REQUEST', message: `Bad time '${text}'` });
  return ms;
}

function scopeQuery(params: URLSearchParams): object {
  const q = params.get('q') ?? '';
  let translated: object;
  try {
    translated = toElasticsearchQuery(parseQuery(q));
  } catch (error) {
    if (!(error instanceof QueryError)) throw error;
    const position = { start: error.offset, end: error.offset + 1, line: error.line, column: error.column };
    throw new BadRequest({ code: error.code, message: error.message, position });
  }
  const now = Date.now();
  const range = { gte: time(params.get('from'), 'now-15m', now), lte: time(params.get('to'), 'now', now) };
  return {
    bool: { filter: [translated, { range: { '@timestamp': { ...range, format: 'epoch_millis' } } }] },
  };
}

interface EsHit {
  _id: string;
  _index: string;
  _source: Record<string, unknown>;
  sort?: unknown[];
  highlight?: Record<string, string[]>;
}
// biome-ignore lint/suspicious/noExplicitAny: aggregation and metric shapes vary per call; this is a test stand-in.
type Loose = any;
type EsSearch = { hits: { total: { value: number; relation: string }; hits: EsHit[] }; aggregations?: Loose };

async function es(path: string, body: object): Promise<EsSearch> {
  const response = await esRequest('POST', `${path}?ignore_unavailable=true&allow_no_indices=true`, body);
  if (response.status >= 300)
    throw new Error(`Elasticsearch ${response.status}: ${JSON.stringify(response.json)}`);
  return response.json as EsSearch;
}

const ref = (hit: EsHit) => ({ id: hit._id, index: hit._index, event: hit._source });

async function route(prefix: string, url: URL): Promise<unknown> {
  const p = url.searchParams;
  const logs = `/${prefix}-logs/_search`;
  if (url.pathname === '/api/search') {
    const size = Number(p.get('size') ?? 100);
    const order = p.get('sort') === 'asc' ? 'asc' : 'desc';
    const after = p.get('search_after');
    const result = await es(logs, {
      query: scopeQuery(p),
      size,
      sort: [{ '@timestamp': order }],
      track_total_hits: true,
      ...(after && { search_after: JSON.parse(Buffer.from(after, 'base64url').toString()) }),
      highlight: {
        fields: { message: { number_of_fragments: 0 } },
        pre_tags: ['\u0001'],
        post_tags: ['\u0002'],
      },
    });
    const hits = result.hits.hits;
    const last = hits[hits.length - 1];
    return {
      total: result.hits.total,
      events: hits.map((hit) => ({ ...ref(hit), sort: hit.sort, highlight: hit.highlight })),
      next:
        hits.length === size && last ? Buffer.from(JSON.stringify(last.sort)).toString('base64url') : null,
      took_ms: 1,
    };
  }
  if (url.pathname === '/api/histogram') {
    const now = Date.now();
    const span = time(p.get('to'), 'now', now) - time(p.get('from'), 'now-15m', now);
    const interval = LADDER_MS.find((ms) => span / ms <= 120) ?? 86_400_000;
    const result = await es(logs, {
      query: scopeQuery(p),
      size: 0,
      track_total_hits: true,
      aggs: {
        t: {
          date_histogram: { field: '@timestamp', fixed_interval: `${interval / 1000}s` },
          aggs: { l: { terms: { field: 'log.level', size: 10 } } },
        },
      },
    });
    const buckets = (result.aggregations?.t.buckets ?? []) as Loose[];
    return {
      interval_ms: interval,
      total: result.hits.total.value,
      buckets: buckets.map((b) => ({
        start: new Date(b.key).toISOString(),
        count: b.doc_count,
        levels: Object.fromEntries(
          b.l.buckets.map((l: { key: string; doc_count: number }) => [l.key, l.doc_count]),
        ),
      })),
    };
  }
  if (url.pathname === '/api/fields') {
    return {
      fields: Object.entries(LOG_FIELD_TYPES)
        .filter(([, type]) => type !== 'unindexed' && type !== 'flattened')
        .map(([name, type]) => ({ name, type, searchable: true })),
    };
  }
  const top = /^\/api\/fields\/([^/]+)\/top$/.exec(url.pathname);
  if (top?.[1]) {
    const field = decodeURIComponent(top[1]);
    const result = await es(logs, {
      query: scopeQuery(p),
      size: 0,
      track_total_hits: true,
      aggs: { v: { terms: { field, size: Number(p.get('size') ?? 10) } } },
    });
    const agg = result.aggregations?.v;
    return {
      field,
      total: result.hits.total.value,
      other: agg?.sum_other_doc_count ?? 0,
      values: (agg?.buckets ?? []).map((b: { key: string; doc_count: number }) => ({
        value: b.key,
        count: b.doc_count,
      })),
    };
  }
  const context = /^\/api\/events\/([^/]+)\/context$/.exec(url.pathname);
  if (context?.[1]) {
    const id = decodeURIComponent(context[1]);
    const anchor = (await es(logs, { query: { ids: { values: [id] } } })).hits.hits[0];
    if (!anchor) throw new BadRequest({ code: 'VIGIE_ERR_NOT_FOUND', message: 'No such event' }, 404);
    const service = (anchor._source.service as { name: string }).name;
    const at = anchor._source['@timestamp'];
    const side = async (op: 'lt' | 'gt', count: number) => {
      if (count === 0) return [];
      const query = {
        bool: { filter: [{ term: { 'service.name': service } }, { range: { '@timestamp': { [op]: at } } }] },
      };
      const hits = (
        await es(logs, { query, size: count, sort: [{ '@timestamp': op === 'lt' ? 'desc' : 'asc' }] })
      ).hits.hits;
      return (op === 'lt' ? hits.reverse() : hits).map(ref);
    };
    return {
      source: {
        kind: 'time',
        description: `service ${service}, by time`,
        fields: { 'service.name': service },
      },
      anchor: ref(anchor),
      before: await side('lt', Number(p.get('before') ?? 20)),
      after: await side('gt', Number(p.get('after') ?? 20)),
    };
  }
  if (url.pathname === '/api/anomalies') {
    const result = await es(`/${prefix}-anomalies/_search`, { size: 100, sort: [{ updated: 'desc' }] });
    return { anomalies: result.hits.hits.map((hit) => hit._source) };
  }
  const anomaly = /^\/api\/anomalies\/([^/]+)$/.exec(url.pathname);
  if (anomaly?.[1]) {
    const found = (
      await es(`/${prefix}-anomalies/_search`, {
        query: { ids: { values: [decodeURIComponent(anomaly[1])] } },
      })
    ).hits.hits[0];
    if (!found) throw new BadRequest({ code: 'VIGIE_ERR_NOT_FOUND', message: 'No such anomaly' }, 404);
    const metrics = await es(`/${prefix}-metrics/_search`, {
      query: { term: { service: found._source.service } },
      size: 1000,
      sort: [{ '@timestamp': 'asc' }],
    });
    const points = metrics.hits.hits.map(({ _source: m }: { _source: Loose }) => ({
      t: m['@timestamp'],
      observed: m.errorRatio,
      expected: m.expected.errorRatio,
      lower: 0,
      upper: m.expected.errorRatioUpper,
    }));
    return { anomaly: found._source, series: { metric: 'error_ratio', points } };
  }
  if (url.pathname === '/api/services') return { services: [] };
  throw new BadRequest({ code: 'VIGIE_ERR_NOT_FOUND', message: 'Not found' }, 404);
}

async function serveStatic(
  request: IncomingMessage,
  response: ServerResponse,
  pathname: string,
): Promise<void> {
  const file = normalize(join(DIST, pathname === '/' ? 'index.html' : pathname));
  if (!file.startsWith(DIST))
    throw new BadRequest({ code: 'VIGIE_ERR_NOT_FOUND', message: 'Not found' }, 404);
  const body = await readFile(file).catch(() => null);
  if (!body) throw new BadRequest({ code: 'VIGIE_ERR_NOT_FOUND', message: 'Not found' }, 404);
  response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
  response.end(request.method === 'HEAD' ? undefined : body);
}

/** Starts the stand-in on 127.0.0.1 and a free port, over the logs and anomalies of `prefix`. */
export async function startStandInApi(prefix: string): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    response.setHeader('content-security-policy', CSP);
    response.setHeader('x-content-type-options', 'nosniff');
    const work = url.pathname.startsWith('/api/')
      ? route(prefix, url).then((body) => {
          response.writeHead(200, { 'content-type': 'application/json' });
          response.end(JSON.stringify(body));
        })
      : serveStatic(request, response, url.pathname);
    work.catch((error: unknown) => {
      const status = error instanceof BadRequest ? error.status : 500;
      const body =
        error instanceof BadRequest ? error.body : { code: 'VIGIE_ERR_INTERNAL', message: String(error) };
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: body }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
