import { randomBytes } from 'node:crypto';
import { createLogger, type Logger } from '@vigie/common';

/** Where the real engines of the integration tests listen (the local stack by default). */
export const ENGINES = {
  kafkaBrokers: (process.env.VIGIE_KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
  elasticsearchUrl: process.env.VIGIE_ELASTICSEARCH_URL ?? 'http://127.0.0.1:9200',
};

/** A name no other test uses: lower case, so it is a valid topic, group and index prefix. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/** A logger for tests: silent unless VIGIE_TEST_LOG_LEVEL asks otherwise. */
export function testLogger(): Logger {
  return createLogger({ level: process.env.VIGIE_TEST_LOG_LEVEL ?? 'silent', role: 'test' });
}

/** Polls `probe` until it returns a value accepted by `done`, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 60_000,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      last = await probe();
      if (done(last)) return last;
    } catch (err) {
      lastError = err;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  const error = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
  throw new Error(`Timed out waiting for ${what}; last value ${JSON.stringify(last)}${error}`);
}
