import { pathToFileURL } from 'node:url';
import { createRegistry, type LogEvent, type Registry } from '@vigie/common';
import { testLogger } from '@vigie/testkit';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BackpressureError } from '../../../src/errors.js';
import type { EventSink, LineSink, SerializedEvent } from '../../../src/model.js';
import { parseLine } from '../../../src/parse/index.js';
import { CollectorPipeline, WORKER_MIN_LINES } from '../../../src/pipeline.js';
import { createRedactor } from '../../../src/redact/index.js';
import { buildHttpApp } from '../../../src/sources/http/app.js';
import { corpus } from './ingest-corpus.js';

const slowParser = pathToFileURL(new URL('../../parse-pool/slow-parser.ts', import.meta.url).pathname).href;
const NOW = Date.UTC(2026, 10, 28, 12, 0, 0, 123);
const REDACTION = {
  defaults: true,
  rules: [{ name: 'ticket', pattern: 'T-\\d+', replacement: 'T-#' }],
};

/** Keeps what the pipeline writes, through `write` or `writeSerialized`, as the bus would carry it. */
class RecordingSink implements EventSink {
  readonly records: Array<{ key: string; event: LogEvent }> = [];
  writes = 0;
  serializedWrites = 0;
  refusal: Error | undefined;

  constructor(serialized: boolean) {
    if (!serialized) this.writeSerialized = undefined;
  }

  async write(events: LogEvent[]): Promise<void> {
    if (this.refusal) throw this.refusal;
    this.writes++;
    for (const event of events) {
      this.records.push({ key: event.service.name, event: JSON.parse(JSON.stringify(event)) as LogEvent });
    }
  }

  writeSerialized?: (events: SerializedEvent[]) => Promise<void> = async (events) => {
    if (this.refusal) throw this.refusal;
    this.serializedWrites++;
    for (const { key, value } of events) {
      this.records.push({ key, event: JSON.parse(value.toString('utf8')) as LogEvent });
    }
  };
}

/**
 * How the collector parses `/ingest` bodies: `today` hides `submitEventLines` from the
 * route (each line parsed by the route, then `submitEvents`, as before workers took
 * them); `workers` hands them to the parse workers; `workers-decoded` also, with a sink
 * that only takes events (the pipeline parses the workers' JSON back for it).
 */
type Path = 'today' | 'workers' | 'workers-decoded';

interface Built {
  app: FastifyInstance;
  sink: RecordingSink;
  registry: Registry;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
  vi.useRealTimers();
});
beforeEach(() => {
  // Only Date: the pool's watchdog and fastify keep their real timers.
  vi.useFakeTimers({ toFake: ['Date'], now: NOW });
});

async function build(path: Path, options: { budgetMs?: number; parserModule?: string } = {}): Promise<Built> {
  const registry = createRegistry();
  const sink = new RecordingSink(path === 'workers');
  const pipeline = new CollectorPipeline({
    sink,
    parse: parseLine,
    redact: createRedactor({ ...REDACTION, registry }),
    registry,
    ...(path !== 'today' && {
      workers: {
        config: {
          redaction: REDACTION,
          ...(options.parserModule !== undefined && { parserModule: options.parserModule }),
        },
        size: 2,
        ...(options.budgetMs !== undefined && { budgetMs: options.budgetMs }),
      },
    }),
  });
  await pipeline.start();
  const lineSink: LineSink =
    path === 'today'
      ? {
          submitLines: (source, lines) => pipeline.submitLines(source, lines),
          submitEvents: (source, events) => pipeline.submitEvents(source, events),
        }
      : pipeline;
  const app = buildHttpApp({
    host: '127.0.0.1',
    port: 0,
    maxBodyBytes: 16 * 1024 * 1024,
    defaultService: 'default-svc',
    sink: lineSink,
    logger: testLogger(),
    registry,
    hostName: 'collector-1',
  });
  await app.ready();
  cleanups.push(async () => {
    await app.close();
    await pipeline.stop();
  });
  return { app, sink, registry };
}

const post = (app: FastifyInstance, payload: Buffer | string, query = '?service=checkout&environment=prod') =>
  app.inject({
    method: 'POST',
    url: `/ingest${query}`,
    headers: { 'content-type': 'application/x-ndjson' },
    payload,
  });

/** The records with the request's stream id (random per request) replaced by a placeholder. */
function comparable(sink: RecordingSink): Array<{ key: string; event: LogEvent }> {
  const streams = new Set(sink.records.map((r) => r.event.vigie?.stream));
  expect(streams.size).toBe(1);
  return sink.records.map(({ key, event }) => ({
    key,
    event: { ...event, vigie: { ...event.vigie, stream: 'http:#stream' } },
  }));
}

async function metricValues(registry: Registry, name: string) {
  const values = (await registry.getSingleMetric(name)?.get())?.values ?? [];
  return values
    .map((v) => ({ labels: v.labels, value: v.value }))
    .sort((a, b) => JSON.stringify(a.labels).localeCompare(JSON.stringify(b.labels)));
}

// Workers load the TypeScript sources through tsx: a few seconds on a busy machine.
describe('POST /ingest on the parse workers', { timeout: 60_000 }, () => {
  it('gives the events, answer and metrics of the event loop path for a varied corpus', async () => {
    const body = corpus();
    const results = [];
    for (const path of ['today', 'workers', 'workers-decoded'] as const) {
      // The event loop path has no time budget: a generous one keeps a busy machine from
      // dead-lettering the megabyte lines here (the budget has its own test below).
      const { app, sink, registry } = await build(path, { budgetMs: 60_000 });
      const response = await post(app, body);
      expect(response.statusCode).toBe(200);
      results.push({
        path,
        answer: response.json(),
        records: comparable(sink),
        redactions: await metricValues(registry, 'vigie_redactions_total'),
        events: await metricValues(registry, 'vigie_collector_events_total'),
        http: await metricValues(registry, 'vigie_http_events_total'),
        writes: { write: sink.writes, serialized: sink.serializedWrites },
      });
    }
    const [today, workers, decoded] = results as [
      (typeof results)[0],
      (typeof results)[0],
      (typeof results)[0],
    ];
    // The corpus exercises what it claims to.
    // Spread over both workers (tasks of 64 lines at least).
    expect(today.records.length).toBeGreaterThan(4 * 64);
    expect(today.answer.invalid).toBeGreaterThan(20);
    expect(today.answer.problems).toHaveLength(20);
    expect(today.records.some((r) => r.event.vigie?.truncated)).toBe(true);
    expect(today.records.some((r) => r.event.vigie?.timestamp_fallback)).toBe(true);
    expect(today.records.some((r) => r.event.service.environment === 'staging')).toBe(true);
    expect(today.redactions.length).toBeGreaterThanOrEqual(2);
    // Each path went the way it says.
    expect(today.writes).toEqual({ write: 1, serialized: 0 });
    expect(workers.writes).toEqual({ write: 0, serialized: 1 });
    expect(decoded.writes).toEqual({ write: 1, serialized: 0 });

    for (const other of [workers, decoded]) {
      expect(other.answer).toEqual(today.answer);
      expect(other.redactions).toEqual(today.redactions);
      expect(other.events).toEqual(today.events);
      expect(other.http).toEqual(today.http);
      expect(other.records.length).toBe(today.records.length);
      for (const [i, record] of other.records.entries())
        expect(record, `record ${i}`).toEqual(today.records[i]);
    }
  });

  it(`keeps bodies of fewer than ${WORKER_MIN_LINES} lines on the event loop, with the same events`, async () => {
    const lines = Array.from({ length: WORKER_MIN_LINES - 1 }, (_, i) =>
      i % 3 === 0 ? `{"msg":"n${i} password=x${i} T-${i}"` : `{"msg":"n${i} T-${i}","level":"warn"}`,
    );
    const body = `${lines.join('\r\n')}\r\n`;
    const today = await build('today');
    const workers = await build('workers');
    const expected = await post(today.app, body);
    const answer = await post(workers.app, body);
    expect(answer.json()).toEqual(expected.json());
    expect(workers.sink.serializedWrites).toBe(0);
    expect(workers.sink.writes).toBe(1);
    expect(comparable(workers.sink)).toEqual(comparable(today.sink));
  });

  it('keeps a line that overruns its budget on a worker as text with a parse error, and the rest in order', async () => {
    const { app, sink, registry } = await build('workers', { budgetMs: 100, parserModule: slowParser });
    const lines = Array.from({ length: 100 }, (_, i) => `{"msg":"line ${i}"}`);
    lines[40] = '{"msg":"SLOW line T-40"}';
    const started = performance.now();
    const response = await post(app, `${lines.join('\n')}\n`);
    const took = performance.now() - started;

    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      accepted: lines.length,
      invalid: 1,
      problems: [{ at: 'line 41', error: 'parse exceeded its 100 ms time budget' }],
    });
    // Under the 5 s the line would take.
    expect(took).toBeLessThan(4500);
    const events = sink.records.map((r) => r.event);
    expect(events.map((e) => e.event?.sequence)).toEqual(lines.map((_, i) => i));
    expect(events[39]?.message).toBe('line 39');
    expect(events[41]?.message).toBe('line 41');
    expect(events[40]).toMatchObject({
      message: '{"msg":"SLOW line T-#"}',
      service: { name: 'checkout', environment: 'prod' },
      event: { original: '{"msg":"SLOW line T-#"}', sequence: 40 },
      vigie: { parse_error: 'parse exceeded its 100 ms time budget', source: 'http' },
    });
    expect(await metricValues(registry, 'vigie_collector_parse_over_budget_total')).toEqual([
      { labels: { source: 'http' }, value: 1 },
    ]);
  });

  it('answers 503 with Retry-After while the sink pushes back, and takes the body once it accepts', async () => {
    const { app, sink } = await build('workers');
    const lines = Array.from({ length: 200 }, (_, i) => `{"msg":"retry ${i}"}`);
    const body = `${lines.join('\n')}\n`;
    sink.refusal = new BackpressureError('spool full', 7);
    const refused = await post(app, body);
    expect(refused.statusCode).toBe(503);
    expect(refused.headers['retry-after']).toBe('7');
    expect(sink.records).toHaveLength(0);

    sink.refusal = undefined;
    const accepted = await post(app, body);
    expect(accepted.statusCode).toBe(200);
    expect(accepted.json()).toMatchObject({ accepted: lines.length, invalid: 0 });
    expect(sink.records.map((r) => r.event.message)).toEqual(lines.map((_, i) => `retry ${i}`));
  });
});
