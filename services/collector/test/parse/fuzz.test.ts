import { Value } from '@sinclair/typebox/value';
import { LogEventSchema } from '@vigie/common';
import { describe, expect, it } from 'vitest';
import type { LineFormat } from '../../src/model.js';
import { parseLine, parseObject } from '../../src/parse/index.js';
import { createRedactor } from '../../src/redact/index.js';
import { RECEIVED_AT } from './helpers.js';

// Lines assembled from pieces of every format, so that the generator reaches deep into
// each parser; a seeded generator keeps every run identical.
const PIECES = [
  '{',
  '}',
  '[',
  ']',
  '"',
  '\\',
  ':',
  ',',
  '=',
  ' ',
  '\t',
  '\n',
  '\r',
  '\u0000',
  '\uFEFF',
  '\uD800',
  '<13>',
  '<165>1 ',
  '- ',
  'Nov 28 12:00:00 ',
  '2026-11-28T12:00:00.123Z ',
  '2026-11-28T12:00:00Z stdout F ',
  '[28/Nov/2026:12:00:00 +0100] ',
  '"GET / HTTP/1.1" 200 5 ',
  '1.2.3.4 - - ',
  '"level":',
  '"msg":"x"',
  '"time":',
  '"log":"',
  '"stream":"stdout"',
  '"err":{"message":"e"}',
  '"vigie":',
  '"__proto__":',
  '"@timestamp":',
  '"http.response.status_code":',
  'level=error ',
  'msg="a b" ',
  '[id k="v"]',
  'ERROR ',
  'java.lang.IllegalStateException: x',
  '\tat a.B(C.java:1)',
  'Traceback (most recent call last):',
  '1795867200000',
  '-1',
  'true',
  'null',
  '1e309',
  'password=hunter2 ',
  '4111 1111 1111 1111',
  'Bearer abcdefgh1234',
];
const FORMATS: LineFormat[] = [
  'auto',
  'json',
  'logfmt',
  'nginx',
  'apache',
  'syslog',
  'cri',
  'docker',
  'text',
];

function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    // xorshift32: small, fast and good enough to pick pieces.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

describe('generated input', () => {
  const redact = createRedactor({ defaults: true, rules: [] });

  it('every line of every format gives a schema-valid event, also after redaction', () => {
    const random = generator(20261128);
    for (let i = 0; i < 5_000; i++) {
      const pieces = Math.floor(random() * 12) + 1;
      let text = '';
      for (let p = 0; p < pieces; p++) text += PIECES[Math.floor(random() * PIECES.length)];
      const format = FORMATS[i % FORMATS.length];
      const event = parseLine({
        text,
        receivedAt: RECEIVED_AT,
        origin: { source: 'fuzz', sequence: i },
        hints: { format },
      });
      redact(event);
      const error = Value.Errors(LogEventSchema, event).First();
      expect(error, `${format}: ${JSON.stringify(text)}`).toBeUndefined();
    }
  });

  it('every object built from the pieces gives a schema-valid event', () => {
    const random = generator(7);
    const values = [null, true, -1, 1e21, 'x', [], {}, [{}], { name: 1 }, '2026-11-28T12:00:00Z'];
    const keys = [
      'msg',
      'level',
      'time',
      'host',
      'service',
      'log',
      'error',
      'err',
      'labels',
      'vigie',
      'event',
      'a.b',
    ];
    for (let i = 0; i < 2_000; i++) {
      const object: Record<string, unknown> = {};
      for (let k = 0; k < 5; k++) {
        const key = keys[Math.floor(random() * keys.length)] as string;
        object[key] = values[Math.floor(random() * values.length)];
      }
      const event = parseObject(object, { origin: { source: 'fuzz' }, receivedAt: RECEIVED_AT });
      redact(event);
      expect(Value.Errors(LogEventSchema, event).First(), JSON.stringify(object)).toBeUndefined();
    }
  });
});
