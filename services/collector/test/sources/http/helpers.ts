import { createRegistry, type LogEvent, type Registry } from '@vigie/common';
import { testLogger } from '@vigie/testkit';
import type { FastifyInstance } from 'fastify';
import { afterEach } from 'vitest';
import { BackpressureError } from '../../../src/errors.js';
import type { LineSink, RawLine } from '../../../src/model.js';
import { buildHttpApp } from '../../../src/sources/http/app.js';
import type { HttpSourceOptions } from '../../../src/sources/http/options.js';

/** A LineSink that keeps what it is given, or pushes back while `backpressure` is set. */
export class CapturingSink implements LineSink {
  readonly events: Array<{ source: string; event: LogEvent }> = [];
  readonly lines: Array<{ source: string; line: RawLine }> = [];
  backpressure: BackpressureError | undefined;

  async submitLines(source: string, lines: RawLine[]): Promise<void> {
    if (this.backpressure) throw this.backpressure;
    for (const line of lines) this.lines.push({ source, line });
  }

  async submitEvents(source: string, events: LogEvent[]): Promise<void> {
    if (this.backpressure) throw this.backpressure;
    for (const event of events) this.events.push({ source, event });
  }

  /** The events alone, in arrival order. */
  get eventList(): LogEvent[] {
    return this.events.map((e) => e.event);
  }
}

/** Options of a loopback source on a free port, with a fresh registry. */
export function sourceOptions(overrides: Partial<HttpSourceOptions> = {}): HttpSourceOptions & {
  sink: CapturingSink;
  registry: Registry;
} {
  return {
    host: '127.0.0.1',
    port: 0,
    maxBodyBytes: 64 * 1024,
    defaultService: 'default-svc',
    sink: new CapturingSink(),
    logger: testLogger(),
    registry: createRegistry(),
    hostName: 'collector-1',
    ...overrides,
  } as HttpSourceOptions & { sink: CapturingSink; registry: Registry };
}

/** A built (not listening) app and its sink; close it after the test. */
export async function testApp(
  overrides: Partial<HttpSourceOptions> = {},
): Promise<{ app: FastifyInstance; sink: CapturingSink; registry: Registry }> {
  const options = sourceOptions(overrides);
  const app = buildHttpApp(options);
  await app.ready();
  return { app, sink: options.sink, registry: options.registry };
}

export { metricValue } from '@vigie/testkit';

export { BackpressureError };

/**
 * `setup()` for a test file: builds an app with `testApp` and closes it after each test
 * (registers its own `afterEach`).
 */
export function appPerTest(): (overrides?: Partial<HttpSourceOptions>) => ReturnType<typeof testApp> {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });
  return async (overrides = {}) => {
    const built = await testApp(overrides);
    close = () => built.app.close();
    return built;
  };
}

/** An NDJSON body: strings as they are, anything else as JSON, one per line. */
export const ndjson = (...rows: unknown[]) =>
  `${rows.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n')}\n`;
