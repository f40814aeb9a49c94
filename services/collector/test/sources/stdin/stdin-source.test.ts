import { PassThrough } from 'node:stream';
import { createRegistry, type Registry } from '@vigie/common';
import { CapturingSink, metricValue, testLogger, until } from '@vigie/testkit';
import { describe, expect, it } from 'vitest';
import type { RawLine } from '../../../src/model.js';
import { LineSplitter, StdinSource, type StdinSourceOptions } from '../../../src/sources/stdin/index.js';

function stdinSource(
  sink: CapturingSink<RawLine>,
  overrides: Partial<StdinSourceOptions> = {},
): { source: StdinSource; input: PassThrough; registry: Registry } {
  // An explicit buffer size: Node 22 raised the default highWaterMark from 16 to 64 KiB,
  // and the backpressure test needs its 5,000 lines to fill the pipe on every version.
  const input = new PassThrough({ highWaterMark: 16 * 1024 });
  const registry = createRegistry();
  const source = new StdinSource({
    input,
    service: 'billing',
    maxLineBytes: 1024,
    sink,
    logger: testLogger(),
    registry,
    hostName: 'collector-1',
    batching: { maxDelayMs: 5, initialRetryDelayMs: 5, maxRetryDelayMs: 40 },
    ...overrides,
  });
  return { source, input, registry };
}

describe('StdinSource', () => {
  it('hands on every line with its origin and hints, and is done when the input ends', async () => {
    const sink = new CapturingSink<RawLine>();
    const { source, input, registry } = stdinSource(sink, { format: 'json' });
    await source.start();
    input.write('{"a":1}\r\n{"a":2}\n\n{"a"');
    input.write(':3}\n');
    input.end('last line without newline');
    await source.done();

    expect(sink.texts).toEqual(['{"a":1}', '{"a":2}', '{"a":3}', 'last line without newline']);
    expect(new Set(sink.lineCalls.map((call) => call.source))).toEqual(new Set(['stdin']));
    sink.lines.forEach((line, i) => {
      expect(line.origin).toEqual({
        source: 'stdin',
        hostName: 'collector-1',
        stream: `stdin:${process.pid}`,
        sequence: i,
      });
      expect(line.hints).toEqual({ service: 'billing', format: 'json' });
      expect(line.truncated).toBeUndefined();
    });
    expect(await metricValue(registry, 'vigie_collector_stdin_lines_total')).toBe(4);
  });

  it('batches lines instead of submitting them one by one', async () => {
    const sink = new CapturingSink<RawLine>();
    const { source, input } = stdinSource(sink);
    await source.start();
    input.end(Array.from({ length: 1200 }, (_, i) => `line ${i}\n`).join(''));
    await source.done();
    expect(sink.texts).toEqual(Array.from({ length: 1200 }, (_, i) => `line ${i}`));
    expect(sink.lineCalls.length).toBeLessThanOrEqual(4);
    expect(Math.max(...sink.lineCalls.map((call) => call.lines.length))).toBe(500);
  });

  it('cuts long lines, flags them, and reads on', async () => {
    const sink = new CapturingSink<RawLine>();
    const { source, input, registry } = stdinSource(sink);
    await source.start();
    for (let i = 0; i < 40; i++) input.write(Buffer.alloc(65536, 'L'));
    input.end('\nshort\n');
    await source.done();
    expect(sink.lines.map((line) => [line.text.length, line.truncated])).toEqual([
      [1024, true],
      [5, undefined],
    ]);
    expect(await metricValue(registry, 'vigie_collector_stdin_truncated_total')).toBe(1);
  });

  it('replaces invalid UTF-8 and decodes characters split across chunks', async () => {
    const sink = new CapturingSink<RawLine>();
    const { source, input } = stdinSource(sink);
    await source.start();
    const euro = Buffer.from('€uro\n');
    input.write(euro.subarray(0, 2));
    input.write(euro.subarray(2));
    input.end(Buffer.from([0x61, 0xff, 0x62, 0x0a]));
    await source.done();
    expect(sink.texts).toEqual(['€uro', 'a\uFFFDb']);
  });

  it('pauses the input while the sink refuses, then delivers every line in order', async () => {
    const sink = new CapturingSink<RawLine>();
    sink.refuse();
    const { source, input, registry } = stdinSource(sink);
    await source.start();
    const total = 5000;
    let written = 0;
    // Like a producer piping into the collector: it writes until the pipe is full.
    while (written < total && input.write(`line ${written++}\n`));
    await until('a refusal', () => sink.refused > 0);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(input.isPaused()).toBe(true);
    expect(input.writableNeedDrain).toBe(true);
    expect(await metricValue(registry, 'vigie_collector_stdin_backpressure_pauses_total')).toBeGreaterThan(0);

    sink.accept();
    while (written < total) {
      if (!input.write(`line ${written++}\n`)) await new Promise((resolve) => input.once('drain', resolve));
    }
    input.end();
    await source.done();
    expect(sink.texts).toEqual(Array.from({ length: total }, (_, i) => `line ${i}`));
    expect(sink.lines.map((line) => line.origin.sequence)).toEqual(
      Array.from({ length: total }, (_, i) => i),
    );
  });

  it('is not done before its lines are accepted', async () => {
    const sink = new CapturingSink<RawLine>();
    sink.holdCalls();
    const { source, input } = stdinSource(sink);
    await source.start();
    input.end('held\n');
    let done = false;
    void source.done().then(() => {
      done = true;
    });
    await until('the call', () => sink.attempts === 1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(done).toBe(false);
    sink.releaseCalls();
    await source.done();
    expect(sink.texts).toEqual(['held']);
  });

  it('fails done() when the sink fails for good or the input fails', async () => {
    const failing = new CapturingSink<RawLine>({ failWith: new Error('parser bug') });
    const first = stdinSource(failing);
    await first.source.start();
    first.input.write('one\n');
    await expect(first.source.done()).rejects.toThrow('parser bug');
    expect(await metricValue(first.registry, 'vigie_discarded_events_total', { reason: 'sink_error' })).toBe(
      1,
    );

    const sink = new CapturingSink<RawLine>();
    const second = stdinSource(sink);
    await second.source.start();
    second.input.write('read before the failure\nand a partial line');
    await until(
      'the chunk read',
      async () => (await metricValue(second.registry, 'vigie_collector_stdin_bytes_total')) > 0,
    );
    second.input.destroy(new Error('EIO'));
    await expect(second.source.done()).rejects.toThrow('EIO');
    // Later errors of the input are no concern of the source, and must not crash the process.
    second.input.emit('error', new Error('EPIPE'));
    expect(sink.texts).toEqual(['read before the failure', 'and a partial line']);
  });

  it('stops idempotently, also without start, handing on what it read', async () => {
    const idle = stdinSource(new CapturingSink<RawLine>()).source;
    await idle.stop();
    await idle.stop();
    await idle.done();

    const sink = new CapturingSink<RawLine>();
    const { source, input } = stdinSource(sink, { batching: { maxDelayMs: 60_000 } });
    await source.start();
    input.write('one\ntwo without newline');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(sink.lines).toHaveLength(0);
    await source.stop();
    await source.stop();
    await source.done();
    expect(sink.texts).toEqual(['one', 'two without newline']);
    input.write('after stop\n');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(sink.texts).toHaveLength(2);
    await expect(source.start()).rejects.toThrow(/only be called once/);
  });

  it('gives up after stopTimeoutMs when the sink keeps refusing, and counts the loss', async () => {
    const sink = new CapturingSink<RawLine>();
    sink.refuse();
    const { source, input, registry } = stdinSource(sink, { stopTimeoutMs: 100 });
    await source.start();
    input.write('a\nb\n');
    await until('a refusal', () => sink.refused > 0);
    await source.stop();
    await source.done();
    expect(await metricValue(registry, 'vigie_discarded_events_total', { reason: 'shutdown' })).toBe(2);
  });
});

describe('LineSplitter', () => {
  it('keeps a line cut at the limit from ending in half a character', () => {
    const splitter = new LineSplitter(4);
    expect(splitter.push(Buffer.from('ab€\nabcd\r\n'))).toEqual([
      { text: 'ab', truncated: true },
      { text: 'abcd', truncated: false },
    ]);
    expect(splitter.push(Buffer.from('wxyz\r'))).toEqual([]);
    expect(splitter.push(Buffer.from('\nm\rd\r'))).toEqual([{ text: 'wxyz', truncated: false }]);
    expect(splitter.end()).toEqual([{ text: 'm\rd', truncated: false }]);
    expect(splitter.end()).toEqual([]);
  });
});
