import type { LogEvent } from '@vigie/common';
import { createRegistry } from '@vigie/common';
import { describe, expect, it } from 'vitest';
import { createRedactor } from '../../src/redact/index.js';
import { passesLuhn } from '../../src/redact/luhn.js';

const event = (fields: Partial<LogEvent>): LogEvent => ({
  '@timestamp': '2026-11-28T12:00:00.000Z',
  message: '',
  service: { name: 'api' },
  ...fields,
});

const defaults = createRedactor({ defaults: true, rules: [] });

/** The message after redaction and the count the redactor returned. */
function redact(message: string): [string, number] {
  const e = event({ message });
  const count = defaults(e);
  return [e.message, count];
}

describe('Luhn check', () => {
  it('accepts valid card numbers and refuses one changed digit', () => {
    expect(passesLuhn('4111111111111111')).toBe(true);
    expect(passesLuhn('5500005555555559')).toBe(true);
    expect(passesLuhn('4111111111111112')).toBe(false);
    expect(passesLuhn('')).toBe(false);
    expect(passesLuhn('41111a1111111111')).toBe(false);
  });
});

describe('default redaction rules', () => {
  it('masks card numbers that pass the Luhn check, with spaces or dashes', () => {
    expect(redact('paid with 4111 1111 1111 1111 today')).toEqual(['paid with [REDACTED] today', 1]);
    expect(redact('card=4111-1111-1111-1111')).toEqual(['card=[REDACTED]', 1]);
    expect(redact('amex 378282246310005 ok')).toEqual(['amex [REDACTED] ok', 1]);
  });

  it('leaves digit runs that fail the Luhn check or have the wrong length', () => {
    expect(redact('order 4111111111111112 shipped')).toEqual(['order 4111111111111112 shipped', 0]);
    expect(redact('id 411111111111 and 41111111111111111111111')[1]).toBe(0);
  });

  it('masks bearer tokens and Authorization headers, keeping the scheme', () => {
    expect(redact('Authorization: Bearer abc.def-123_456')).toEqual(['Authorization: Bearer [REDACTED]', 1]);
    expect(redact('headers {"authorization": "Basic dXNlcjpwYXNz"}')).toEqual([
      'headers {"authorization": "Basic [REDACTED]"}',
      1,
    ]);
    expect(redact('calling with bearer 0123456789abcdef')).toEqual(['calling with bearer [REDACTED]', 1]);
  });

  it('masks JWTs', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJlX3ZhbHVl';
    expect(redact(`session ${jwt} expired`)).toEqual(['session [REDACTED] expired', 1]);
  });

  it('masks password=, secret=, api_key=, token= pairs and JSON text pairs', () => {
    expect(redact('login user=bob password=hunter2 ok')).toEqual([
      'login user=bob password=[REDACTED] ok',
      1,
    ]);
    expect(redact('GET /x?api_key=abc123&page=2')).toEqual(['GET /x?api_key=[REDACTED]&page=2', 1]);
    expect(redact('db_password: s3cr3t, apikey=XYZ')).toEqual([
      'db_password: [REDACTED], apikey=[REDACTED]',
      2,
    ]);
    expect(redact('body {"password": "a \\"quoted\\" one", "user": "bob"}')).toEqual([
      'body {"password": "[REDACTED]", "user": "bob"}',
      1,
    ]);
    expect(redact("passwd='x y' secret=abc token=t0k")).toEqual([
      "passwd='[REDACTED]' secret=[REDACTED] token=[REDACTED]",
      3,
    ]);
  });

  it('leaves words that only contain a secret key name', () => {
    expect(redact('tokens=5 passwords_reset=3 the password was changed')[1]).toBe(0);
  });

  it('masks AWS access key ids and labelled secret keys', () => {
    expect(redact('key AKIAIOSFODNN7EXAMPLE used')).toEqual(['key [REDACTED] used', 1]);
    expect(redact('aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY')).toEqual([
      'aws_secret_access_key=[REDACTED]',
      1,
    ]);
  });

  it('masks nothing in an ordinary line', () => {
    expect(redact('GET /api/orders/42 200 in 12 ms from 10.0.0.1')).toEqual([
      'GET /api/orders/42 200 in 12 ms from 10.0.0.1',
      0,
    ]);
  });

  it('is idempotent: a second pass finds nothing', () => {
    const e = event({ message: 'password=hunter2 Bearer abcdefgh12345678 4111111111111111' });
    expect(defaults(e)).toBe(3);
    const once = e.message;
    expect(defaults(e)).toBe(0);
    expect(e.message).toBe(once);
    expect(e.vigie?.redactions).toBe(3);
  });
});

describe('createRedactor', () => {
  it('covers error, event.original, url.query, labels and nested attributes, and counts in vigie.redactions', () => {
    const e = event({
      message: 'token=abc',
      error: { message: 'bad password=x', stack_trace: 'at f (Bearer abcdefgh12345678)' },
      event: { original: '{"secret":"s"}' },
      url: { query: 'a=1&token=zzz' },
      labels: { note: 'api_key=k', password: 'plain' },
      attributes: { req: { headers: { authorization: 'Bearer abcdefgh12345678' } }, list: ['password=p', 3] },
    });
    const count = defaults(e);
    expect(e).toMatchObject({
      message: 'token=[REDACTED]',
      error: { message: 'bad password=[REDACTED]', stack_trace: 'at f (Bearer [REDACTED])' },
      event: { original: '{"secret":"[REDACTED]"}' },
      url: { query: 'a=1&token=[REDACTED]' },
      labels: { note: 'api_key=[REDACTED]', password: '[REDACTED]' },
      attributes: {
        req: { headers: { authorization: 'Bearer [REDACTED]' } },
        list: ['password=[REDACTED]', 3],
      },
      vigie: { redactions: 9 },
    });
    expect(count).toBe(9);
  });

  it('does not set vigie.redactions when nothing was masked', () => {
    const e = event({ message: 'hello' });
    expect(defaults(e)).toBe(0);
    expect(e.vigie).toBeUndefined();
  });

  it('runs configured rules, alone when defaults are off', () => {
    const redactor = createRedactor({
      defaults: false,
      rules: [{ name: 'email', pattern: '[a-z]+@example\\.com', replacement: '<email>' }],
    });
    const e = event({ message: 'mail bob@example.com password=hunter2' });
    expect(redactor(e)).toBe(1);
    expect(e.message).toBe('mail <email> password=hunter2');
  });

  it('ignores empty matches of a configured pattern', () => {
    const redactor = createRedactor({
      defaults: false,
      rules: [{ name: 'x', pattern: 'x*', replacement: '#' }],
    });
    const e = event({ message: 'abxxc' });
    expect(redactor(e)).toBe(1);
    expect(e.message).toBe('ab#c');
  });

  it('refuses an invalid pattern with a ConfigError naming the rule', () => {
    expect(() =>
      createRedactor({ defaults: true, rules: [{ name: 'broken', pattern: '(', replacement: '' }] }),
    ).toThrow(/redaction rule broken/);
  });

  it('counts per rule in vigie_redactions_total, and two redactors share the counter', async () => {
    const registry = createRegistry();
    const first = createRedactor({ defaults: true, rules: [], registry });
    const second = createRedactor({ defaults: true, rules: [], registry });
    first(event({ message: 'password=a token=b 4111111111111111' }));
    second(event({ message: 'secret=c', labels: { api_key: 'k' } }));
    const metric = await registry.getSingleMetric('vigie_redactions_total')?.get();
    const byRule = Object.fromEntries((metric?.values ?? []).map((v) => [v.labels.rule, v.value]));
    expect(byRule).toEqual({ secret_pair: 3, credit_card: 1, secret_field: 1 });
  });
});

describe('redaction of hostile input', () => {
  it.each([
    ['digits and spaces', '4 '.repeat(512 * 1024)],
    ['secret keys without values', 'password'.repeat(128 * 1024)],
    ['unterminated quoted secrets', 'password="'.repeat(100 * 1024)],
    ['JWT prefixes', '-eyJ-J'.repeat(170 * 1024)],
    ['bearer words', 'Bearer '.repeat(150 * 1024)],
    ['authorization words', 'authorization: '.repeat(70 * 1024)],
    ['prefixed key parts', 'a_b_c_d_'.repeat(128 * 1024)],
  ])('a megabyte of %s is scanned in bounded time', (_name, message) => {
    const e = event({ message });
    const started = performance.now();
    defaults(e);
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});
