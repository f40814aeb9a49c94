import { createRegistry, type Registry } from '@vigie/common';
import { CapturingSink, testLogger } from '@vigie/testkit';
import type { FastifyInstance } from 'fastify';
import { afterEach } from 'vitest';
import { BackpressureError } from '../../../src/errors.js';
import type { RawLine } from '../../../src/model.js';
import { buildHttpApp } from '../../../src/sources/http/app.js';
import type { HttpSourceOptions } from '../../../src/sources/http/options.js';

/** Options of a loopback source on a free port, with a fresh registry. */
export function sourceOptions(overrides: Partial<HttpSourceOptions> = {}): HttpSourceOptions & {
  sink: CapturingSink<RawLine>;
  registry: Registry;
} {
  return {
    host: '127.0.0.1',
    port: 0,
    maxBodyBytes: 64 * 1024,
    defaultService: 'default-svc',
    sink: new CapturingSink<RawLine>(),
    logger: testLogger(),
    registry: createRegistry(),
    hostName: 'collector-1',
    ...overrides,
  } as HttpSourceOptions & { sink: CapturingSink<RawLine>; registry: Registry };
}

/** A built (not listening) app and its sink; close it after the test. */
export async function testApp(
  overrides: Partial<HttpSourceOptions> = {},
): Promise<{ app: FastifyInstance; sink: CapturingSink<RawLine>; registry: Registry }> {
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
