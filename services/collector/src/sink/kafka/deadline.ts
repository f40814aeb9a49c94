import { UnavailableError } from '@vigie/common';

/**
 * An operation on Kafka did not settle in time. kafkajs cannot cancel a send, so
 * `operation` goes on and may still succeed: whoever sends the same records again must
 * first wait for it, or Kafka gets them twice.
 */
export class DeadlineError extends UnavailableError {
  constructor(
    what: string,
    readonly operation: Promise<void>,
  ) {
    super(`${what} (no answer in time)`);
    this.name = 'DeadlineError';
  }
}

/** `operation`, or a `DeadlineError` once `ms` passed. */
export function withDeadline(operation: Promise<void>, ms: number, what: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(what, operation)), ms);
  });
  // Its outcome is looked at later, if ever: keep an early rejection from going unhandled.
  operation.catch(() => undefined);
  return Promise.race([operation, late]).finally(() => clearTimeout(timer));
}

/** True when `operation` succeeded, false when it failed. */
export function succeeded(operation: Promise<void>): Promise<boolean> {
  return operation.then(
    () => true,
    () => false,
  );
}
