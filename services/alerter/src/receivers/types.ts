import type { Notification, ReceiverConfig } from '@vigie/common';

/** One HTTP request to a receiver, built without I/O; the delivery client sends it. */
export interface HttpRequestSpec {
  url: string;
  method: 'POST';
  headers: Record<string, string>;
  body: string;
}

/** What a receiver's answer means for the outbox entry. */
export type DeliveryVerdict =
  | { kind: 'delivered' }
  /** 429 (Retry-After honoured), 5xx, 408: try again later. */
  | { kind: 'retry'; afterMs?: number; reason: string }
  /** Any other 4xx: the request itself is wrong, retrying cannot help. */
  | { kind: 'rejected'; reason: string };

/** Extra inputs of `build` that are not part of the notification. */
export interface BuildContext {
  /**
   * Id of the outbox entry (`outboxId`), sent as the generic webhook's `Idempotency-Key`.
   * Without it the key is derived from the receiver and the notification, which is also
   * stable across retries of one outbox entry.
   */
  outboxId?: string;
}

/**
 * A configured destination of notifications. Pure: `build` turns a notification into the
 * vendor's request, `interpret` turns the vendor's answer into a verdict; sockets, retries
 * and SSRF checks belong to the delivery side.
 */
export interface Receiver {
  readonly name: string;
  readonly type: ReceiverConfig['type'];
  /** The request for one notification (Alertmanager's carries several alerts in one POST). */
  build(notification: Notification, now: number, context?: BuildContext): HttpRequestSpec;
  /** `now` (epoch ms) only matters for a Retry-After given as an HTTP date. */
  interpret(status: number, headers: Record<string, string>, body: string, now?: number): DeliveryVerdict;
  /** The URL without secrets (tokens in paths, keys, credentials), for logs and the delivery log. */
  readonly displayUrl: string;
}
