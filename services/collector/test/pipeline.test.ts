import type { LogEvent } from '@vigie/common';
import { createRegistry } from '@vigie/common';
import { describe, expect, it } from 'vitest';
import type { RawLine } from '../src/index.js';
import { CollectorPipeline, parseLine } from '../src/index.js';

function line(text: string): RawLine {
  return {
    text,
    origin: { source: 'test', hostName: 'h' },
    receivedAt: Date.UTC(2026, 10, 28, 12),
    hints: { service: 's' },
  };
}

describe('CollectorPipeline', () => {
  it('keeps a line whose parse runs over its budget as text with a parse error', async () => {
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
    expect(written[0]?.vigie?.parse_error).toMatch(/over its budget/);
    const metric = await registry.getSingleMetric('vigie_collector_parse_over_budget_total')?.get();
    expect(metric?.values[0]?.value).toBe(1);
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
