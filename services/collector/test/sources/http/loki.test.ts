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
  it('answers 204 and keeps labels, service, time and structured metadata', async () => {
    const { app, sink } = await setup();
    const response = await app.inject({ method: 'POST', url: '/loki/api/v1/push', payload: push });
    expect(response.statusCode).toBe(204);
    const [text, json, other] = sink.eventList;
    expect(sink.events.every((e) => e.source === 'http-loki')).toBe(true);
    expect(text).toMatchObject({
      '@timestamp': '2026-11-28T12:00:00.000Z',
      message: 'GET /index.html 200',
      service: { name: 'nginx', environment: 'staging' },
      host: { name: 'edge-2' },
      labels: { job: 'nginx', env: 'staging', host: 'edge-2' },
      event: { sequence: 0 },
    });
    expect(text?.vigie?.parse_error).toBeUndefined();
    expect(text?.vigie?.timestamp_fallback).toBeUndefined();
    expect(json).toMatchObject({
      '@timestamp': '2026-11-28T07:59:59.000Z',
      message: 'upstream down',
      log: { level: 'error' },
      labels: { job: 'nginx', trace_id: 'abc' },
      event: { sequence: 1 },
    });
    expect(other).toMatchObject({
      '@timestamp': '2026-11-28T12:00:02.000Z',
      message: 'ready',
      service: { name: 'api' },
      event: { sequence: 2 },
    });
    expect(other?.host).toBeUndefined();
    expect(new Set(sink.eventList.map((e) => e.vigie?.stream)).size).toBe(1);
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
    expect(sink.events).toHaveLength(3);
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
