import { gzipSync } from 'node:zlib';
import { UnavailableError } from '@vigie/common';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { appPerTest, BackpressureError, metricValue, ndjson } from './helpers.js';

const TOKEN = 'correct-horse-battery-staple';
const setup = appPerTest();

describe('POST /ingest', () => {
  it('accepts NDJSON events once the sink resolved, with origin, sequence and service defaults', async () => {
    const { app, sink } = await setup();
    const response = await app.inject({
      method: 'POST',
      url: '/ingest',
      headers: { 'content-type': 'application/x-ndjson' },
      payload: ndjson(
        { '@timestamp': '2026-11-28T12:00:00.000Z', message: 'first', level: 'WARNING', service: 'checkout' },
        { message: 'second', 'host.name': 'web-7' },
      ),
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ accepted: 2, invalid: 0, problems: [] });
    const [first, second] = sink.events;
    expect(sink.eventCalls.every((e) => e.source === 'http')).toBe(true);
    expect(first).toMatchObject({
      '@timestamp': '2026-11-28T12:00:00.000Z',
      message: 'first',
      log: { level: 'warn' },
      service: { name: 'checkout' },
      event: { sequence: 0 },
      vigie: { source: 'http' },
    });
    expect(first?.host).toBeUndefined();
    expect(first?.vigie?.timestamp_fallback).toBeUndefined();
    expect(second).toMatchObject({
      message: 'second',
      service: { name: 'default-svc' },
      host: { name: 'web-7' },
      event: { sequence: 1 },
      vigie: { timestamp_fallback: true },
    });
    expect(first?.vigie?.stream).toMatch(/^http:127\.0\.0\.1#/);
    expect(second?.vigie?.stream).toBe(first?.vigie?.stream);
    expect(Date.parse(first?.event?.ingested ?? '')).toBeGreaterThan(Date.now() - 60_000);
  });

  it('keeps lines that are not events as text events next to the good ones, and says which', async () => {
    const { app, sink } = await setup();
    let deep: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 20; i++) deep = { nested: deep };
    const response = await app.inject({
      method: 'POST',
      url: '/ingest?service=billing&environment=staging',
      headers: { 'content-type': 'text/plain' },
      payload: ndjson({ message: 'ok 1', '@timestamp': 'yesterday' }, 'plain text line', '{"broken": ', deep),
    });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.accepted).toBe(4);
    expect(body.invalid).toBe(3);
    expect(body.problems.map((p: { at: string }) => p.at)).toEqual(['line 2', 'line 3', 'line 4']);
    expect(body.problems[2].error).toMatch(/nested deeper/);
    expect(sink.events.map((e) => e.message)).toEqual([
      'ok 1',
      'plain text line',
      '{"broken": ',
      JSON.stringify(deep),
    ]);
    // A time that cannot be read is no reason to refuse the event: it is kept aside.
    expect(sink.events[0]?.vigie).toMatchObject({ timestamp_fallback: true });
    expect(sink.events[0]?.vigie?.parse_error).toBeUndefined();
    expect(sink.events[0]?.attributes).toMatchObject({ original_timestamp: 'yesterday' });
    expect(sink.events[1]?.vigie?.parse_error).toBe('not a JSON object');
    expect(sink.events[2]?.vigie?.parse_error).toMatch(/^invalid JSON/);
    expect(
      sink.events.every((e) => e.service.name === 'billing' && e.service.environment === 'staging'),
    ).toBe(true);
    expect(sink.events.map((e) => e.event?.sequence)).toEqual([0, 1, 2, 3]);
  });

  it('accepts a JSON array, and refuses a body that is not JSON with where it broke', async () => {
    const { app, sink } = await setup();
    const ok = await app.inject({
      method: 'POST',
      url: '/ingest',
      payload: [{ message: 'a' }, 42, { message: 'b', labels: { team: 'core' } }],
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ accepted: 3, invalid: 1, problems: [{ at: '[1]' }] });
    expect(sink.events[2]?.labels).toEqual({ team: 'core' });
    const bad = await app.inject({
      method: 'POST',
      url: '/ingest',
      headers: { 'content-type': 'application/json' },
      payload: '[{"message": "a"},',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/not valid JSON/);
    expect(sink.events).toHaveLength(3);
  });

  it('refuses a prototype-polluting body without polluting anything', async () => {
    const { app, sink } = await setup();
    const response = await app.inject({
      method: 'POST',
      url: '/ingest',
      headers: { 'content-type': 'application/x-ndjson' },
      payload: '{"message":"x","__proto__":{"polluted":true},"attributes":{"__proto__":{"polluted":true}}}\n',
    });
    expect(response.statusCode).toBe(200);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(JSON.stringify(sink.events[0])).not.toContain('polluted');
  });

  it('does not let content choose its origin fields', async () => {
    const { app, sink } = await setup();
    const response = await app.inject({
      method: 'POST',
      url: '/ingest',
      payload: [
        { message: 'forged', vigie: { source: 'file', stream: 'elsewhere' }, event: { sequence: 99 } },
      ],
    });
    expect(response.statusCode).toBe(200);
    expect(sink.events[0]).toMatchObject({
      vigie: { source: 'http' },
      event: { sequence: 0 },
      attributes: { vigie: { source: 'file', stream: 'elsewhere' } },
    });
    expect(sink.events[0]?.vigie?.stream).toMatch(/^http:/);
  });

  it('answers 415 to media types it does not read', async () => {
    const { app } = await setup();
    const response = await app.inject({
      method: 'POST',
      url: '/ingest',
      headers: { 'content-type': 'application/xml' },
      payload: '<log/>',
    });
    expect(response.statusCode).toBe(415);
  });
});

describe('bodies, limits and push-back (shared by every route)', () => {
  it('reads gzip bodies', async () => {
    const { app, sink, registry } = await setup();
    const payload = gzipSync(ndjson({ message: 'zipped 1' }, { message: 'zipped 2' }));
    const response = await app.inject({
      method: 'POST',
      url: '/ingest',
      headers: { 'content-type': 'application/x-ndjson', 'content-encoding': 'gzip' },
      payload,
    });
    expect(response.statusCode).toBe(200);
    expect(sink.events.map((e) => e.message)).toEqual(['zipped 1', 'zipped 2']);
    expect(await metricValue(registry, 'vigie_http_received_bytes_total', { route: '/ingest' })).toBe(
      payload.length,
    );
    expect(await metricValue(registry, 'vigie_http_events_total', { route: '/ingest' })).toBe(2);
  });

  it('answers 413 to a gzip bomb without inflating it', async () => {
    const { app, sink, registry } = await setup({ maxBodyBytes: 64 * 1024 });
    // 60 MB of zeros compress to about 60 KB: under the limit on the wire, 1000 times over inflated.
    const bomb = gzipSync(Buffer.alloc(60 * 1024 * 1024), { level: 9 });
    expect(bomb.length).toBeLessThan(64 * 1024);
    const before = process.memoryUsage().rss;
    const response = await app.inject({
      method: 'POST',
      url: '/ingest',
      headers: { 'content-type': 'application/x-ndjson', 'content-encoding': 'gzip' },
      payload: bomb,
    });
    expect(response.statusCode).toBe(413);
    expect(response.json().message).toMatch(/decompresses to more than 65536 bytes/);
    expect(process.memoryUsage().rss - before).toBeLessThan(100 * 1024 * 1024);
    expect(sink.events).toHaveLength(0);
    expect(await metricValue(registry, 'vigie_http_rejected_bodies_total', { reason: 'too_large' })).toBe(1);
  });

  it('answers 400 to a body that is not the gzip it claims to be', async () => {
    const { app } = await setup();
    const response = await app.inject({
      method: 'POST',
      url: '/ingest',
      headers: { 'content-type': 'application/x-ndjson', 'content-encoding': 'gzip' },
      payload: 'not gzip at all',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().message).toMatch(/not valid gzip/);
  });

  it('answers 415 to an unknown Content-Encoding', async () => {
    const { app } = await setup();
    const response = await app.inject({
      method: 'POST',
      url: '/ingest',
      headers: { 'content-type': 'application/x-ndjson', 'content-encoding': 'br' },
      payload: 'x',
    });
    expect(response.statusCode).toBe(415);
  });

  it('answers 413 to a body over maxBodyBytes', async () => {
    const { app, sink, registry } = await setup({ maxBodyBytes: 2048 });
    const response = await app.inject({
      method: 'POST',
      url: '/ingest',
      headers: { 'content-type': 'application/x-ndjson' },
      payload: ndjson({ message: 'x'.repeat(4096) }),
    });
    expect(response.statusCode).toBe(413);
    expect(sink.events).toHaveLength(0);
    expect(
      await metricValue(registry, 'vigie_http_requests_total', { route: '/ingest', status: '413' }),
    ).toBe(1);
  });

  it('answers 503 with Retry-After when the sink pushes back, and 200 once it takes them again', async () => {
    const { app, sink, registry } = await setup();
    sink.refuse(new BackpressureError('spool full', 7));
    const request = {
      method: 'POST' as const,
      url: '/ingest',
      headers: { 'content-type': 'application/x-ndjson' },
      payload: ndjson({ message: 'retry me' }),
    };
    const refused = await app.inject(request);
    expect(refused.statusCode).toBe(503);
    expect(refused.headers['retry-after']).toBe('7');
    expect(await metricValue(registry, 'vigie_http_rejected_bodies_total', { reason: 'backpressure' })).toBe(
      1,
    );
    sink.accept();
    const accepted = await app.inject(request);
    expect(accepted.statusCode).toBe(200);
    expect(sink.events.map((e) => e.message)).toEqual(['retry me']);
  });
});

describe('sink failures', () => {
  it('answers 503 + Retry-After to a retriable failure and 500 to others, logging no content', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
    const { app, sink } = await setup({ logger });
    sink.refuse(new UnavailableError('Kafka'));
    const post = () =>
      app.inject({
        method: 'POST',
        url: '/ingest',
        headers: { 'content-type': 'application/x-ndjson' },
        payload: ndjson({ message: 'card 4111 1111 1111 1111' }),
      });
    const retriable = await post();
    expect(retriable.statusCode).toBe(503);
    expect(retriable.headers['retry-after']).toBe('5');
    sink.refuse(new Error('disk on fire'));
    const broken = await post();
    expect(broken.statusCode).toBe(500);
    expect(broken.body).not.toContain('disk on fire');
    expect(lines.join('')).toContain('disk on fire');
    expect(lines.join('')).not.toContain('4111');
  });
});

describe('ingest token', () => {
  const post = (sinkApp: Awaited<ReturnType<typeof setup>>, authorization?: string) =>
    sinkApp.app.inject({
      method: 'POST',
      url: '/ingest',
      headers: { 'content-type': 'application/x-ndjson', ...(authorization ? { authorization } : {}) },
      payload: ndjson({ message: 'secret stuff' }),
    });
  const b64 = (text: string) => Buffer.from(text).toString('base64');

  it('refuses requests without the token or with a wrong one', async () => {
    const built = await setup({ token: TOKEN });
    for (const header of [
      undefined,
      'Bearer nope',
      `Bearer ${TOKEN}x`,
      `Basic ${b64(`elastic:wrong`)}`,
      TOKEN,
    ]) {
      const response = await post(built, header);
      expect(response.statusCode, String(header)).toBe(401);
      expect(response.body).not.toContain(TOKEN);
    }
    expect(built.sink.events).toHaveLength(0);
  });

  it('accepts Bearer, ApiKey and basic-auth password forms', async () => {
    const built = await setup({ token: TOKEN });
    for (const header of [
      `Bearer ${TOKEN}`,
      `ApiKey ${TOKEN}`,
      `ApiKey ${b64(`key-id:${TOKEN}`)}`,
      `Basic ${b64(`elastic:${TOKEN}`)}`,
    ]) {
      expect((await post(built, header)).statusCode, header).toBe(200);
    }
    expect(built.sink.events).toHaveLength(4);
  });

  it('leaves /health open', async () => {
    const { app } = await setup({ token: TOKEN });
    const response = await app.inject({ method: 'GET', url: '/health' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok' });
  });
});
