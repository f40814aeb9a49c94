import { pathToFileURL } from 'node:url';
import type { LogEvent } from '@vigie/common';
import { afterEach, describe, expect, it } from 'vitest';
import type { RawLine } from '../../src/model.js';
import type { ParseOutcome } from '../../src/parse-pool/index.js';
import { ParsePool, StuckLine } from '../../src/parse-pool/index.js';

const slowParser = pathToFileURL(new URL('./slow-parser.ts', import.meta.url).pathname).href;

function line(text: string): RawLine {
  return {
    text,
    origin: { source: 'test' },
    receivedAt: Date.UTC(2026, 10, 28, 12),
    hints: { service: 's' },
  };
}

const messages = (outcomes: ParseOutcome[]) =>
  outcomes.map((o) => (o instanceof StuckLine ? `stuck:${o.line.text}` : (o as LogEvent).message));

let pool: ParsePool | undefined;
afterEach(async () => {
  await pool?.stop();
  pool = undefined;
});

// Workers load the TypeScript sources through tsx: a few seconds on a busy machine.
describe('ParsePool', { timeout: 30_000 }, () => {
  it('parses, redacts and fits lines in order, spread over its workers', async () => {
    const counts: Array<[string, number]> = [];
    pool = new ParsePool({
      config: {
        redaction: { defaults: true, rules: [{ name: 'ticket', pattern: 'T-\\d+', replacement: 'T-#' }] },
      },
      budgetMs: 1000,
      size: 2,
      minChunk: 10,
      onRedactions: (c) => counts.push(...c),
    });
    const lines = Array.from({ length: 100 }, (_, i) => line(`{"msg":"n${i} T-${i} password=x${i}"}`));
    lines.push(line('x'.repeat(2_000_000)));
    const out = await pool.parse(lines);
    expect(messages(out).slice(0, 100)).toEqual(
      lines.slice(0, 100).map((_, i) => `n${i} T-# password=[REDACTED]`),
    );
    const big = out[100] as LogEvent;
    expect(big.vigie?.truncated).toBe(true);
    expect(Buffer.byteLength(JSON.stringify(big))).toBeLessThanOrEqual(900 * 1024);
    const total = (rule: string) => counts.filter(([r]) => r === rule).reduce((sum, [, n]) => sum + n, 0);
    expect(total('ticket')).toBe(100);
    expect(total('secret_pair') + total('secret_field')).toBeGreaterThan(0);
  });

  it('cuts a line that overruns its budget short, replaces the worker and keeps the event loop free', async () => {
    let replaced = 0;
    pool = new ParsePool({
      config: { redaction: { defaults: true, rules: [] }, parserModule: slowParser },
      budgetMs: 50,
      size: 2,
      minChunk: 4,
      onReplace: () => replaced++,
    });
    await pool.start();
    const lines = ['a', 'b', 'c', 'SLOW d', 'e', 'f', 'g', 'h'].map((t) => line(`{"msg":"${t}"}`));
    let ticks = 0;
    let longestGap = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      longestGap = Math.max(longestGap, now - last);
      last = now;
      ticks++;
    }, 5);
    const started = performance.now();
    const out = await pool.parse(lines);
    const took = performance.now() - started;
    clearInterval(timer);

    expect(messages(out)).toEqual(['a', 'b', 'c', 'stuck:{"msg":"SLOW d"}', 'e', 'f', 'g', 'h']);
    const stuck = out[3] as StuckLine;
    expect(stuck.cause).toBe('over_budget');
    expect(stuck.reason).toBe('parse exceeded its 50 ms time budget');
    // Well under the 5 s the line would take: the budget, a watchdog period, a re-parse.
    expect(took).toBeLessThan(1000);
    expect(ticks).toBeGreaterThan(5);
    expect(longestGap).toBeLessThan(500);
    expect(replaced).toBe(1);
    // The fresh worker parses on.
    expect(messages(await pool.parse([line('{"msg":"after"}')]))).toEqual(['after']);
  });

  // CPU time is read from /proc: Linux, where Vigie's tests run.
  it('does not cut short a line whose thread waits past the budget without using the CPU', async () => {
    let replaced = 0;
    pool = new ParsePool({
      config: { redaction: { defaults: true, rules: [] }, parserModule: slowParser },
      budgetMs: 50,
      size: 1,
      onReplace: () => replaced++,
    });
    const out = await pool.parse(['a', 'NAP b', 'c', 'SLOW d'].map((t) => line(`{"msg":"${t}"}`)));
    expect(messages(out)).toEqual(['a', 'NAP b', 'c', 'stuck:{"msg":"SLOW d"}']);
    expect(replaced).toBe(1);
  });

  it('dead-letters a line that crashes its worker and parses the rest', async () => {
    let replaced = 0;
    pool = new ParsePool({
      config: { redaction: { defaults: true, rules: [] }, parserModule: slowParser },
      budgetMs: 50,
      size: 1,
      onReplace: () => replaced++,
    });
    const out = await pool.parse(['a', 'CRASH b', 'c'].map((t) => line(`{"msg":"${t}"}`)));
    expect(messages(out)).toEqual(['a', 'stuck:{"msg":"CRASH b"}', 'c']);
    expect((out[1] as StuckLine).cause).toBe('crash');
    expect((out[1] as StuckLine).reason).toMatch(/parser crashed/);
    expect(replaced).toBe(1);
  });

  it('stops idempotently, also without start, and refuses lines once stopped', async () => {
    pool = new ParsePool({ config: { redaction: { defaults: true, rules: [] } }, budgetMs: 50, size: 1 });
    await pool.stop();
    await pool.stop();
    await expect(pool.parse([line('{"msg":"late"}')])).rejects.toThrow(/stopped/);
  });

  it('fails to start when the workers cannot load', async () => {
    pool = new ParsePool({
      config: { redaction: { defaults: true, rules: [] }, parserModule: 'file:///nowhere/parser.js' },
      budgetMs: 50,
      size: 1,
    });
    await expect(pool.start()).rejects.toThrow();
  });
});
