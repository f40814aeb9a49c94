import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRegistry, type LogEvent } from '@vigie/common';
import { LiveDemoTraffic } from '@vigie/demo';
import { CapturingSink, metricValue, testLogger, until } from '@vigie/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { DemoSource, type DemoSourceOptions } from '../../../src/sources/demo/index.js';

const MINUTE = 60_000;
const START = Date.UTC(2026, 10, 28, 21, 0);
const time = (event: LogEvent): number => Date.parse(event['@timestamp']);

/** A clock the test moves by hand. */
class FakeClock {
  constructor(public time: number) {}
  readonly now = (): number => this.time;
}

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

function demoSource(sink: CapturingSink, clock: FakeClock, overrides: Partial<DemoSourceOptions> = {}) {
  const registry = createRegistry();
  const source = new DemoSource({
    sink,
    logger: testLogger(),
    registry,
    hostName: 'collector-1',
    now: clock.now,
    tickMs: 5,
    retryMs: 5,
    demo: { historyMs: 2 * MINUTE },
    ...overrides,
  });
  return { source, registry };
}

describe('DemoSource', () => {
  it('sends the history at start, then what the clock reaches, in order, as demo events', async () => {
    const clock = new FakeClock(START);
    const sink = new CapturingSink();
    const { source, registry } = demoSource(sink, clock);
    await source.start();
    await source.drained();
    const history = sink.events.length;
    expect(history).toBeGreaterThan(2 * 60 * 40);
    expect(sink.events.every((e) => time(e) >= START - 2 * MINUTE && time(e) < START)).toBe(true);

    clock.time += 10_000;
    await source.drained();
    await source.stop();
    const live = sink.events.slice(history);
    expect(live.length).toBeGreaterThan(10 * 40);
    expect(live.every((e) => time(e) >= START && time(e) < START + 10_000)).toBe(true);
    expect(new Set(sink.eventCalls.map((call) => call.source))).toEqual(new Set(['demo']));
    expect(sink.events.every((e) => e.labels?.demo === 'true')).toBe(true);
    // The same events a LiveDemoTraffic of the same start gives: nothing skipped, nothing twice.
    const expected = new LiveDemoTraffic({ startAt: START, historyMs: 2 * MINUTE }).take(START + 10_000);
    expect(sink.events.map((e) => e.message)).toEqual(expected.map((e) => e.message));
    expect(await metricValue(registry, 'vigie_collector_demo_events_total')).toBe(sink.events.length);
  });

  it('sends a refused batch again once the pipeline takes it, losing nothing', async () => {
    const clock = new FakeClock(START);
    const sink = new CapturingSink({ refuseFirst: 3 });
    const { source } = demoSource(sink, clock, { maxBatch: 500 });
    await source.start();
    await source.drained();
    await source.stop();
    expect(sink.refused).toBe(3);
    const expected = new LiveDemoTraffic({ startAt: START, historyMs: 2 * MINUTE }).take(START);
    expect(sink.events.map((e) => e.message)).toEqual(expected.map((e) => e.message));
  });

  it('after a restart, sends only the history it missed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vigie-demo-'));
    dirs.push(dir);
    const stateFile = join(dir, 'demo-state.json');
    const clock = new FakeClock(START);
    const first = new CapturingSink();
    const run1 = demoSource(first, clock, { stateFile });
    await run1.source.start();
    clock.time += 5000;
    await run1.source.drained();
    await run1.source.stop();
    const last = time(first.events.at(-1) as LogEvent);
    expect(JSON.parse(await readFile(stateFile, 'utf8'))).toEqual({ sentUpTo: last + 1 });

    clock.time += 30_000;
    const second = new CapturingSink();
    const run2 = demoSource(second, clock, { stateFile });
    await run2.source.start();
    await run2.source.drained();
    await run2.source.stop();
    expect(second.events.length).toBeGreaterThan(0);
    expect(Math.min(...second.events.map(time))).toBeGreaterThan(last);
    expect(Math.max(...second.events.map(time))).toBeLessThan(clock.time);
  });

  it('stops without start, and twice', async () => {
    const { source } = demoSource(new CapturingSink(), new FakeClock(START));
    await source.stop();
    await source.stop();
    await expect(source.start()).rejects.toThrow();
  });

  it('stops the demo, not the collector, when the pipeline fails for good', async () => {
    const sink = new CapturingSink({ failWith: new Error('broken') });
    const { source } = demoSource(sink, new FakeClock(START));
    await source.start();
    await until('the first attempt', () => sink.attempts > 0);
    await source.drained();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(sink.attempts).toBe(1);
    await source.stop();
  });
});
