import { describe, expect, it } from 'vitest';
import { parseLine } from '../../src/parse/index.js';
import { RECEIVED_AT } from './helpers.js';

describe('source identity, position and hints', () => {
  const origin = {
    source: 'file',
    hostName: 'collector-1',
    filePath: '/var/log/app/app.log',
    offset: 4096,
    stream: 'inode:42',
    sequence: 17,
  };

  it('stamps host, file, offset, sequence, stream, source and ingestion time', () => {
    const event = parseLine({ text: 'INFO ok', receivedAt: RECEIVED_AT, origin, truncated: true });
    expect(event).toMatchObject({
      host: { name: 'collector-1' },
      log: { file: { path: '/var/log/app/app.log' }, offset: 4096, level: 'info' },
      event: { sequence: 17, ingested: '2026-11-28T12:30:00.000Z' },
      vigie: { source: 'file', stream: 'inode:42', truncated: true, timestamp_fallback: true },
    });
  });

  it('keeps the host the content names', () => {
    const event = parseLine({ text: '{"msg":"x","hostname":"web-9"}', receivedAt: RECEIVED_AT, origin });
    expect(event.host?.name).toBe('web-9');
  });

  it('applies service and environment hints only where the content names none', () => {
    const hints = { service: 'from-config', environment: 'staging', labels: { team: 'core', tier: 'web' } };
    const plain = parseLine({ text: 'hello', receivedAt: RECEIVED_AT, origin, hints });
    expect(plain.service).toEqual({ name: 'from-config', environment: 'staging' });
    expect(plain.labels).toEqual({ team: 'core', tier: 'web' });

    const named = parseLine({
      text: '{"msg":"x","service":{"name":"billing","environment":"prod"},"labels":{"tier":"api"}}',
      receivedAt: RECEIVED_AT,
      origin,
      hints,
    });
    expect(named.service).toEqual({ name: 'billing', environment: 'prod' });
    expect(named.labels).toEqual({ team: 'core', tier: 'api' });
  });

  it('leaves out position fields the source does not have, or that are not counts', () => {
    const event = parseLine({
      text: 'hello',
      receivedAt: RECEIVED_AT,
      origin: { source: 'stdin', sequence: -1, offset: 3 },
    });
    expect(event.event).toEqual({ ingested: '2026-11-28T12:30:00.000Z' });
    expect(event.log).toBeUndefined();
    expect(event.host).toBeUndefined();
    expect(event.vigie).toEqual({ source: 'stdin', timestamp_fallback: true });
  });

  it('stamps parse errors too', () => {
    const event = parseLine({ text: '{bad', receivedAt: RECEIVED_AT, origin, hints: { service: 'svc' } });
    expect(event).toMatchObject({
      host: { name: 'collector-1' },
      log: { file: { path: '/var/log/app/app.log' }, offset: 4096 },
      service: { name: 'svc' },
      vigie: { parse_error: 'invalid JSON', source: 'file' },
    });
  });

  it('the format hint overrides detection', () => {
    const json = '{"msg":"x"}';
    expect(
      parseLine({ text: json, receivedAt: RECEIVED_AT, origin, hints: { format: 'text' } }).message,
    ).toBe(json);
  });
});
