import { describe, expect, it } from 'vitest';
import { createReceiver, parseRetryAfter } from '../../src/receivers/index.js';
import { OPSGENIE_KEY, ROUTING_KEY, receiverConfigs, SLACK_URL } from './configs.js';

// How each receiver reads its vendor's answers: the retry rules are common, success and
// error bodies are the vendor's own.

const NOW = Date.parse('2026-11-28T21:00:00.000Z');

function receiver(type: string) {
  const config = receiverConfigs().find((c) => c.type === type);
  if (!config) throw new Error(type);
  return createReceiver(config);
}

describe('parseRetryAfter', () => {
  it('reads delay-seconds and HTTP dates, ignores garbage', () => {
    expect(parseRetryAfter('30', NOW)).toBe(30_000);
    expect(parseRetryAfter('Sat, 28 Nov 2026 21:01:30 GMT', NOW)).toBe(90_000);
    expect(parseRetryAfter('Sat, 28 Nov 2026 20:00:00 GMT', NOW)).toBe(0);
    expect(parseRetryAfter('soon', NOW)).toBeUndefined();
    expect(parseRetryAfter(undefined, NOW)).toBeUndefined();
    expect(parseRetryAfter('999999', NOW)).toBe(60 * 60_000);
  });
});

describe('interpret', () => {
  it('accepts what each vendor documents as success', () => {
    expect(
      receiver('pagerduty').interpret(202, {}, '{"status":"success","message":"Event processed"}', NOW),
    ).toEqual({
      kind: 'delivered',
    });
    expect(receiver('slack').interpret(200, {}, 'ok', NOW)).toEqual({ kind: 'delivered' });
    expect(receiver('opsgenie').interpret(202, {}, '{"result":"Request will be processed"}', NOW)).toEqual({
      kind: 'delivered',
    });
    expect(receiver('alertmanager').interpret(200, {}, '', NOW)).toEqual({ kind: 'delivered' });
    expect(receiver('teams').interpret(200, {}, '1', NOW)).toEqual({ kind: 'delivered' });
    expect(receiver('teams').interpret(202, {}, '', NOW)).toEqual({ kind: 'delivered' });
    expect(receiver('webhook').interpret(204, {}, '', NOW)).toEqual({ kind: 'delivered' });
  });

  it('refuses a 2xx that is not the documented success', () => {
    expect(receiver('pagerduty').interpret(200, {}, '', NOW).kind).toBe('rejected');
    expect(receiver('slack').interpret(200, {}, 'invalid_blocks', NOW).kind).toBe('rejected');
  });

  it('retries 429 with Retry-After (seconds or date), 408 and 5xx', () => {
    for (const type of ['pagerduty', 'slack', 'opsgenie', 'alertmanager', 'teams', 'webhook']) {
      const r = receiver(type);
      expect(r.interpret(429, { 'Retry-After': '7' }, '', NOW)).toEqual({
        kind: 'retry',
        afterMs: 7000,
        reason: 'HTTP 429',
      });
      expect(r.interpret(429, { 'retry-after': 'Sat, 28 Nov 2026 21:00:05 GMT' }, '', NOW)).toMatchObject({
        kind: 'retry',
        afterMs: 5000,
      });
      expect(r.interpret(503, {}, 'busy', NOW)).toEqual({ kind: 'retry', reason: 'HTTP 503: busy' });
      expect(r.interpret(408, {}, '', NOW).kind).toBe('retry');
      expect(r.interpret(404, {}, 'gone', NOW)).toEqual({ kind: 'rejected', reason: 'HTTP 404: gone' });
    }
  });

  it('Teams connectors report throttling inside a 200', () => {
    const body =
      'Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 429';
    expect(receiver('teams').interpret(200, {}, body, NOW).kind).toBe('retry');
  });

  it('gives the vendor error in one safe line, never a secret', () => {
    const pd = receiver('pagerduty').interpret(
      400,
      {},
      JSON.stringify({
        status: 'invalid event',
        message: 'Event object is invalid',
        errors: [`Length of 'routing_key' ${ROUTING_KEY} is incorrect`],
      }),
      NOW,
    );
    expect(pd).toEqual({
      kind: 'rejected',
      reason:
        "HTTP 400: invalid event: Event object is invalid — Length of 'routing_key' [redacted] is incorrect",
    });
    const og = receiver('opsgenie').interpret(
      422,
      {},
      JSON.stringify({ message: 'Request body is not processable.', errors: { message: 'too long' } }),
      NOW,
    );
    expect(og).toEqual({
      kind: 'rejected',
      reason: 'HTTP 422: Request body is not processable. — message: too long',
    });
    const leaky = receiver('slack').interpret(400, {}, `bad\n${SLACK_URL}\r\n${'x'.repeat(500)}`, NOW);
    expect(leaky.kind).toBe('rejected');
    if (leaky.kind !== 'rejected') return;
    expect(leaky.reason).not.toContain('XXXXXXXX');
    expect(leaky.reason).not.toMatch(/[\r\n]/);
    expect(leaky.reason.length).toBeLessThanOrEqual(200);
    expect(receiver('opsgenie').interpret(401, {}, `GenieKey ${OPSGENIE_KEY}`, NOW)).toEqual({
      kind: 'rejected',
      reason: 'HTTP 401: GenieKey [redacted]',
    });
  });

  it('display URLs hide the tokens of webhook URLs and credentials', () => {
    expect(receiver('slack').displayUrl).toBe('https://hooks.slack.com/…');
    expect(receiver('teams').displayUrl).toBe('https://example.webhook.office.com/…');
    expect(receiver('webhook').displayUrl).toBe('https://hooks.example.com/vigie?…');
    expect(receiver('opsgenie').displayUrl).toBe('https://api.opsgenie.com/');
    expect(receiver('alertmanager').displayUrl).toBe('http://127.0.0.1:9093/api/v2/alerts');
  });
});
