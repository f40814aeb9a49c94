import type { DeliveryVerdict } from './types.js';

// How every vendor's HTTP answer maps onto a verdict: the status decides retry or not,
// the body only improves the reason. Reasons end up in logs and in the delivery log, so
// they are short, single-line, and scrubbed of the receiver's secrets.

const MAX_REASON = 200;
/** A Retry-After longer than this is capped: the outbox's own max age decides beyond it. */
const MAX_RETRY_AFTER_MS = 60 * 60_000;

/** Header lookup that ignores case (fetch and node:http spell names differently). */
export function header(headers: Record<string, string>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === wanted) return value;
  return undefined;
}

/** Retry-After as delay-seconds or an HTTP date (RFC 9110 §10.2.3), in ms from `now`. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Math.min(Number(text) * 1000, MAX_RETRY_AFTER_MS);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.min(Math.max(0, at - now), MAX_RETRY_AFTER_MS);
}

/** One line, printable, without the given secrets, at most 200 characters. */
export function logSafe(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join('[redacted]');
  out = out.replace(/[\p{Cc}\u2028\u2029]+/gu, ' ').trim();
  return out.length > MAX_REASON ? `${out.slice(0, MAX_REASON - 1)}…` : out;
}

export interface InterpretOptions {
  /** Whether a 2xx answer really means delivered (Slack answers 200 "ok"). */
  accepted: (status: number, body: string) => boolean;
  /** The vendor's error text out of its error body. */
  describe?: (body: string) => string | undefined;
  /** Secrets that must never appear in a reason. */
  secrets: readonly string[];
  /** A 2xx that still means "try again" (Teams connectors answer 200 on throttling). */
  throttledIn2xx?: (body: string) => boolean;
}

/** The verdict for one answer, following the retry rules every vendor documents. */
export function interpretAnswer(
  status: number,
  headers: Record<string, string>,
  body: string,
  now: number,
  options: InterpretOptions,
): DeliveryVerdict {
  const detail = () => {
    const described = logSafe(safeDescribe(options.describe, body) ?? body, options.secrets);
    return described === '' ? `HTTP ${status}` : logSafe(`HTTP ${status}: ${described}`);
  };
  if (status >= 200 && status < 300) {
    if (options.throttledIn2xx?.(body)) return { kind: 'retry', reason: `throttled: ${detail()}` };
    if (options.accepted(status, body)) return { kind: 'delivered' };
    return { kind: 'rejected', reason: `unexpected answer: ${detail()}` };
  }
  if (status === 429 || status === 408 || status >= 500) {
    const afterMs = parseRetryAfter(header(headers, 'retry-after'), now);
    return afterMs === undefined
      ? { kind: 'retry', reason: detail() }
      : { kind: 'retry', afterMs, reason: detail() };
  }
  return { kind: 'rejected', reason: detail() };
}

function safeDescribe(describe: InterpretOptions['describe'], body: string): string | undefined {
  if (!describe) return undefined;
  try {
    return describe(body);
  } catch {
    return undefined;
  }
}

/** Parses a JSON body, or undefined when it is not JSON. */
export function jsonBody(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

/** Reads a string property of a parsed JSON object. */
export function stringField(value: unknown, key: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const field = (value as Record<string, unknown>)[key];
  return typeof field === 'string' ? field : undefined;
}
