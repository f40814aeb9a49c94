import { describe, expect, it } from 'vitest';
import type { LogEvent } from '../../src/index.js';
import { parseQuery, QueryFieldError, toPredicate } from '../../src/index.js';
import { AGREEMENT_CASES, EVENTS } from './cases.js';

const matching = (query: string) => {
  const test = toPredicate(parseQuery(query));
  return Object.entries(EVENTS)
    .filter(([, event]) => test(event))
    .map(([id]) => id)
    .sort();
};

describe('toPredicate', () => {
  it.each(AGREEMENT_CASES)('%s', (query, ids) => {
    expect(matching(query)).toEqual(ids);
  });

  it('searches every default field given', () => {
    const test = toPredicate(parseQuery('reset'), { defaultFields: ['error.message'] });
    expect(Object.values(EVENTS).filter(test)).toEqual([EVENTS.c]);
  });

  it('keeps escaped wildcard characters and backslashes literal', () => {
    const event = (logger: string): LogEvent => ({
      '@timestamp': '2026-11-28T10:00:00.000Z',
      message: 'started',
      service: { name: 'app' },
      log: { logger },
    });
    const test = toPredicate(parseQuery('log.logger:app\\\\*\\?'));
    expect(test(event('app\\core?'))).toBe(true);
    expect(test(event('app\\corex'))).toBe(false);
    expect(test(event('app.core?'))).toBe(false);
  });

  it.each([
    ['http.response.status_code:5xx', /expects a number, not '5xx'/],
    ['message > b', /A range cannot apply to 'message' \(text\)/],
    ['source.ip:local*', /A wildcard cannot apply to 'source.ip' \(ip\)/],
    ['source.ip:localhost', /'localhost' is not an IP address/],
    ['source.ip:"::ffff:10.0.0.0/104"', /is not a CIDR block/],
    ['source.ip < 300.1.1.1', /'300.1.1.1' is not an IP address/],
    ['@timestamp >= now-1h', /'now-1h' is not an absolute date/],
    ['vigie.truncated:yes', /expects true or false/],
  ])('refuses %s before any event', (query, message) => {
    expect(() => toPredicate(parseQuery(query))).toThrow(QueryFieldError);
    expect(() => toPredicate(parseQuery(query))).toThrow(message);
  });
});
