import SwaggerParser from '@apidevtools/swagger-parser';
import { parseQuery, toPredicate } from '@vigie/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson, type SeededApi, seededApi } from './harness.js';

interface Hit {
  id: string;
  event: { '@timestamp': string; message: string; host?: { name?: string }; log?: { offset?: number } };
  highlight?: Record<string, string[]>;
  sort: number[];
}
interface SearchBody {
  total: { value: number; relation: string };
  events: Hit[];
  next: string | null;
  took_ms: number;
}
interface ErrorBody {
  error: {
    code: string;
    message: string;
    position?: { start: number; end: number; line: number; column: number };
  };
}

let api: SeededApi;
let range = '';
const matching = (q: string) => {
  const test = toPredicate(parseQuery(q));
  return api.logs.filter((log) => test(log.event));
};

beforeAll(async () => {
  api = await seededApi();
  range = `from=${api.start}&to=${new Date(api.start + 10 * 60_000).toISOString()}`;
});
afterAll(async () => {
  await api?.close();
});

describe('GET /api/search', () => {
  it.each(['asc', 'desc'])(
    'walks every page (%s) through search_after with no repeat and no gap',
    async (sort) => {
      const q = encodeURIComponent('service.name:(auth OR payment) AND NOT http.response.status_code:200');
      const expected = matching('service.name:(auth OR payment) AND NOT http.response.status_code:200');
      expect(expected.length).toBeGreaterThan(100);
      const seen: string[] = [];
      let next: string | null = null;
      let pages = 0;
      do {
        const cursor: string = next ? `&search_after=${next}` : '';
        const { status, body } = await getJson<SearchBody>(
          api.app,
          `/api/search?q=${q}&${range}&size=37&sort=${sort}${cursor}`,
        );
        expect(status).toBe(200);
        expect(body.total).toEqual({ value: expected.length, relation: 'eq' });
        seen.push(...body.events.map((hit) => hit.id));
        next = body.next;
        pages++;
      } while (next && pages < 1000);
      expect(pages).toBe(Math.ceil(expected.length / 37));
      expect(new Set(seen).size).toBe(seen.length);
      expect([...seen].sort()).toEqual(expected.map((log) => log.id).sort());
    },
  );

  it('orders by time and marks the words that matched in the message', async () => {
    const { body } = await getJson<SearchBody>(api.app, `/api/search?q=GET&${range}&highlight=true&size=20`);
    expect(body.events.length).toBeGreaterThan(0);
    for (const hit of body.events) {
      expect(hit.highlight?.message?.[0]).toContain('\u0001GET\u0002');
      expect(hit.highlight?.message?.[0]?.replaceAll('\u0001', '').replaceAll('\u0002', '')).toBe(
        hit.event.message,
      );
    }
    const times = body.events.map((hit) => Date.parse(hit.event['@timestamp']));
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it('reads relative times', async () => {
    const { body } = await getJson<SearchBody>(api.app, '/api/search?from=now-1h&to=now&size=1');
    expect(body.total.value).toBe(api.logs.length);
    const { body: none } = await getJson<SearchBody>(api.app, '/api/search?from=now-1m&size=1');
    expect(none.total.value).toBe(0);
  });
});

describe('GET /api/histogram', () => {
  it.each(['', 'log.level:error', 'url.path:/api/* AND event.duration >= 100000000'])(
    'sums to the search total for %j',
    async (q) => {
      const query = `q=${encodeURIComponent(q)}&${range}`;
      const { body: search } = await getJson<SearchBody>(api.app, `/api/search?${query}&size=1`);
      const { status, body } = await getJson<{
        interval_ms: number;
        buckets: Array<{ start: string; count: number; levels: Record<string, number> }>;
        total: number;
      }>(api.app, `/api/histogram?${query}`);
      expect(status).toBe(200);
      expect(body.interval_ms).toBe(10_000);
      expect(body.buckets.length).toBeGreaterThanOrEqual(60);
      expect(body.buckets.length).toBeLessThanOrEqual(120);
      expect(body.total).toBe(search.total.value);
      expect(body.total).toBe(matching(q).length);
      expect(body.buckets.reduce((sum, b) => sum + b.count, 0)).toBe(body.total);
      const levels = body.buckets.reduce(
        (sum, b) => sum + Object.values(b.levels).reduce((a, n) => a + n, 0),
        0,
      );
      expect(levels).toBe(body.total);
    },
  );
});

describe('GET /api/fields and /api/fields/:name/top', () => {
  it('lists the fields of the matching events with their types', async () => {
    const { body } = await getJson<{ fields: Array<{ name: string; type: string }> }>(
      api.app,
      `/api/fields?q=service.name:frontend&${range}`,
    );
    const types = Object.fromEntries(body.fields.map((field) => [field.name, field.type]));
    expect(types).toMatchObject({ message: 'text', 'source.ip': 'ip', 'http.response.status_code': 'long' });
    expect(types['error.type']).toBeUndefined();
  });

  it('ranks the values of a field and counts the rest', async () => {
    const { body } = await getJson<{
      total: number;
      other: number;
      values: Array<{ value: string; count: number }>;
    }>(api.app, `/api/fields/host.name/top?${range}&size=3`);
    const counts = new Map<string, number>();
    for (const log of api.logs)
      counts.set(log.event.host?.name ?? '', (counts.get(log.event.host?.name ?? '') ?? 0) + 1);
    const ranked = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    expect(body.values).toEqual(ranked.slice(0, 3).map(([value, count]) => ({ value, count })));
    expect(body.total).toBe(api.logs.length);
    expect(body.other).toBe(api.logs.length - body.values.reduce((sum, v) => sum + v.count, 0));
  });
});

describe('GET /api/events/:id/context', () => {
  it('returns the neighbours from the same file in offset order, though other files interleave in time', async () => {
    const anchor = api.logs[2000];
    const host = anchor?.event.host?.name;
    const path = anchor?.event.log?.file?.path;
    const sameFile = api.logs
      .filter((log) => log.event.host?.name === host && log.event.log?.file?.path === path)
      .sort((a, b) => (a.event.log?.offset ?? 0) - (b.event.log?.offset ?? 0));
    const at = sameFile.findIndex((log) => log.id === anchor?.id);
    expect(at).toBeGreaterThanOrEqual(10);
    // Other sources wrote in between: a time window would mix them in.
    const first = api.logs.indexOf(sameFile[at - 10] as (typeof api.logs)[number]);
    expect(api.logs.slice(first, 2000).some((log) => log.event.host?.name !== host)).toBe(true);

    const { status, body } = await getJson<{
      source: { kind: string; fields: Record<string, string> };
      anchor: Hit;
      before: Hit[];
      after: Hit[];
    }>(api.app, `/api/events/${anchor?.id}/context?before=10&after=5`);
    expect(status).toBe(200);
    expect(body.source).toMatchObject({ kind: 'file', fields: { 'host.name': host, 'log.file.path': path } });
    expect(body.anchor.id).toBe(anchor?.id);
    expect(body.before.map((hit) => hit.id)).toEqual(sameFile.slice(at - 10, at).map((log) => log.id));
    expect(body.after.map((hit) => hit.id)).toEqual(sameFile.slice(at + 1, at + 6).map((log) => log.id));
  });

  it('answers 404 for an unknown event', async () => {
    const { status, body } = await getJson<ErrorBody>(api.app, '/api/events/no-such-id/context');
    expect(status).toBe(404);
    expect(body.error.code).toBe('VIGIE_ERR_NOT_FOUND');
  });
});

describe('errors', () => {
  it.each([
    ['/api/search?q=a:(b', 'VIGIE_ERR_QUERY_SYNTAX', { start: 2, line: 1, column: 3 }],
    ['/api/search?q=*ab', 'VIGIE_ERR_QUERY_LIMIT', { start: 0, line: 1, column: 1 }],
    ['/api/histogram?q=message>=5', 'VIGIE_ERR_QUERY_FIELD', { start: 0, line: 1, column: 1 }],
    ['/api/fields/message/top', 'VIGIE_ERR_QUERY_FIELD', { start: 0 }],
  ])('%s gives 400 %s with the position', async (url, code, position) => {
    const { status, body } = await getJson<ErrorBody>(api.app, url);
    expect(status).toBe(400);
    expect(body.error.code).toBe(code);
    expect(body.error.position).toMatchObject(position);
  });

  it.each([
    '/api/search?from=yesterday',
    '/api/search?from=now&to=now-1h',
    '/api/search?size=501',
    '/api/search?search_after=bm9wZQ',
    '/api/search?sort=sideways',
    '/api/histogram?interval=1s&from=now-7d',
    '/api/search?unknown=1',
  ])('%s gives 400 VIGIE_ERR_BAD_REQUEST', async (url) => {
    const { status, body } = await getJson<ErrorBody>(api.app, url);
    expect(status).toBe(400);
    expect(body.error.code).toBe('VIGIE_ERR_BAD_REQUEST');
  });
});

describe('hostile input', () => {
  it('answers random queries and parameters with 200 or a documented 400, never a 5xx', async () => {
    const pieces = [
      'a',
      'error',
      'log.level',
      'source.ip',
      'tenant',
      ':',
      ' ',
      '(',
      ')',
      '"',
      '\\',
      '*',
      '?',
      '-',
    ];
    pieces.push(
      'AND',
      'OR',
      'NOT',
      '>=',
      '[',
      ']',
      ' TO ',
      '500',
      '10.0.0.0/8',
      'now-1h',
      'é',
      '\u0000',
      '\n',
      '%',
    );
    let state = 20261128;
    const next = () => {
      state = (state * 1_664_525 + 1_013_904_223) >>> 0;
      return state / 2 ** 32;
    };
    const routes = [
      '/api/search?highlight=true&',
      '/api/histogram?',
      '/api/fields?',
      '/api/fields/source.ip/top?',
    ];
    for (let i = 0; i < 300; i++) {
      const q = Array.from(
        { length: 1 + Math.floor(next() * 10) },
        () => pieces[Math.floor(next() * pieces.length)],
      ).join('');
      const route = routes[i % routes.length];
      const response = await api.app.inject({
        method: 'GET',
        url: `${route}q=${encodeURIComponent(q)}&${range}`,
      });
      if (response.statusCode !== 200) {
        expect(response.statusCode, `${route} ${JSON.stringify(q)}: ${response.body}`).toBe(400);
        expect(response.json().error.code).toMatch(
          /^VIGIE_ERR_(QUERY_SYNTAX|QUERY_LIMIT|QUERY_FIELD|BAD_REQUEST)$/,
        );
      }
    }
  });
});

describe('GET /api/openapi.json', () => {
  it('is a valid OpenAPI 3 document with every route of the contract', async () => {
    const { status, body } = await getJson<{ openapi: string; paths: Record<string, unknown> }>(
      api.app,
      '/api/openapi.json',
    );
    expect(status).toBe(200);
    expect(body.openapi).toMatch(/^3\./);
    await SwaggerParser.validate(structuredClone(body) as never);
    expect(Object.keys(body.paths)).toEqual(
      expect.arrayContaining([
        '/api/search',
        '/api/histogram',
        '/api/fields',
        '/api/fields/{name}/top',
        '/api/events/{id}/context',
        '/api/tail',
        '/api/anomalies',
        '/api/anomalies/{id}',
        '/api/services',
        '/health',
        '/ready',
      ]),
    );
    const docs = await api.app.inject({ method: 'GET', url: '/api/docs' });
    expect([200, 302]).toContain(docs.statusCode);
  });
});

describe('long requests', () => {
  it('answers an over-long query or id with a JSON 400, not a bare 431 or 414', async () => {
    await api.app.listen({ host: '127.0.0.1', port: 0 });
    const address = api.app.server.address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const longQuery = await fetch(`${base}/api/search?q=${'%C3%A9'.repeat(16_385)}`);
    expect(longQuery.status).toBe(400);
    expect(((await longQuery.json()) as ErrorBody).error.code).toBe('VIGIE_ERR_BAD_REQUEST');
    const longId = await fetch(`${base}/api/events/${'x'.repeat(2_000)}/context`);
    expect(longId.status).toBe(400);
    expect(((await longId.json()) as ErrorBody).error.code).toBe('VIGIE_ERR_BAD_REQUEST');
  });
});
