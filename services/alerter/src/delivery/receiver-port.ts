import type { Notification, ReceiverConfig } from '@vigie/common';

// What delivery needs from a receiver (src/receivers builds them). The shapes follow the
// alerter's shared design; the receivers' own types satisfy them structurally.

/** One HTTP request that carries a notification to a receiver. */
export interface HttpRequestSpec {
  url: string;
  method: 'POST';
  headers: Record<string, string>;
  body: string;
}

/** What a receiver's answer means for the outbox entry. */
export type DeliveryVerdict =
  | { kind: 'delivered' }
  /** 429 (with Retry-After as `afterMs`), 5xx, 408. */
  | { kind: 'retry'; afterMs?: number; reason: string }
  /** Other 4xx: sending it again will not help. */
  | { kind: 'rejected'; reason: string };

/** A configured receiver: turns notifications into requests and judges the answers. */
export interface DeliveryReceiver {
  readonly name: string;
  readonly type: ReceiverConfig['type'];
  /** `context.outboxId` is the generic webhook's Idempotency-Key. */
  build(notification: Notification, now: number, context?: { outboxId?: string }): HttpRequestSpec;
  /** `now` (epoch ms) reads a Retry-After given as an HTTP date. */
  interpret(status: number, headers: Record<string, string>, body: string, now?: number): DeliveryVerdict;
  /** The URL without secrets, for logs and the delivery log. */
  readonly displayUrl: string;
}
