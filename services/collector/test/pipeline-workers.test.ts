import type { LogEvent, Registry } from '@vigie/common';
import { createRegistry } from '@vigie/common';
import { describe, expect, it } from 'vitest';
import type { EventSink, LineFormat, RawLine, SerializedEvent } from '../src/index.js';
import { CollectorPipeline, createRedactor, parseLine } from '../src/index.js';

const REDACTION = { defaults: true, rules: [{ name: 'order', pattern: 'ORD-\\d+', replacement: 'ORD-?' }] };

const TEXTS = [
  '{"level":"error","msg":"db down password=x1 ORD-7","ts":"2026-11-28T11:00:00Z"}',
  'level=warn msg="slow query" duration=1.5s token=abcdefgh',
  '127.0.0.1 - - [28/Nov/2026:11:00:00 +0000] "GET /x?password=y HTTP/1.1" 500 12 "-" "curl"',
  '<11>1 2026-11-28T12:00:00Z web-9 nginx 42 - - upstream timed out',
  '2026-11-28T11:00:00.123Z stdout F {"msg":"cri line"}',
  'plain text with card 4111 1111 1111 1111',
  '{"broken": ',
  '{"msg":"unknown","service":"unknown_service"}',
];
const FORMATS: LineFormat[] = ['auto', 'auto', 'text', 'json', 'logfmt'];

/** Lines of every format, with varied hints, a few huge ones. */
function lines(): RawLine[] {
  const out: RawLine[] = [];
  for (let round = 0; round < 30; round++) {
    for (const text of TEXTS) {
      const n = out.length;
      const line: RawLine = {
        text: n === 50 ? `{"msg":"${'y'.repeat(1_000_000)}"}` : n === 120 ? 'z'.repeat(1_000_000) : text,
        origin: { source: 'file', hostName: 'h', filePath: '/var/log/app.log', offset: n * 100 },
        receivedAt: Date.UTC(2026, 10, 28, 12) + n,
        hints: { service: `svc-${round % 3}`, format: FORMATS[n % FORMATS.length] as LineFormat },
      };
      if (n % 7 === 0) line.hints = { ...line.hints, environment: 'prod', labels: { team: 'a' } };
      if (n % 11 === 0) line.truncated = true;
      out.push(line);
    }
  }
  return out;
}

class RecordingSink implements EventSink {
  readonly records: Array<{ key: string; event: LogEvent }> = [];
  serialized = 0;
  async write(events: LogEvent[]): Promise<void> {
    for (const event of events)
      this.records.push({ key: event.service.name, event: JSON.parse(JSON.stringify(event)) });
  }
  async writeSerialized(events: SerializedEvent[]): Promise<void> {
    this.serialized++;
    for (const { key, value } of events)
      this.records.push({ key, event: JSON.parse(value.toString('utf8')) });
  }
}

async function metricValues(registry: Registry, name: string) {
  const values = (await registry.getSingleMetric(name)?.get())?.values ?? [];
  return values.map((v) => [JSON.stringify(v.labels), v.value]).sort();
}

async function run(workers: boolean) {
  const registry = createRegistry();
  const sink = new RecordingSink();
  const pipeline = new CollectorPipeline({
    sink,
    parse: parseLine,
    redact: createRedactor({ ...REDACTION, registry }),
    registry,
    // A generous budget: the event loop path has none to compare with.
    ...(workers && { workers: { config: { redaction: REDACTION }, size: 2, budgetMs: 60_000 } }),
  });
  try {
    await pipeline.start();
    await pipeline.submitLines('file', lines());
  } finally {
    await pipeline.stop();
  }
  return {
    records: sink.records,
    serialized: sink.serialized,
    parseErrors: await metricValues(registry, 'vigie_collector_parse_errors_total'),
    redactions: await metricValues(registry, 'vigie_redactions_total'),
    events: await metricValues(registry, 'vigie_collector_events_total'),
  };
}

describe('CollectorPipeline on parse workers', () => {
  it('writes the events of the event loop path, serialised by the workers', async () => {
    const here = await run(false);
    const workers = await run(true);
    expect(here.serialized).toBe(0);
    expect(workers.serialized).toBe(1);
    expect(here.parseErrors[0]?.[1]).toBeGreaterThan(0);
    expect(here.redactions.length).toBeGreaterThanOrEqual(3);
    expect(here.records.filter((r) => r.event.message.endsWith('…[truncated]'))).toHaveLength(2);
    expect(workers.parseErrors).toEqual(here.parseErrors);
    expect(workers.redactions).toEqual(here.redactions);
    expect(workers.events).toEqual(here.events);
    expect(workers.records.length).toBe(here.records.length);
    for (const [i, record] of workers.records.entries())
      expect(record, `record ${i}`).toEqual(here.records[i]);
  }, 60_000);
});
