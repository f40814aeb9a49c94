import { ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeOtlpResponse } from '../../../src/sources/http/otlp-proto.js';
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

const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
const TRACE = '5b8efff798038103d269b633813fc60c';
const SPAN = 'eee19b7ec3c1b174';

function request(
  records: unknown[],
  resource = [str('service.name', 'cart'), str('deployment.environment', 'prod')],
) {
  return {
    resourceLogs: [
      {
        resource: {
          attributes: [...resource, str('host.name', 'node-3'), str('telemetry.sdk.language', 'go')],
        },
        scopeLogs: [{ scope: { name: 'cart.handler' }, logRecords: records }],
      },
    ],
  };
}

describe('POST /v1/logs (OTLP/JSON)', () => {
  it('maps resource, severity, body, time, trace context and attributes', async () => {
    const { app, sink } = await setup();
    const response = await app.inject({
      method: 'POST',
      url: '/v1/logs',
      payload: request([
        {
          timeUnixNano: '1795867200123456789',
          severityNumber: 17,
          severityText: 'ERROR',
          body: { stringValue: 'payment failed' },
          traceId: TRACE,
          spanId: SPAN,
          attributes: [
            str('http.route', '/pay'),
            { key: 'http.status_code', value: { intValue: '502' } },
            str('exception.type', 'TimeoutError'),
            str('exception.message', 'upstream timed out'),
            str('exception.stacktrace', 'TimeoutError: upstream timed out\n    at pay'),
          ],
        },
        {
          observedTimeUnixNano: 1795867201000000000,
          severityNumber: 13,
          body: {
            kvlistValue: { values: [str('msg', 'slow'), { key: 'ms', value: { doubleValue: 812.5 } }] },
          },
        },
      ]),
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({});
    const [first, second] = sink.events;
    expect(sink.eventCalls.every((e) => e.source === 'http-otlp')).toBe(true);
    expect(first).toMatchObject({
      '@timestamp': '2026-11-28T12:00:00.123Z',
      message: 'payment failed',
      log: { level: 'error', logger: 'cart.handler' },
      service: { name: 'cart', environment: 'prod' },
      host: { name: 'node-3' },
      trace: { id: TRACE },
      span: { id: SPAN },
      error: { type: 'TimeoutError', message: 'upstream timed out' },
      labels: { 'http.route': '/pay' },
      attributes: { 'http.status_code': 502, resource: { 'telemetry.sdk.language': 'go' } },
      event: { sequence: 0 },
      vigie: { source: 'http-otlp' },
    });
    expect(first?.error?.stack_trace).toContain('at pay');
    expect(first?.labels?.['exception.type']).toBeUndefined();
    expect(second).toMatchObject({
      '@timestamp': '2026-11-28T12:00:01.000Z',
      message: 'slow',
      log: { level: 'warn' },
      attributes: { body: { ms: 812.5 } },
      event: { sequence: 1 },
    });
  });

  it('rejects bad records in partialSuccess and keeps the others', async () => {
    const { app, sink } = await setup();
    let deepBody: unknown = { stringValue: 'bottom' };
    for (let i = 0; i < 40; i++) deepBody = { kvlistValue: { values: [{ key: 'k', value: deepBody }] } };
    const response = await app.inject({
      method: 'POST',
      url: '/v1/logs',
      payload: request(
        [
          { body: { stringValue: 'kept' } },
          { timeUnixNano: 'soon', body: { stringValue: 'bad time' } },
          { traceId: 'xyz', body: { stringValue: 'bad trace' } },
          { body: deepBody },
        ],
        [],
      ),
    });
    expect(response.statusCode).toBe(200);
    const { partialSuccess } = response.json();
    expect(partialSuccess.rejectedLogRecords).toBe('3');
    expect(partialSuccess.errorMessage).toContain('logRecords[3]: nested deeper than 16 levels');
    expect(partialSuccess.errorMessage).toContain('resourceLogs[0].scopeLogs[0].logRecords[1]: timeUnixNano');
    expect(partialSuccess.errorMessage).toContain('logRecords[2]: traceId');
    expect(sink.events.map((e) => e.message)).toEqual(['kept']);
    expect(sink.events[0]).toMatchObject({
      service: { name: 'default-svc' },
      vigie: { timestamp_fallback: true },
    });
  });

  it('answers 400 with the JSON path when the structure is wrong', async () => {
    const { app } = await setup();
    const response = await app.inject({
      method: 'POST',
      url: '/v1/logs',
      payload: { resourceLogs: [{ scopeLogs: [{ logRecords: {} }] }] },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().message).toBe('resourceLogs[0].scopeLogs[0].logRecords: expected an array');
  });

  it('answers 400 to a protobuf body that does not decode, and 415 to other media types', async () => {
    const { app } = await setup();
    const garbage = await app.inject({
      method: 'POST',
      url: '/v1/logs',
      headers: { 'content-type': 'application/x-protobuf' },
      payload: Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]),
    });
    expect(garbage.statusCode).toBe(400);
    expect(garbage.json().message).toMatch(/not a protobuf ExportLogsServiceRequest/);
    const xml = await app.inject({
      method: 'POST',
      url: '/v1/logs',
      headers: { 'content-type': 'application/xml' },
      payload: '<logs/>',
    });
    expect(xml.statusCode).toBe(415);
  });

  it('encodes protobuf answers as the official OTLP deserializer reads them', () => {
    const empty = ProtobufLogsSerializer.deserializeResponse(encodeOtlpResponse());
    expect(empty.partialSuccess).toBeUndefined();
    const partial = ProtobufLogsSerializer.deserializeResponse(
      encodeOtlpResponse({ rejectedLogRecords: '2', errorMessage: 'logRecords[1]: traceId' }),
    );
    expect(partial.partialSuccess?.errorMessage).toBe('logRecords[1]: traceId');
    expect(Number(partial.partialSuccess?.rejectedLogRecords)).toBe(2);
  });

  it('answers 503 with Retry-After when the sink pushes back (OTLP exporters retry on it)', async () => {
    const { app, sink } = await setup();
    sink.refuse(new BackpressureError('Kafka away', 3));
    const response = await app.inject({
      method: 'POST',
      url: '/v1/logs',
      payload: request([{ body: { stringValue: 'x' } }]),
    });
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('3');
  });
});
