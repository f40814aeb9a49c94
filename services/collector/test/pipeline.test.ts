import { pathToFileURL } from 'node:url';
import type { LogEvent, Registry } from '@vigie/common';
import { createRegistry } from '@vigie/common';
import { describe, expect, it } from 'vitest';
import type { RawLine } from '../src/index.js';
import { CollectorPipeline, createRedactor, parseLine } from '../src/index.js';

const slowParser = pathToFileURL(new URL('./parse-pool/slow-parser.ts', import.meta.url).pathname).href;

async function metric(registry: Registry, name: string): Promise<number | undefined> {
  return (await registry.getSingleMetric(name)?.get())?.values[0]?.value;
}

function line(text: string): RawLine {
  return {
    text,
    origin: { source: 'test', hostName: 'h' },
    receivedAt: Date.UTC(2026, 10, 28, 12),
    hints: { service: 's' },
  };
}

describe('CollectorPipeline', () => {
  it('dead-letters a line whose parse overruns its budget in a worker, and parses the rest in order', async () => {
    const written: LogEvent[] = [];
    const registry = createRegistry();
    const redaction = {
      defaults: true,
      rules: [{ name: 'order', pattern: 'ORD-\\d+', replacement: 'ORD-?' }],
    };
    const pipeline = new CollectorPipeline({
      sink: { write: async (events) => void written.push(...events) },
      parse: parseLine,
      redact: createRedactor({ ...redaction, registry }),
      registry,
      workers: { config: { redaction, parserModule: slowParser }, size: 2 },
    });
    try {
      await pipeline.start();
      let ticks = 0;
      const timer = setInterval(() => ticks++, 10);
      const started = performance.now();
      const texts = ['{"msg":"one ORD-1"}', '{"msg":"SLOW ORD-2","level":"error"}', '{"msg":"three"}'];
      await pipeline.submitLines('test', texts.map(line));
      const took = performance.now() - started;
      clearInterval(timer);

      expect(written.map((e) => e.message)).toEqual([
        'one ORD-?',
        '{"msg":"SLOW ORD-?","level":"error"}',
        'three',
      ]);
      expect(written[1]).toMatchObject({
        service: { name: 's' },
        event: { original: '{"msg":"SLOW ORD-?","level":"error"}' },
        vigie: { parse_error: 'parse exceeded its 50 ms time budget', source: 'test' },
      });
      expect(took).toBeLessThan(1000);
      expect(ticks).toBeGreaterThan(3);
      expect(await metric(registry, 'vigie_collector_parse_over_budget_total')).toBe(1);
      expect(await metric(registry, 'vigie_collector_parse_errors_total')).toBe(1);
      expect(await metric(registry, 'vigie_collector_parse_workers_replaced_total')).toBe(1);
      // Masked in a worker for the first line; on the event loop in the dead letter's
      // message and event.original.
      expect(await metric(registry, 'vigie_redactions_total')).toBe(3);
    } finally {
      await pipeline.stop();
    }
  }, 30_000);

  it('keeps a line whose parse on the event loop ran over its budget as text with a parse error', async () => {
    const written: LogEvent[] = [];
    const registry = createRegistry();
    const pipeline = new CollectorPipeline({
      sink: { write: async (events) => void written.push(...events) },
      // A parser that is slow on JSON lines only, standing in for a pathological input.
      parse: (raw) => {
        if (raw.hints?.format !== 'text') {
          const until = performance.now() + 80;
          while (performance.now() < until);
        }
        return parseLine(raw);
      },
      redact: () => 0,
      registry,
    });
    await pipeline.submitLines('test', [line('{"msg":"slow","level":"error"}')]);
    expect(written[0]?.message).toBe('{"msg":"slow","level":"error"}');
    expect(written[0]?.vigie?.parse_error).toMatch(/over its 50 ms time budget/);
    expect(await metric(registry, 'vigie_collector_parse_over_budget_total')).toBe(1);
  });

  it('parses, redacts and cuts events before the sink, and counts them', async () => {
    const written: LogEvent[] = [];
    const registry = createRegistry();
    const pipeline = new CollectorPipeline({
      sink: { write: async (events) => void written.push(...events) },
      parse: parseLine,
      redact: (event) => {
        event.message = event.message.replace('hunter2', '[REDACTED]');
        return 1;
      },
      registry,
    });
    await pipeline.submitLines('test', [
      line('{"msg":"password hunter2","level":"warn"}'),
      line(`${'x'.repeat(2_000_000)}`),
    ]);
    expect(written[0]).toMatchObject({
      message: 'password [REDACTED]',
      log: { level: 'warn' },
      service: { name: 's' },
    });
    expect(written[1]?.vigie?.truncated).toBe(true);
    expect(Buffer.byteLength(JSON.stringify(written[1]))).toBeLessThanOrEqual(900 * 1024);
  });
});
