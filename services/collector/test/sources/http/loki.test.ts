import { gzipSync } from 'node:zlib';
import protobuf from 'protobufjs';
import { compressSync } from 'snappy';
import { afterEach, describe, expect, it } from 'vitest';
import { BackpressureError, testApp } from './helpers.js';

// Loki's push.proto (logproto), written out here independently of the source's decoder.
const PushRequest = protobuf
  .parse(
    `syntax = "proto3";
     message Timestamp { int64 seconds = 1; int32 nanos = 2; }
     message LabelPair { string name = 1; string value = 2; }
     message Entry { Timestamp timestamp = 1; string line = 2; repeated LabelPair structuredMetadata = 3; }
     message Stream { string labels = 1; repeated Entry entries = 2; uint64 hash = 3; }
     message PushRequest { repeated Stream streams = 1; }`,
    { keepCase: true },
  )
  .root.lookupType('PushRequest');

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
    expect([...sink.eventCalls, ...sink.lineCalls].every((e) => e.source === 'http-loki')).toBe(true);

    const [nginx, ready] = sink.lines;
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

    expect(sink.events).toHaveLength(1);
    expect(sink.events[0]).toMatchObject({
      '@timestamp': '2026-11-28T07:59:59.000Z',
      message: 'upstream down',
      log: { level: 'error' },
      service: { name: 'nginx', environment: 'staging' },
      host: { name: 'edge-2' },
      labels: { job: 'nginx', trace_id: 'abc' },
      event: { sequence: 1 },
      vigie: { source: 'http-loki' },
    });
    const streams = new Set([nginx?.origin.stream, ready?.origin.stream, sink.events[0]?.vigie?.stream]);
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
    expect(sink.events[0]).toMatchObject({
      '@timestamp': '2026-11-28T12:00:02.000Z',
      message: 'no time here',
      service: { name: 'cart' },
    });
    expect(sink.events[0]?.vigie?.timestamp_fallback).toBeUndefined();
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

  it('reads the snappy-compressed protobuf push of Promtail and Alloy', async () => {
    const { app, sink } = await setup();
    const message = PushRequest.fromObject({
      streams: [
        {
          labels: '{job="varlogs", filename="/var/log/app.log", note="say \\"hi\\""}',
          entries: [
            { timestamp: { seconds: 1795867200, nanos: 5_000_000 }, line: '{"msg":"json line"}' },
            {
              timestamp: { seconds: 1795867201 },
              line: 'plain line',
              structuredMetadata: [{ name: 'trace_id', value: 't-1' }],
            },
          ],
        },
      ],
    });
    const response = await app.inject({
      method: 'POST',
      url: '/loki/api/v1/push',
      headers: { 'content-type': 'application/x-protobuf' },
      payload: compressSync(Buffer.from(PushRequest.encode(message).finish())),
    });
    expect(response.statusCode).toBe(204);
    expect(sink.events[0]).toMatchObject({
      '@timestamp': '2026-11-28T12:00:00.005Z',
      message: 'json line',
      service: { name: 'varlogs' },
      labels: { job: 'varlogs', filename: '/var/log/app.log', note: 'say "hi"' },
    });
    expect(sink.lines[0]).toMatchObject({
      text: 'plain line',
      origin: { sequence: 1 },
      hints: { service: 'varlogs', labels: { trace_id: 't-1', job: 'varlogs' } },
    });
  });

  it('answers 413 to a snappy block that claims to inflate past the limit, 400 to bad labels or data', async () => {
    const { app, sink } = await setup();
    const post = (payload: Buffer) =>
      app.inject({
        method: 'POST',
        url: '/loki/api/v1/push',
        headers: { 'content-type': 'application/x-protobuf' },
        payload,
      });
    // Varint 0x80 0x80 0x80 0x40: 128 MiB announced by a 4-byte body.
    expect((await post(Buffer.from([0x80, 0x80, 0x80, 0x40]))).statusCode).toBe(413);
    expect((await post(Buffer.from([0x05, 0xff, 0xff]))).statusCode).toBe(400);
    const badLabels = PushRequest.encode(
      PushRequest.fromObject({ streams: [{ labels: '{job=unquoted}', entries: [{ line: 'x' }] }] }),
    ).finish();
    const response = await post(compressSync(Buffer.from(badLabels)));
    expect(response.statusCode).toBe(400);
    expect(response.json().message).toBe('streams[0].labels: expected a quoted value for job');
    expect(sink.events.length + sink.lines.length).toBe(0);
  });

  it('answers 503 with Retry-After when the sink pushes back', async () => {
    const { app, sink } = await setup();
    sink.refuse(new BackpressureError('spool full', 11));
    const response = await app.inject({ method: 'POST', url: '/loki/api/v1/push', payload: push });
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('11');
  });
});
