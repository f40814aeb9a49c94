import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigError, summarizeError } from './errors.js';
import type { Logger } from './logger.js';

/**
 * Calls `attempt` until it succeeds or `signal` aborts, logging each failure and pausing
 * `retryMs` in between: roles wait for Kafka and the storage this way, so the order in
 * which the pieces start does not matter. A `ConfigError` (such as refused credentials)
 * is thrown at once: waiting does not fix a configuration.
 */
export async function untilAvailable(
  what: string,
  attempt: () => Promise<void>,
  options: { signal: AbortSignal; logger: Logger; retryMs?: number },
): Promise<void> {
  const { signal, logger } = options;
  for (let tries = 1; !signal.aborted; tries++) {
    try {
      await attempt();
      return;
    } catch (err) {
      if (err instanceof ConfigError) throw err;
      logger.warn({ err: summarizeError(err), tries }, `Waiting for the ${what}.`);
      await sleep(options.retryMs ?? 2000, undefined, { signal }).catch(() => undefined);
    }
  }
}
