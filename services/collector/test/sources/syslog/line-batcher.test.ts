import { CapturingSink, testLogger, until } from '@vigie/testkit';
import { describe, expect, it } from 'vitest';
import type { RawLine } from '../../../src/model.js';
import { LineBatcher, type LineBatcherOptions } from '../../../src/sources/syslog/line-batcher.js';

const line = (text: string): RawLine => ({ text, origin: { source: 'test' }, receivedAt: 0 });

function batcher(sink: CapturingSink<RawLine>, options: Partial<LineBatcherOptions> = {}) {
  const events: string[] = [];
  const failed: RawLine[] = [];
  const instance = new LineBatcher({
    sink,
    source: 'test',
    logger: testLogger(),
    initialRetryDelayMs: 5,
    maxRetryDelayMs: 20,
    onPause: () => events.push('pause'),
    onResume: () => events.push('resume'),
    onFailure: (_err, lines) => failed.push(...lines),
    ...options,
  });
  return { batcher: instance, events, failed };
}

describe('LineBatcher', () => {
  it('sends a lone line after maxDelayMs and a full batch at once', async () => {
    const sink = new CapturingSink<RawLine>();
    const { batcher: lone } = batcher(sink, { maxLines: 3, maxDelayMs: 100 });
    lone.add(line('a'));
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(sink.lineCalls).toHaveLength(0);
    await until('the lone line', () => sink.lineCalls.length === 1);

    // With a delay that never ends, only a full batch can be sent.
    const { batcher: full } = batcher(sink, { maxLines: 3, maxDelayMs: 3_600_000 });
    full.add(line('b'));
    full.add(line('c'));
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(sink.lineCalls).toHaveLength(1);
    full.add(line('d'));
    await until('the full batch', () => sink.lineCalls.length === 2);
    expect(sink.lineCalls.map((call) => call.lines.map((l) => l.text))).toEqual([['a'], ['b', 'c', 'd']]);
  });

  it('bounds batches by text size as well as by line count, and pauses on either', async () => {
    const sink = new CapturingSink<RawLine>();
    sink.holdCalls();
    const { batcher: b, events } = batcher(sink, { maxLines: 100, maxBatchChars: 25, maxDelayMs: 1 });
    for (const text of ['x'.repeat(10), 'y'.repeat(10), 'z'.repeat(10), 'w'.repeat(40)]) b.add(line(text));
    await until('the first call', () => sink.attempts === 1);
    for (let i = 0; i < 5; i++) b.add(line('v'.repeat(10)));
    expect(events).toEqual(['pause']);
    sink.releaseCalls();
    await b.flush();
    expect(events).toEqual(['pause', 'resume']);
    expect(sink.lineCalls.map((call) => call.lines.map((l) => l.text.length))).toEqual([
      [10, 10],
      [10],
      [40],
      [10, 10],
      [10, 10],
      [10],
    ]);
  });

  it('retries refused batches in order, and hands batches that fail for good to onFailure', async () => {
    const sink = new CapturingSink<RawLine>({ refuseFirst: 3 });
    const { batcher: b, events } = batcher(sink, { maxLines: 2 });
    for (const text of ['1', '2', '3', '4', '5']) b.add(line(text));
    await b.flush();
    expect(sink.texts).toEqual(['1', '2', '3', '4', '5']);
    expect(sink.attempts).toBe(6);
    expect(events).toEqual(['pause', 'resume']);

    const failing = new CapturingSink<RawLine>({ failWith: new Error('bug') });
    const broken = batcher(failing, { maxLines: 2 });
    for (const text of ['1', '2', '3']) broken.batcher.add(line(text));
    await broken.batcher.flush();
    expect(broken.failed.map((l) => l.text)).toEqual(['1', '2', '3']);
    expect(failing.attempts).toBe(2);
  });

  it('stops retrying on abort and reports what was not accepted', async () => {
    const sink = new CapturingSink<RawLine>();
    sink.refuse();
    const { batcher: b } = batcher(sink, { maxLines: 2 });
    for (const text of ['1', '2', '3']) b.add(line(text));
    const flushed = b.flush();
    await until('a refusal', () => sink.refused > 0);
    expect(b.abort()).toBe(3);
    await flushed;
    b.add(line('ignored'));
    expect(b.pendingCount).toBe(0);
  });
});
