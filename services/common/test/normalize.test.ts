import { describe, expect, it } from 'vitest';
import { expandDottedKeys, normalizeEvent, UNKNOWN_SERVICE } from '../src/index.js';

describe('normalizeEvent', () => {
  const nested = {
    '@timestamp': '2026-11-28T12:00:00.000Z',
    message: 'GET /api/cart 200',
    log: { level: 'info' },
    service: { name: 'checkout', environment: 'production' },
    http: { request: { method: 'GET' }, response: { status_code: 200 } },
    url: { path: '/api/cart' },
    event: { duration: 1500000 },
  };

  it('accepts the nested ECS form as it is', () => {
    const result = normalizeEvent(structuredClone(nested));
    expect(result).toEqual({ ok: true, event: nested });
  });

  it('accepts ecs-logging dotted keys and gives the same event as the nested form', () => {
    const dotted = {
      '@timestamp': '2026-11-28T12:00:00Z',
      message: 'GET /api/cart 200',
      'log.level': 'INFO',
      'service.name': 'checkout',
      'service.environment': 'production',
      'http.request.method': 'GET',
      'http.response.status_code': '200',
      'url.path': '/api/cart',
      'event.duration': 1500000,
    };
    expect(normalizeEvent(dotted)).toEqual({ ok: true, event: nested });
  });

  it('accepts a mix of nested objects and dotted keys', () => {
    const mixed = {
      '@timestamp': 1795867200000,
      message: 'x',
      service: { name: 'a' },
      'service.version': '2.0',
      log: { 'file.path': '/var/log/a.log' },
    };
    const result = normalizeEvent(mixed);
    expect(result.ok && result.event).toMatchObject({
      '@timestamp': new Date(1795867200000).toISOString(),
      service: { name: 'a', version: '2.0' },
      log: { file: { path: '/var/log/a.log' } },
    });
  });

  it('moves fields outside the schema under attributes, keeping their path', () => {
    const result = normalizeEvent({
      '@timestamp': '2026-11-28T12:00:00.000Z',
      message: 'm',
      'service.name': 'a',
      'custom.field': 42,
      'ecs.version': '1.6.0',
      log: { level: 'warn', origin: { function: 'handler' } },
    });
    expect(result.ok && result.event.attributes).toEqual({
      custom: { field: 42 },
      ecs: { version: '1.6.0' },
      log: { origin: { function: 'handler' } },
    });
    expect(result.ok && result.event.log).toEqual({ level: 'warn' });
  });

  it('normalises level names and numeric levels', () => {
    const level = (value: unknown) => {
      const result = normalizeEvent({
        '@timestamp': '2026-11-28T12:00:00Z',
        message: '',
        service: { name: 'a' },
        log: { level: value },
      });
      return result.ok ? result.event.log?.level : result.detail;
    };
    expect([level('WARNING'), level('Err'), level('critical'), level(50), level(30)]).toEqual([
      'warn',
      'error',
      'fatal',
      'error',
      'info',
    ]);
  });

  it('fills a missing timestamp from the bus record and a missing service with unknown_service', () => {
    const result = normalizeEvent({ message: 'hello' }, { defaultTimestamp: Date.UTC(2026, 0, 2) });
    expect(result).toEqual({
      ok: true,
      event: {
        '@timestamp': '2026-01-02T00:00:00.000Z',
        message: 'hello',
        service: { name: UNKNOWN_SERVICE },
      },
    });
  });

  it('turns label values into strings', () => {
    const result = normalizeEvent({
      '@timestamp': '2026-11-28T12:00:00Z',
      message: '',
      service: { name: 'a' },
      labels: { shard: 3, canary: true },
    });
    expect(result.ok && result.event.labels).toEqual({ shard: '3', canary: 'true' });
  });

  it('refuses what is not an object, with the reason', () => {
    expect(normalizeEvent('a line')).toMatchObject({ ok: false, reason: 'not_an_object' });
    expect(normalizeEvent([1, 2])).toMatchObject({ ok: false, reason: 'not_an_object' });
  });

  it('refuses an unreadable timestamp, naming it', () => {
    const result = normalizeEvent({ '@timestamp': 'yesterday-ish', message: 'x', service: { name: 'a' } });
    expect(result).toMatchObject({ ok: false, reason: 'invalid_timestamp' });
    expect(!result.ok && result.detail).toContain('@timestamp');
  });

  it('refuses a value of the wrong type, naming the field and the value', () => {
    const result = normalizeEvent({
      '@timestamp': '2026-11-28T12:00:00Z',
      message: 'x',
      'service.name': 'a',
      'http.response.status_code': 'teapot',
    });
    expect(result).toMatchObject({ ok: false, reason: 'schema_violation' });
    expect(!result.ok && result.detail).toMatch(/^http\.response\.status_code: .*"teapot"/);
  });

  it('keeps a scalar and an object sent under the same name', () => {
    expect(expandDottedKeys({ host: 'web-1', 'host.name': 'web-1.example' })).toEqual({
      host: { value: 'web-1', name: 'web-1.example' },
    });
  });
});

describe('normalizeEvent with scalars where ECS has objects', () => {
  it('reads "host": "web-1" as host.name and "error": "boom" as error.message', () => {
    const result = normalizeEvent({
      '@timestamp': '2026-11-28T12:00:00Z',
      message: 'x',
      service: 'api',
      host: 'web-1',
      error: 'boom',
      http: 'yes',
    });
    expect(result.ok && result.event).toMatchObject({
      service: { name: 'api' },
      host: { name: 'web-1' },
      error: { message: 'boom' },
      attributes: { http: 'yes' },
    });
  });
});

describe('normalizeEvent timestamps', () => {
  it('rewrites any readable date to ISO 8601 UTC', () => {
    const result = normalizeEvent({
      '@timestamp': 'Sat, 28 Nov 2026 13:00:00 +0100',
      message: '',
      service: { name: 'a' },
    });
    expect(result.ok && result.event['@timestamp']).toBe('2026-11-28T12:00:00.000Z');
  });
});

describe('normalizeEvent with the field names of common JSON loggers', () => {
  it('reads msg, level and time (or ts in epoch seconds) when the ECS fields are absent', () => {
    const result = normalizeEvent({
      ts: 1795864510.25,
      level: 'ERROR',
      msg: 'upstream connect error',
      service: 'gateway',
    });
    expect(result.ok && result.event).toEqual({
      '@timestamp': '2026-11-28T11:15:10.250Z',
      message: 'upstream connect error',
      log: { level: 'error' },
      service: { name: 'gateway' },
    });
  });

  it('leaves the alias alone when the ECS field is there', () => {
    const result = normalizeEvent({
      '@timestamp': '2026-11-28T12:00:00Z',
      message: 'm',
      msg: 'other',
      service: 'a',
    });
    expect(result.ok && result.event.message).toBe('m');
    expect(result.ok && result.event.attributes).toEqual({ msg: 'other' });
  });
});
