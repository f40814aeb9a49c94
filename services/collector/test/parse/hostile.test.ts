import { describe, expect, it } from 'vitest';
import { parseLine, parseObject } from '../../src/parse/index.js';
import { INGESTED, parse, RECEIVED_AT } from './helpers.js';

const RECEIVED_ISO = new Date(RECEIVED_AT).toISOString();

describe('input that cannot be parsed', () => {
  it('invalid JSON starting with { is a parse error kept whole, not text', () => {
    expect(parse('{"level":"info","msg":"cut her')).toEqual({
      '@timestamp': RECEIVED_ISO,
      message: '{"level":"info","msg":"cut her',
      service: { name: 'unknown_service' },
      event: { original: '{"level":"info","msg":"cut her', ingested: INGESTED },
      vigie: { parse_error: 'invalid JSON', timestamp_fallback: true, source: 'test' },
    });
  });

  it('a JSON array or scalar where an object is expected is a parse error', () => {
    expect(parse('[1,2]', { format: 'json' }).vigie?.parse_error).toBe('JSON value is not an object');
    expect(parse('42', { format: 'json' }).vigie?.parse_error).toBe('JSON value is not an object');
  });

  it('a line the configured format does not match is a parse error', () => {
    expect(parse('plain words', { format: 'syslog' }).vigie?.parse_error).toBe('not a syslog message');
    expect(parse('plain words', { format: 'cri' }).vigie?.parse_error).toBe('not a CRI line');
    expect(parse('{"a":1}', { format: 'docker' }).vigie?.parse_error).toBe('not a docker json-file line');
    expect(parse('   ').vigie?.parse_error).toBe('empty line');
  });
});

describe('hostile input never throws and stays a valid event', () => {
  it('strips a BOM and the line ending, keeps NUL bytes and inner line breaks in the message', () => {
    expect(parse('\uFEFF{"msg":"a\\u0000b","level":"info"}\r\n').message).toBe('a\u0000b');
    const injected = parse('INFO user logged in\r\n2026-11-28T12:00:00Z ERROR forged line');
    // The forged second line stays inside the first event: it never becomes an event of its own.
    expect(injected.message).toBe('INFO user logged in\n2026-11-28T12:00:00Z ERROR forged line');
    expect(injected.log?.level).toBe('info');
    expect(injected['@timestamp']).toBe(RECEIVED_ISO);
  });

  it('10,000 levels of nesting become a parse error with the raw text', () => {
    const deep = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`;
    const event = parse(deep);
    expect(event.vigie?.parse_error).toBe('JSON nested deeper than 16 levels');
    expect(event.message).toBe(deep);
    const deepArray = `{"a":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
    expect(parse(deepArray).vigie?.parse_error).toBe('JSON nested deeper than 16 levels');
  });

  it('keeps nesting up to the limit', () => {
    const nested = `{"msg":"ok","a":${'{"b":'.repeat(14)}1${'}'.repeat(14)}}`;
    const event = parse(nested);
    expect(event.vigie?.parse_error).toBeUndefined();
    expect(event.message).toBe('ok');
  });

  it('10,000 distinct keys go to attributes in reasonable time', () => {
    const fields = Array.from({ length: 10_000 }, (_, i) => `"k${i}":${i}`).join(',');
    const started = performance.now();
    const event = parse(`{"msg":"wide",${fields}}`);
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(Object.keys(event.attributes ?? {})).toHaveLength(10_000);
    expect(event.attributes?.k9999).toBe(9999);
  });

  it('fields of the wrong type move to attributes instead of losing the event', () => {
    const event = parse(
      '{"msg":"typed","http":{"response":{"status_code":"abc"}},"process":{"pid":-1},"log":{"level":{"x":1}},"host":{"name":["a"]}}',
    );
    expect(event.vigie?.parse_error).toBeUndefined();
    expect(event.message).toBe('typed');
    expect(event.attributes).toMatchObject({
      http: { response: { status_code: 'abc' } },
      process: { pid: -1 },
      log: { level: { x: 1 } },
      host: { name: ['a'] },
    });
  });

  it('content cannot set the collector flags or its position', () => {
    const event = parseLine({
      text: '{"msg":"x","vigie":{"redactions":0,"parse_error":"no"},"event.sequence":99,"log.file.path":"/etc/passwd"}',
      receivedAt: RECEIVED_AT,
      origin: { source: 'file', filePath: '/var/log/app.log', offset: 5, sequence: 1 },
    });
    expect(event.vigie).toEqual({ source: 'file', timestamp_fallback: true });
    expect(event.attributes?.vigie).toEqual({ redactions: 0, parse_error: 'no' });
    expect(event.event?.sequence).toBe(1);
    expect(event.log?.file?.path).toBe('/var/log/app.log');
  });

  it('a future or ancient timestamp falls back to reception and is kept in attributes', () => {
    const future = parse('{"msg":"x","time":"2027-01-01T00:00:00Z"}');
    expect(future['@timestamp']).toBe(RECEIVED_ISO);
    expect(future.vigie?.timestamp_fallback).toBe(true);
    expect(future.attributes?.original_timestamp).toBe('2027-01-01T00:00:00Z');
    expect(parse('{"msg":"x","ts":12}').vigie?.timestamp_fallback).toBe(true);
    const objectTime = parse('{"msg":"x","time":{"nested":true}}');
    expect(objectTime.attributes?.time).toEqual({ nested: true });
    expect(objectTime.vigie?.timestamp_fallback).toBe(true);
  });

  it('prototype keys are plain data', () => {
    const event = parse('{"msg":"p","__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(event.message).toBe('p');
    expect(parse('__proto__=1 a=2 msg=ok').message).toBe('ok');
  });

  it.each([
    ['<999>1 - - - - - -'],
    ['<13>1 2026-11-28T12:00:00Z h a p m [unterminated'],
    ['<13>1 2026-11-28T12:00:00Z h a p m [id k="v]'],
    ['<13>'],
    [`<13>Nov 28 12:00:00 ${'x'.repeat(100_000)}`],
    [`2026-11-28T12:00:00Z stdout F ${'{'.repeat(50_000)}`],
    [`1.2.3.4 - - [28/Nov/2026:12:00:00 +0000] "${'\\"'.repeat(50_000)}`],
    [`level=${'"'.repeat(100_001)}`],
    ['\u0000\u0000\u0000'],
    ['\uD800 lone surrogate'],
  ])('%# survives without throwing', (text) => {
    const event = parse(text);
    expect(typeof event.message).toBe('string');
  });

  // Quadratic matching of a megabyte takes minutes: a few seconds of slack keeps the test
  // steady on a loaded machine and still catches it.
  it('a megabyte line of each kind parses in bounded time', () => {
    const mb = 1024 * 1024;
    const lines = [
      `{"msg":"${'a'.repeat(mb)}"}`,
      `${'a='.repeat(mb / 2)}`,
      `1.2.3.4 - - [28/Nov/2026:12:00:00 +0000] "GET /${'x'.repeat(mb)}`,
      `<13>1 2026-11-28T12:00:00Z h a p m [i ${'k="v" '.repeat(mb / 6)}`,
      `2026-11-28 12:00:00 ERROR ${'at '.repeat(mb / 3)}\n${'\tat x\n'.repeat(1000)}`,
      `Authorization ${' '.repeat(mb)}`,
    ];
    for (const text of lines) {
      const started = performance.now();
      parse(text);
      expect(performance.now() - started).toBeLessThan(5_000);
    }
  });
});

describe('parseObject', () => {
  const context = { origin: { source: 'http', stream: 'req-1', sequence: 2 }, receivedAt: RECEIVED_AT };

  it('maps a logger object like a JSON line', () => {
    expect(parseObject({ level: 30, time: 1795867200000, msg: 'from http', pid: 9 }, context)).toEqual({
      '@timestamp': '2026-11-28T12:00:00.000Z',
      message: 'from http',
      service: { name: 'unknown_service' },
      log: { level: 'info' },
      process: { pid: 9 },
      event: { ingested: INGESTED, sequence: 2 },
      vigie: { source: 'http', stream: 'req-1' },
    });
  });

  it('refuses non-objects and deep objects as parse errors without throwing', () => {
    expect(parseObject('text', context).vigie?.parse_error).toBe('not a JSON object');
    expect(parseObject([1], context).vigie?.parse_error).toBe('not a JSON object');
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 10_000; i++) deep = { a: deep };
    const event = parseObject(deep, context);
    expect(event.vigie?.parse_error).toBe('nested deeper than 16 levels');
    const cyclic: Record<string, unknown> = { msg: 'loop' };
    cyclic.self = cyclic;
    expect(parseObject(cyclic, context).vigie?.parse_error).toBe('nested deeper than 16 levels');
  });
});
