import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT_CONTEXT, TraceFlags, trace } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { KafkaBus } from '@vigie/bus';
import type { LogEvent } from '@vigie/common';
import { ENGINES, freePort, testLogger, uniqueName, VigieProcess, waitFor } from '@vigie/testkit';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);

/**
 * Clients nobody here wrote, talking to a real `vigie collector` process, and what
 * they sent read back from Kafka: the whole path, not a source alone.
 */
describe('real clients through the collector process into Kafka', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigie-clients-'));
  const topic = uniqueName('clients');
  const bus = new KafkaBus({ brokers: ENGINES.kafkaBrokers, clientId: 'vigie-test', logger: testLogger() });
  let collector: VigieProcess | undefined;
  let rsyslog: ChildProcess | undefined;

  afterAll(async () => {
    rsyslog?.kill('SIGTERM');
    await collector?.kill('SIGTERM');
    await bus.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('logger (RFC 5424 over UDP and TCP), the OpenTelemetry SDK and rsyslog land in Kafka with the right fields', async () => {
    await bus.ensureTopic(topic, 6);
    const [httpPort, syslogPort] = [await freePort(), await freePort()];
    // rsyslog follows a file and ships it with its Elasticsearch output to the _bulk endpoint.
    const shipped = join(dir, 'shop.log');
    writeFileSync(shipped, 'checkout started id=1\nGET /cart status=500 api_key=abcdef123456\n');
    mkdirSync(join(dir, 'rsyslog'));
    writeFileSync(
      join(dir, 'rsyslog.conf'),
      `global(workDirectory="${join(dir, 'rsyslog')}")
module(load="imfile")
module(load="omelasticsearch")
input(type="imfile" File="${shipped}" Tag="shop:" ruleset="ship")
ruleset(name="ship") {
  action(type="omelasticsearch" server="127.0.0.1" serverport="${httpPort}" usehttps="off" bulkmode="on"
         searchIndex="logs" action.resumeInterval="1" action.resumeRetryCount="-1")
}
`,
    );
    collector = new VigieProcess(['collector'], {
      VIGIE_KAFKA_BROKERS: ENGINES.kafkaBrokers.join(','),
      VIGIE_KAFKA_LOGS_TOPIC: topic,
      VIGIE_COLLECTOR_DATA_DIR: join(dir, 'data'),
      VIGIE_COLLECTOR_HTTP_PORT: String(httpPort),
      VIGIE_COLLECTOR_SYSLOG_ENABLED: 'true',
      VIGIE_COLLECTOR_SYSLOG_PORT: String(syslogPort),
      VIGIE_OPS_PORT: '0',
    });
    await collector.opsUrl();
    await waitFor(
      'the collector listening',
      async () => (await fetch(`http://127.0.0.1:${httpPort}/health`)).status,
      (s) => s === 200,
    );

    const events: LogEvent[] = [];
    const subscription = await bus.subscribe({
      topic,
      groupId: uniqueName('reader'),
      handleBatch: async (batch) => {
        for (const record of batch.records) events.push(JSON.parse(record.value.toString()) as LogEvent);
      },
    });

    const logger = (transport: '--udp' | '--tcp', text: string) =>
      run('logger', [
        transport,
        '--server',
        '127.0.0.1',
        '--port',
        String(syslogPort),
        '--rfc5424',
        '--tag',
        'billing',
        '-p',
        'auth.err',
        text,
      ]);
    await logger('--udp', 'payment declined over udp user=alice');
    await logger('--tcp', 'payment declined over tcp password=hunter2');

    const provider = new LoggerProvider({
      resource: resourceFromAttributes({ 'service.name': 'checkout', 'service.version': '2.4.1' }),
      processors: [
        new BatchLogRecordProcessor({
          exporter: new OTLPLogExporter({ url: `http://127.0.0.1:${httpPort}/v1/logs` }),
        }),
      ],
    });
    const context = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: TraceFlags.SAMPLED,
    });
    provider.getLogger('checkout').emit({
      severityNumber: SeverityNumber.ERROR,
      severityText: 'ERROR',
      body: 'order failed',
      attributes: { 'order.id': 'o-123' },
      context,
    });
    await provider.shutdown();
    rsyslog = spawn('rsyslogd', ['-n', '-f', join(dir, 'rsyslog.conf'), '-i', join(dir, 'rsyslog.pid')], {
      stdio: 'ignore',
    });

    await waitFor(
      'five events in Kafka',
      async () => events.length,
      (n) => n >= 5,
      60_000,
    );
    await subscription.stop();
    const udp = events.find((e) => e.message.includes('over udp'));
    const tcp = events.find((e) => e.message.includes('over tcp'));
    const otel = events.find((e) => e.message === 'order failed');
    expect(udp).toMatchObject({
      service: { name: 'billing' },
      log: {
        level: 'error',
        syslog: { appname: 'billing', facility: { code: 4 }, severity: { code: 3 }, version: '1' },
      },
      vigie: { source: 'syslog-udp' },
    });
    expect(tcp).toMatchObject({
      service: { name: 'billing' },
      vigie: { source: 'syslog-tcp', redactions: 1 },
    });
    expect(tcp?.message).not.toContain('hunter2');
    expect(otel).toMatchObject({
      service: { name: 'checkout', version: '2.4.1' },
      log: { level: 'error' },
      trace: { id: '4bf92f3577b34da6a3ce929d0e0e4736' },
      span: { id: '00f067aa0ba902b7' },
      labels: { 'order.id': 'o-123' },
    });
    const fromRsyslog = events.filter((e) => e.vigie?.source === 'http-elasticsearch').map((e) => e.message);
    expect(fromRsyslog).toEqual([
      'checkout started id=1',
      expect.stringMatching(/^GET \/cart status=500 api_key=(?!abcdef)/),
    ]);
  }, 120_000);
});
