import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { appPerTest, BackpressureError, metricValue } from './helpers.js';

const TOKEN = 'matrix-test-ingest-token';

/** One valid body per ingest route, and how many events or lines it carries. */
const ROUTES = [
  {
    url: '/ingest',
    contentType: 'application/x-ndjson',
    body: '{"message":"a"}\n{"message":"b"}\n',
    count: 2,
    ok: 200,
  },
  {
    url: '/v1/logs',
    contentType: 'application/json',
    body: JSON.stringify({
      resourceLogs: [
        { scopeLogs: [{ logRecords: [{ body: { stringValue: 'a' } }, { body: { stringValue: 'b' } }] }] },
      ],
    }),
    count: 2,
    ok: 200,
  },
  {
    url: '/_bulk',
    contentType: 'application/x-ndjson',
    body: '{"index":{"_index":"x"}}\n{"message":"a","n":1}\n{"create":{"_index":"x"}}\n{"message":"b"}\n',
    count: 2,
    ok: 200,
  },
  {
    url: '/loki/api/v1/push',
    contentType: 'application/json',
    body: JSON.stringify({
      streams: [
        {
          stream: { job: 'j' },
          values: [
            ['1', 'a'],
            ['2', '{"msg":"b"}'],
          ],
        },
      ],
    }),
    count: 2,
    ok: 204,
  },
];

const setup = appPerTest();

describe.each(ROUTES)('POST $url', ({ url, contentType, body, count, ok }) => {
  const taken = (sink: Awaited<ReturnType<typeof setup>>['sink']) => sink.events.length + sink.lines.length;

  it('takes a gzip body and counts its events', async () => {
    const { app, sink, registry } = await setup();
    const response = await app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': contentType, 'content-encoding': 'gzip' },
      payload: gzipSync(body),
    });
    expect(response.statusCode).toBe(ok);
    expect(taken(sink)).toBe(count);
    expect(await metricValue(registry, 'vigie_http_events_total')).toBe(count);
    expect(await metricValue(registry, 'vigie_http_requests_total', { status: String(ok) })).toBe(1);
  });

  it('answers 413 to a gzip bomb and to an oversized body', async () => {
    const { app, sink } = await setup({ maxBodyBytes: 16 * 1024 });
    // 8 MiB that gzip to about 8 KiB: within the limit as sent, 500 times over inflated.
    const bomb = gzipSync(Buffer.alloc(8 * 1024 * 1024, ' '));
    expect(bomb.length).toBeLessThan(16 * 1024);
    const headers = { 'content-type': contentType, 'content-encoding': 'gzip' };
    const inflated = await app.inject({ method: 'POST', url, headers, payload: bomb });
    expect(inflated.statusCode).toBe(413);
    expect(inflated.body).toMatch(/decompresses to more than 16384 bytes/);
    const oversized = body + ' '.repeat(17 * 1024);
    const plain = await app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': contentType },
      payload: oversized,
    });
    expect(plain.statusCode).toBe(413);
    expect(taken(sink)).toBe(0);
  });

  it('answers 503 with Retry-After while the sink pushes back', async () => {
    const { app, sink } = await setup();
    sink.refuse(new BackpressureError('spool full', 4));
    const response = await app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': contentType },
      payload: body,
    });
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('4');
  });

  it('answers 401 without the token and takes the body with it', async () => {
    const { app, sink, registry } = await setup({ token: TOKEN });
    const headers = { 'content-type': contentType };
    expect((await app.inject({ method: 'POST', url, headers, payload: body })).statusCode).toBe(401);
    expect(taken(sink)).toBe(0);
    expect(await metricValue(registry, 'vigie_http_rejected_bodies_total', { reason: 'unauthorized' })).toBe(
      1,
    );
    const authorized = await app.inject({
      method: 'POST',
      url,
      headers: { ...headers, authorization: `Bearer ${TOKEN}` },
      payload: body,
    });
    expect(authorized.statusCode).toBe(ok);
    expect(taken(sink)).toBe(count);
  });
});
