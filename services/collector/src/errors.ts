import { VigieError } from '@vigie/common';

/** The collector cannot take more input right now (Kafka away and spool full). */
export class BackpressureError extends VigieError {
  /** Seconds after which trying again makes sense (HTTP `Retry-After`). */
  readonly retryAfterSeconds: number;

  constructor(reason: string, retryAfterSeconds = 5) {
    super('VIGIE_ERR_BACKPRESSURE', `Vigie cannot take more input now: ${reason}`, {
      retriable: true,
      httpStatus: 503,
    });
    this.name = 'BackpressureError';
    this.retryAfterSeconds = retryAfterSeconds;
  }
}
