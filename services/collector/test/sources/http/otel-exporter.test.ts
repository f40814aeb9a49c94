import { ROOT_CONTEXT, TraceFlags, trace } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter as JsonExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as ProtobufExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpSource } from '../../../src/sources/http/http-source.js';
import { sourceOptions } from './helpers.js';

const TOKEN = 'otel-exporter-test-token';
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';

let source: HttpSource | undefined;
let provider: LoggerProvider | undefined;
afterEach(async () => {
  await provider?.shutdown();
  await source?.stop();
  provider = undefined;
  source = undefined;
});

const EXPORTERS = [
  { encoding: 'JSON', Exporter: JsonExporter },
  { encoding: 'protobuf', Exporter: ProtobufExporter },
];

describe.each(EXPORTERS)('OpenTelemetry JS SDK → /v1/logs ($encoding)', ({ Exporter }) => {
  it('lands service, level, trace context, attributes and exceptions right', async () => {
    const options = sourceOptions({ token: TOKEN });
    source = new HttpSource(options);
    await source.start();
    const exporter = new Exporter({
      url: `http://127.0.0.1:${source.address().port}/v1/logs`,
      headers: { Authorization: `Bearer ${TOKEN}` },
    });
    provider = new LoggerProvider({
      resource: resourceFromAttributes({
        'service.name': 'checkout',
        'service.version': '2.4.1',
        'deployment.environment.name': 'staging',
        'host.name': 'pod-7',
      }),
      processors: [new BatchLogRecordProcessor({ exporter })],
    });
    const logger = provider.getLogger('checkout.payments', '1.0.0');
    const context = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: TRACE_ID,
      spanId: SPAN_ID,
      traceFlags: TraceFlags.SAMPLED,
    });
    logger.emit({
      severityNumber: SeverityNumber.INFO,
      severityText: 'INFO',
      body: 'order placed',
      attributes: { 'order.id': 'o-123', 'order.items': 3, 'user.vip': true },
      context,
      timestamp: new Date('2026-11-28T12:00:00.250Z'),
    });
    logger.emit({
      severityNumber: SeverityNumber.ERROR,
      body: 'card declined',
      exception: new TypeError('gateway said no'),
    });
    logger.emit({ severityNumber: SeverityNumber.WARN2, body: { message: 'retrying', attempt: 2 } });
    await provider.forceFlush();

    const events = options.sink.events;
    expect(events.map((e) => e.message)).toEqual(['order placed', 'card declined', 'retrying']);
    for (const event of events) {
      expect(event.service).toEqual({ name: 'checkout', version: '2.4.1', environment: 'staging' });
      expect(event.host).toEqual({ name: 'pod-7' });
      expect(event.log?.logger).toBe('checkout.payments');
      expect(event.vigie?.source).toBe('http-otlp');
    }
    const [placed, declined, retrying] = events;
    expect(placed).toMatchObject({
      '@timestamp': '2026-11-28T12:00:00.250Z',
      log: { level: 'info' },
      trace: { id: TRACE_ID },
      span: { id: SPAN_ID },
      labels: { 'order.id': 'o-123' },
      attributes: { 'order.items': 3, 'user.vip': true },
    });
    expect(declined).toMatchObject({
      log: { level: 'error' },
      error: { type: 'TypeError', message: 'gateway said no' },
    });
    expect(declined?.error?.stack_trace).toContain('TypeError: gateway said no');
    expect(declined?.trace).toBeUndefined();
    expect(retrying).toMatchObject({ log: { level: 'warn' }, attributes: { body: { attempt: 2 } } });
    expect(events.map((e) => e.event?.sequence)).toEqual([0, 1, 2]);
  });
});
