import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { BackpressureError, testApp } from './helpers.js';

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function setup() {
  const built = await testApp();
  close = () => built.app.close();
  return built;
}

const push = {
  streams: [
    {
      stream: { job: 'nginx', env: 'staging', host: 'edge-2' },
      values: [
        ['1795867200000000000', 'GET /index.html 200'],
        [
          '1795867201500000000',
          '{"level":"error","msg":"upstream down","@timestamp":"2026-11-28T07:59:59Z"}',
          { trace_id: 'abc' },
        ],
      ],
    },
    { stream: { service_name: 'api', job: 'ignored' }, values: [['1795867202000000000', 'ready']] },
  ],
};

describe('POST /loki/api/v1/push', () => {
  it('answers 204; JSON lines become events timed by the entry, other lines go to the line parsers', async () => {
    const { app, sink } = await setup();
    const response = await app.inject({ method: 'POST', url: '/loki/api/v1/push', payload: push });
    expect(response.statusCode).toBe(204);
    expect([...sink.events, ...sink.lines].every((e) => e.source === 'http-loki')).toBe(true);

    const [nginx, ready] = sink.lines.map((l) => l.line);
    expect(nginx).toMatchObject({
      text: 'GET /index.html 200',
      origin: { source: 'http-loki', sequence: 0, hostName: 'edge-2' },
      hints: {
        service: 'nginx',
        environment: 'staging',
        labels: { job: 'nginx', env: 'staging', host: 'edge-2' },
      },
    });
    expect(ready).toMatchObject({ text: 'ready', origin: { sequence: 2 }, hints: { service: 'api' } });
    expect(ready?.origin.hostName).toBeUndefined();

    expect(sink.eventList).toHaveLength(1);
    expect(sink.eventList[0]).toMatchObject({
      '@timestamp': '2026-11-28T07:59:59.000Z',
      message: 'upstream down',
      log: { level: 'error' },
      service: { name: 'nginx', environment: 'staging' },
      host: { name: 'edge-2' },
      labels: { job: 'nginx', trace_id: 'abc' },
      event: { sequence: 1 },
      vigie: { source: 'http-loki' },
    });
    const streams = new Set([nginx?.origin.stream, ready?.origin.stream, sink.eventList[0]?.vigie?.stream]);
    expect(streams.size).toBe(1);
  });

  it('times JSON lines that name no time by their entry', async () => {
    const { app, sink } = await setup();
    const response = await app.inject({
      method: 'POST',
      url: '/loki/api/v1/push',
      payload: {
        streams: [{ stream: { app: 'cart' }, values: [['1795867202000000000', '{"msg":"no time here"}']] }],
      },
    });
    expect(response.statusCode).toBe(204);
    expect(sink.eventList[0]).toMatchObject({
      '@timestamp': '2026-11-28T12:00:02.000Z',
      message: 'no time here',
      service: { name: 'cart' },
    });
    expect(sink.eventList[0]?.vigie?.timestamp_fallback).toBeUndefined();
  });

  it('reads gzip pushes', async () => {
    const { app, sink } = await setup();
    const response = await app.inject({
      method: 'POST',
      url: '/loki/api/v1/push',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      payload: gzipSync(JSON.stringify(push)),
    });
    expect(response.statusCode).toBe(204);
    expect(sink.events.length + sink.lines.length).toBe(3);
  });

  it('answers 400 with the path of a malformed entry, and takes nothing from that push', async () => {
    const { app, sink } = await setup();
    const response = await app.inject({
      method: 'POST',
      url: '/loki/api/v1/push',
      payload: {
        streams: [
          {
            stream: { job: 'x' },
            values: [
              ['1795867200000000000', 'ok'],
              [1795867200, 'bad'],
            ],
          },
        ],
      },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().message).toMatch(/^streams\[0\]\.values\[1\]\[0\]: expected the time/);
    expect(sink.events).toHaveLength(0);
  });

  it('answers 415 to snappy protobuf with the setting to change', async () => {
    const { app } = await setup();
    const response = await app.inject({
      method: 'POST',
      url: '/loki/api/v1/push',
      headers: { 'content-type': 'application/x-protobuf' },
      payload: Buffer.from([0xff, 0x06, 0x00]),
    });
    expect(response.statusCode).toBe(415);
    expect(response.json().message).toContain('JSON');
  });

  it('answers 503 with Retry-After when the sink pushes back', async () => {
    const { app, sink } = await setup();
    sink.backpressure = new BackpressureError('spool full', 11);
    const response = await app.inject({ method: 'POST', url: '/loki/api/v1/push', payload: push });
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('11');
  });
});
