import { describe, expect, it } from 'vitest';
import { INGESTED, parse } from './helpers.js';

describe('JSON loggers', () => {
  it('pino: numeric level, epoch ms, hostname, pid, err, other fields to attributes', () => {
    const event = parse(
      '{"level":50,"time":1795867200000,"pid":7,"hostname":"api-1","name":"orders","msg":"failed","err":{"type":"TypeError","message":"x is undefined","stack":"TypeError: x is undefined\\n    at f (a.js:1:1)"},"reqId":"r1"}',
    );
    expect(event).toEqual({
      '@timestamp': '2026-11-28T12:00:00.000Z',
      message: 'failed',
      service: { name: 'unknown_service' },
      host: { name: 'api-1' },
      process: { pid: 7 },
      log: { level: 'error', logger: 'orders' },
      error: {
        type: 'TypeError',
        message: 'x is undefined',
        stack_trace: 'TypeError: x is undefined\n    at f (a.js:1:1)',
      },
      attributes: { reqId: 'r1' },
      event: { ingested: INGESTED },
      vigie: { source: 'test' },
    });
  });

  it('bunyan: ISO time, level 40, err with name and extra fields', () => {
    const event = parse(
      '{"name":"billing","hostname":"b-1","pid":3,"level":40,"msg":"retry","time":"2026-11-28T12:00:01.500Z","v":0,"err":{"name":"Error","message":"timeout","code":"ETIMEDOUT"}}',
    );
    expect(event).toMatchObject({
      '@timestamp': '2026-11-28T12:00:01.500Z',
      log: { level: 'warn', logger: 'billing' },
      host: { name: 'b-1' },
      error: { type: 'Error', message: 'timeout' },
      attributes: { v: 0, err: { code: 'ETIMEDOUT' } },
    });
  });

  it('winston: level, message, timestamp with an offset, stack', () => {
    const event = parse(
      '{"level":"error","message":"charge failed","timestamp":"2026-11-28 13:00:00 +01:00","stack":"Error: charge failed\\n    at x"}',
    );
    expect(event).toMatchObject({
      '@timestamp': '2026-11-28T12:00:00.000Z',
      message: 'charge failed',
      log: { level: 'error' },
      error: { stack_trace: 'Error: charge failed\n    at x', type: 'Error', message: 'charge failed' },
    });
  });

  it('zap: float seconds, logger, error text, stacktrace, dpanic', () => {
    const event = parse(
      '{"level":"dpanic","ts":1795867200.25,"logger":"grpc","caller":"s.go:1","msg":"closed","error":"EOF","stacktrace":"main.f\\n\\t/s.go:1"}',
    );
    expect(event).toMatchObject({
      '@timestamp': '2026-11-28T12:00:00.250Z',
      message: 'closed',
      log: { level: 'error', logger: 'grpc' },
      error: { message: 'EOF', stack_trace: 'main.f\n\t/s.go:1' },
      attributes: { caller: 's.go:1' },
    });
  });

  it('logrus: warning level, time with an offset, error text', () => {
    const event = parse(
      '{"level":"warning","msg":"slow","time":"2026-11-28T13:00:00+01:00","error":"ctx deadline"}',
    );
    expect(event).toMatchObject({
      '@timestamp': '2026-11-28T12:00:00.000Z',
      message: 'slow',
      log: { level: 'warn' },
      error: { message: 'ctx deadline' },
    });
  });

  it('structlog: event is the message, exception text is the stack trace', () => {
    const event = parse(
      '{"event":"payment failed","level":"error","logger":"pay","timestamp":"2026-11-28T12:00:00Z","exception":"Traceback (most recent call last):\\n  File \\"p.py\\", line 1\\nValueError: declined"}',
    );
    expect(event).toMatchObject({
      message: 'payment failed',
      log: { level: 'error', logger: 'pay' },
      error: { type: 'ValueError', message: 'declined' },
    });
    expect(event.attributes).toBeUndefined();
  });

  it('log4j2 JsonLayout: instant, loggerName, thrown with its frames', () => {
    const event = parse(
      '{"instant":{"epochSecond":1795867200,"nanoOfSecond":5000000},"level":"ERROR","loggerName":"com.x.A","message":"failed","thread":"main","thrown":{"name":"java.io.IOException","message":"disk","extendedStackTrace":[{"class":"com.x.A","method":"run","file":"A.java","line":3}]}}',
    );
    expect(event).toMatchObject({
      '@timestamp': '2026-11-28T12:00:00.005Z',
      message: 'failed',
      log: { level: 'error', logger: 'com.x.A' },
      error: { type: 'java.io.IOException', message: 'disk', stack_trace: '\tat com.x.A.run(A.java:3)' },
      attributes: { thread: 'main' },
    });
  });

  it('ECS JSON with dotted keys passes through', () => {
    const event = parse(
      '{"@timestamp":"2026-11-28T12:00:00Z","log.level":"info","message":"ok","service.name":"shop","trace.id":"abc"}',
    );
    expect(event).toMatchObject({ service: { name: 'shop' }, log: { level: 'info' }, trace: { id: 'abc' } });
  });
});

describe('logfmt', () => {
  it('maps time, level and msg, and keeps the other pairs as text attributes', () => {
    expect(parse('time=2026-11-28T12:00:00Z level=error msg="db down" retries=3 pid=12 ok')).toEqual({
      '@timestamp': '2026-11-28T12:00:00.000Z',
      message: 'db down',
      service: { name: 'unknown_service' },
      log: { level: 'error' },
      process: { pid: 12 },
      attributes: { retries: '3', ok: true },
      event: { ingested: INGESTED },
      vigie: { source: 'test' },
    });
  });

  it('keeps the line as message when it has no msg, and refuses a line without pairs', () => {
    expect(parse('a=1 b=2').message).toBe('a=1 b=2');
    expect(parse('no pairs here', { format: 'logfmt' }).vigie?.parse_error).toBe('no key=value pair');
  });
});

describe('access logs', () => {
  const nginx =
    '203.0.113.7 - alice [28/Nov/2026:13:00:00 +0100] "GET /api/orders?page=2 HTTP/1.1" 200 1532 "https://ref.example/" "curl/8.5" 0.042 0.040';

  it('nginx combined with request and upstream times', () => {
    expect(parse(nginx, { format: 'nginx' })).toEqual({
      '@timestamp': '2026-11-28T12:00:00.000Z',
      message: nginx,
      service: { name: 'unknown_service' },
      source: { ip: '203.0.113.7' },
      user: { name: 'alice' },
      http: {
        request: { method: 'GET', referrer: 'https://ref.example/' },
        response: { status_code: 200, body: { bytes: 1532 } },
        version: '1.1',
      },
      url: { path: '/api/orders', query: 'page=2' },
      user_agent: { original: 'curl/8.5' },
      event: { dataset: 'nginx.access', duration: 42_000_000, ingested: INGESTED },
      attributes: { upstream_response_time: '0.040' },
      vigie: { source: 'test' },
    });
  });

  it('Apache combined with %D microseconds and - for zero bytes', () => {
    const event = parse(
      '192.0.2.4 - - [28/Nov/2026:06:59:58 -0500] "HEAD /health HTTP/1.0" 204 - "-" "probe" 1543',
      { format: 'apache' },
    );
    expect(event).toMatchObject({
      '@timestamp': '2026-11-28T11:59:58.000Z',
      http: { request: { method: 'HEAD' }, response: { status_code: 204 }, version: '1.0' },
      event: { dataset: 'apache.access', duration: 1_543_000 },
    });
    expect(event.http?.response?.body).toBeUndefined();
    expect(event.http?.request?.referrer).toBeUndefined();
  });

  it('detects access logs in auto mode, and tells Apache by its traits', () => {
    expect(parse(nginx).event?.dataset).toBe('nginx.access');
    expect(
      parse('1.2.3.4 - - [28/Nov/2026:12:00:00 +0000] "GET / HTTP/1.1" 304 - "-" "-"').event?.dataset,
    ).toBe('apache.access');
  });

  it('keeps a junk request line in attributes', () => {
    const event = parse('1.2.3.4 - - [28/Nov/2026:12:00:00 +0000] "\\x16\\x03\\x01" 400 0 "-" "-"', {
      format: 'nginx',
    });
    expect(event.http?.request?.method).toBeUndefined();
    expect(event.attributes).toEqual({ request: '\u0016\u0003\u0001' });
  });

  it('is a parse error when the format says access log and the line is not one', () => {
    expect(parse('hello', { format: 'apache' }).vigie?.parse_error).toBe('not a combined access log line');
  });
});

describe('container wrappers', () => {
  it('CRI: unwraps, parses the inner JSON, keeps its own time over the runtime one', () => {
    const event = parse(
      '2026-11-28T12:00:00.999999999Z stderr F {"level":"warn","msg":"hi","time":"2026-11-28T11:59:59Z"}',
    );
    expect(event).toMatchObject({
      '@timestamp': '2026-11-28T11:59:59.000Z',
      message: 'hi',
      log: { level: 'warn' },
      attributes: { container: { stream: 'stderr' } },
    });
  });

  it('CRI: uses the runtime time when the inner line has none, and flags partial lines', () => {
    const event = parse('2026-11-28T12:00:00.123456789Z stdout P ERROR part one', { format: 'cri' });
    expect(event).toMatchObject({
      '@timestamp': '2026-11-28T12:00:00.123Z',
      message: 'ERROR part one',
      log: { level: 'error' },
      attributes: { container: { stream: 'stdout', partial: true } },
    });
    expect(event.vigie?.timestamp_fallback).toBeUndefined();
  });

  it('docker json-file: unwraps the log field and drops its newline', () => {
    const event = parse('{"log":"INFO started\\n","stream":"stdout","time":"2026-11-28T12:00:00.5Z"}');
    expect(event).toMatchObject({
      '@timestamp': '2026-11-28T12:00:00.500Z',
      message: 'INFO started',
      log: { level: 'info' },
      attributes: { container: { stream: 'stdout' } },
    });
    expect(event.attributes?.container).not.toHaveProperty('partial');
  });

  it('does not unwrap twice', () => {
    const inner = '2026-11-28T12:00:00Z stdout F 2026-11-28T12:00:00Z stdout F x';
    expect(parse(inner).message).toBe('2026-11-28T12:00:00Z stdout F x');
  });
});

describe('plain text', () => {
  it('reads a leading timestamp and a level word', () => {
    expect(parse('2026-11-28 13:00:00,5 +01:00 WARN [main] low disk')).toEqual({
      '@timestamp': '2026-11-28T12:00:00.500Z',
      message: 'WARN [main] low disk',
      service: { name: 'unknown_service' },
      log: { level: 'warn' },
      event: { ingested: INGESTED },
      vigie: { source: 'test' },
    });
  });

  it('does not take a lower-case word in a sentence for a level', () => {
    expect(parse('2026-11-28T12:00:00Z the error budget is fine').log?.level).toBeUndefined();
  });

  it('splits a Java stack trace from its log line', () => {
    const event = parse(
      '2026-11-28T12:00:00Z ERROR request failed\njava.lang.IllegalStateException: locked\n\tat a.B.c(B.java:1)',
    );
    expect(event).toMatchObject({
      message: 'ERROR request failed',
      log: { level: 'error' },
      error: {
        type: 'java.lang.IllegalStateException',
        message: 'locked',
        stack_trace: 'java.lang.IllegalStateException: locked\n\tat a.B.c(B.java:1)',
      },
    });
  });

  it('keeps a multiline message that is not a stack trace whole', () => {
    expect(parse('INFO line one\nline two').message).toBe('INFO line one\nline two');
  });
});
