import { VigieError } from '@vigie/common';

/** Why a request to a receiver failed before an HTTP answer could be judged. */
export type DeliveryFailureReason =
  | 'invalid_url'
  | 'insecure_scheme'
  | 'blocked_address'
  | 'dns_failed'
  | 'connection_failed'
  | 'tls_failed'
  | 'timeout'
  | 'redirect_refused'
  | 'too_many_redirects'
  | 'response_failed';

const RETRIABLE: ReadonlySet<DeliveryFailureReason> = new Set([
  'dns_failed',
  'connection_failed',
  'tls_failed',
  'timeout',
  'response_failed',
]);

/**
 * A failed delivery request. The message names the receiver's host only: paths and
 * query strings of webhook URLs hold tokens, so the URL never appears in it.
 */
export class DeliveryError extends VigieError {
  readonly reason: DeliveryFailureReason;
  readonly host: string;

  constructor(reason: DeliveryFailureReason, host: string, detail?: string) {
    super(
      `VIGIE_ERR_DELIVERY_${reason.toUpperCase()}`,
      `Request to ${host || 'receiver'} failed: ${reason}${detail ? ` (${detail})` : ''}`,
      { retriable: RETRIABLE.has(reason) },
    );
    this.name = 'DeliveryError';
    this.reason = reason;
    this.host = host;
  }
}
