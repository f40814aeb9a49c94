import { createRegistry, type LogEvent } from '@vigie/common';
import { testLogger } from '@vigie/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventSink } from '../../../src/model.js';
import { parseLine } from '../../../src/parse/index.js';
import { CollectorPipeline } from '../../../src/pipeline.js';
import { buildHttpApp } from '../../../src/sources/http/app.js';

class MemoryEventSink implements EventSink {
  readonly events: LogEvent[] = [];
  async write(events: LogEvent[]): Promise<void> {
    this.events.push(...events);
  }
}

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function setup() {
  const registry = createRegistry();
  const events = new MemoryEventSink();
  const pipeline = new CollectorPipeline({ sink: events, parse: parseLine, redact: () => 0, registry });
  const app = buildHttpApp({
    host: '127.0.0.1',
    port: 0,
    maxBodyBytes: 64 * 1024,
    defaultService: 'default-svc',
    sink: pipeline,
    logger: testLogger(),
    registry,
    hostName: 'collector-1',
  });
  await app.ready();
  close = () => app.close();
  return { app, events: events.events };
}

describe('HTTP source through the collector pipeline', () => {
  it('has Loki text lines parsed by format, with the origin of their request', async () => {
    const { app, events } = await setup();
    const response = await app.inject({
      method: 'POST',
      url: '/loki/api/v1/push',
      payload: {
        streams: [
          {
            stream: { job: 'billing', host: 'edge-1' },
            values: [
              ['1795867200000000000', 'level=error msg="db down" attempt=3'],
              ['1795867200000000001', '{"level":"warn","msg":"slow"}'],
            ],
          },
        ],
      },
    });
    expect(response.statusCode).toBe(204);
    const byMessage = new Map(events.map((e) => [e.message, e]));
    const logfmt = byMessage.get('db down');
    expect(logfmt).toMatchObject({
      log: { level: 'error' },
      service: { name: 'billing' },
      host: { name: 'edge-1' },
      labels: { job: 'billing' },
      event: { sequence: 0 },
      vigie: { source: 'http-loki' },
    });
    expect(byMessage.get('slow')).toMatchObject({ log: { level: 'warn' }, event: { sequence: 1 } });
    expect(logfmt?.vigie?.stream).toBe(byMessage.get('slow')?.vigie?.stream);
  });

  it('has message-only _bulk documents parsed as lines (syslog here)', async () => {
    const { app, events } = await setup();
    const response = await app.inject({
      method: 'POST',
      url: '/logs/_bulk',
      headers: { 'content-type': 'application/x-ndjson' },
      payload: `{"index":{}}\n${JSON.stringify({ message: '<11>1 2026-11-28T12:00:00Z web-9 nginx 42 - - upstream timed out' })}\n`,
    });
    expect(response.json().errors).toBe(false);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      '@timestamp': '2026-11-28T12:00:00.000Z',
      message: 'upstream timed out',
      log: { level: 'error' },
      host: { name: 'web-9' },
      event: { sequence: 0 },
      vigie: { source: 'http-elasticsearch' },
    });
  });
});
