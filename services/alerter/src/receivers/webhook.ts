import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Notification, NotificationEvidence, ReceiverConfig } from '@vigie/common';
import { boundedDigest, boundedLabels, displayUrlOf, EVIDENCE_LIMITS, truncate } from './text.js';
import type { BuildContext, HttpRequestSpec, Receiver } from './types.js';
import { interpretAnswer } from './verdict.js';

// Generic webhook: the notification as JSON, not escaped (the receiving code decides how to
// render it, and must treat its text as untrusted log content) but cut to bounded sizes, signed so the receiver
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

const TEXT_MAX = 4000;
const FIELD_MAX = 1000;

/**
 * The notification with every list and string cut to a documented size (the evidence
 * builder already keeps them small; this bounds what a receiver must be ready for).
 */
export function boundedNotification(n: Notification): Notification {
  const cut = (text: string) => truncate(text, FIELD_MAX);
  const out: Notification = {
    ...n,
    title: cut(n.title),
    service: cut(n.service),
    summary: truncate(n.summary, TEXT_MAX),
    link: truncate(n.link, TEXT_MAX),
    labels: boundedLabels(n.labels),
    evidence: n.evidence.slice(0, EVIDENCE_LIMITS.evidence).map((e) => {
      const evidence: NotificationEvidence = {
        ...e,
        dimension: {
          ...(e.dimension.field !== undefined ? { field: cut(e.dimension.field) } : {}),
          ...(e.dimension.value !== undefined ? { value: cut(e.dimension.value) } : {}),
        },
        unit: truncate(e.unit, 100),
        explanation: cut(e.explanation),
        contributors: e.contributors
          .slice(0, EVIDENCE_LIMITS.contributors)
          .map((c) => ({ ...c, field: cut(c.field), value: cut(c.value) })),
        sampleLines: e.sampleLines.slice(0, EVIDENCE_LIMITS.sampleLines).map(cut),
        link: truncate(e.link, TEXT_MAX),
      };
      if (e.template !== undefined) evidence.template = cut(e.template);
      return evidence;
    }),
  };
  if (n.environment !== undefined) out.environment = cut(n.environment);
  if (n.digest !== undefined)
    out.digest = boundedDigest(n).map((d) => ({ ...d, link: truncate(d.link, TEXT_MAX) }));
  return out;
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
      const payload: WebhookPayload = {
        version: 1,
        id,
        receiver: config.name,
        notification: boundedNotification(notification),
      };
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
