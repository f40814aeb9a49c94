import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Notification, ReceiverConfig } from '@vigie/common';
import { displayUrlOf } from './text.js';
import type { BuildContext, HttpRequestSpec, Receiver } from './types.js';
import { interpretAnswer } from './verdict.js';

// Generic webhook: the notification as JSON, untouched (the receiving code decides how to
// render it, and must treat its text as untrusted log content), signed so the receiver
// can check it came from Vigie and is fresh:
//   X-Vigie-Timestamp: <unix seconds>
//   X-Vigie-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>
//   Idempotency-Key:   <outbox id>, the same on every retry of one notification
// README "Webhook signatures" documents the verification.

type WebhookConfig = Extract<ReceiverConfig, { type: 'webhook' }>;

/** The signature header value for a body sent at `timestamp` (unix seconds). */
export function webhookSignature(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * Checks a received webhook the way a receiver should: signature over the raw body in
 * constant time, timestamp within `toleranceSeconds` of `now` (replays are refused).
 */
export function verifyWebhookSignature(
  secret: string,
  headers: { timestamp: string | undefined; signature: string | undefined },
  rawBody: string,
  now: number,
  toleranceSeconds = 300,
): boolean {
  if (!headers.timestamp || !headers.signature || !/^\d+$/.test(headers.timestamp)) return false;
  const timestamp = Number(headers.timestamp);
  if (Math.abs(now / 1000 - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(webhookSignature(secret, timestamp, rawBody));
  const given = Buffer.from(headers.signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** The JSON document a webhook receives. */
export interface WebhookPayload {
  version: 1;
  /** Equals the Idempotency-Key header. */
  id: string;
  receiver: string;
  notification: Notification;
}

/** A generic signed-webhook receiver. */
export function webhookReceiver(config: WebhookConfig): Receiver {
  return {
    name: config.name,
    type: 'webhook',
    displayUrl: displayUrlOf(config.url, false),
    build(notification, now, context?: BuildContext): HttpRequestSpec {
      // Without the outbox id, a key from the stored notification is stable across retries too.
      const id =
        context?.outboxId ??
        `${config.name}|${createHash('sha256').update(JSON.stringify(notification)).digest('hex').slice(0, 32)}`;
      const payload: WebhookPayload = { version: 1, id, receiver: config.name, notification };
      const body = JSON.stringify(payload);
      const timestamp = Math.floor(now / 1000);
      return {
        url: config.url,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-vigie-timestamp': String(timestamp),
          'x-vigie-signature': webhookSignature(config.secret, timestamp, body),
          'idempotency-key': id,
        },
        body,
      };
    },
    interpret(status, headers, body, now = Date.now()) {
      return interpretAnswer(status, headers, body, now, {
        accepted: () => true,
        secrets: [config.secret, config.url],
      });
    },
  };
}
