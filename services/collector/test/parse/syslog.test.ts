import { describe, expect, it } from 'vitest';
import { parseSyslog } from '../../src/parse/index.js';
import { INGESTED, parse } from './helpers.js';

describe('parseSyslog', () => {
  it('reads an RFC 5424 message with structured data escapes and a BOM', () => {
    expect(
      parseSyslog(
        '<165>1 2026-11-28T12:00:00.003Z host.example app 1234 ID47 [a@1 k="x\\"y\\]z\\\\" n="\\q"][b@2] \uFEFFhello',
      ),
    ).toEqual({
      protocol: 'rfc5424',
      priority: 165,
      facility: 20,
      severity: 5,
      version: 1,
      timestamp: '2026-11-28T12:00:00.003Z',
      hostname: 'host.example',
      appName: 'app',
      procId: '1234',
      msgId: 'ID47',
      structuredData: { 'a@1': { k: 'x"y]z\\', n: '\\q' }, 'b@2': {} },
      message: 'hello',
    });
  });

  it('reads nil fields of RFC 5424 as absent', () => {
    expect(parseSyslog('<14>1 - - - - - - msg')).toEqual({
      protocol: 'rfc5424',
      priority: 14,
      facility: 1,
      severity: 6,
      version: 1,
      message: 'msg',
    });
  });

  it('reads RFC 3164 with and without PRI, hostname and pid', () => {
    expect(parseSyslog('<34>Oct 11 22:14:15 mymachine su[230]: failed')).toEqual({
      protocol: 'rfc3164',
      priority: 34,
      facility: 4,
      severity: 2,
      timestamp: 'Oct 11 22:14:15',
      hostname: 'mymachine',
      appName: 'su',
      procId: '230',
      message: 'failed',
    });
    expect(parseSyslog('Nov  3 08:00:00 cron[9]: run')).toMatchObject({
      appName: 'cron',
      procId: '9',
      message: 'run',
    });
    expect(parseSyslog('Nov  3 08:00:00 cron[9]: run')?.hostname).toBeUndefined();
    expect(parseSyslog('<13>no header at all')).toEqual({
      protocol: 'rfc3164',
      priority: 13,
      facility: 1,
      severity: 5,
      message: 'no header at all',
    });
  });

  it('refuses what is not syslog', () => {
    expect(parseSyslog('hello')).toBeUndefined();
    expect(parseSyslog('<192>Nov 28 12:00:00 h a: x')).toBeUndefined();
    expect(parseSyslog('<013>Nov 28 12:00:00 h a: x')).toBeUndefined();
  });
});

describe('syslog events', () => {
  it('maps an RFC 5424 message onto the schema, SD names kept with their dots', () => {
    expect(parse('<11>1 2026-11-28T13:00:00+01:00 api-3 orders 77 DB [m@1 a.b="1"] lost')).toEqual({
      '@timestamp': '2026-11-28T12:00:00.000Z',
      message: 'lost',
      service: { name: 'orders' },
      host: { name: 'api-3' },
      process: { name: 'orders', pid: 77 },
      log: {
        level: 'error',
        syslog: {
          priority: 11,
          facility: { code: 1, name: 'user' },
          severity: { code: 3, name: 'err' },
          hostname: 'api-3',
          appname: 'orders',
          procid: '77',
          msgid: 'DB',
          version: '1',
          structured_data: { 'm@1': { 'a.b': '1' } },
        },
      },
      event: { ingested: INGESTED },
      vigie: { source: 'test' },
    });
  });

  it('maps severities to levels and keeps a non-numeric procid out of process.pid', () => {
    const levels = [0, 1, 2, 3, 4, 5, 6, 7].map(
      (severity) => parse(`<${8 + severity}>1 - h a - - - x`).log?.level,
    );
    expect(levels).toEqual(['fatal', 'fatal', 'fatal', 'error', 'warn', 'info', 'info', 'debug']);
    expect(parse('<14>1 - h a worker-3 - - x').process).toEqual({ name: 'a' });
  });

  it('the source service wins over the app name', () => {
    expect(parse('<14>Nov 28 12:00:00 h sshd[1]: x', { service: 'ssh' }).service.name).toBe('ssh');
  });
});
