import { parseQuery, QueryFieldError } from '@vigie/common';
import { describe, expect, it } from 'vitest';
import { toElasticsearchQuery } from '../../src/elasticsearch/query.js';

const es = (query: string, options = {}) => toElasticsearchQuery(parseQuery(query), options);

describe('toElasticsearchQuery', () => {
  it.each<[string, unknown]>([
    ['', { match_all: {} }],
    ['log.level:error', { term: { 'log.level': { value: 'error' } } }],
    ['http.response.status_code:503', { term: { 'http.response.status_code': { value: 503 } } }],
    ['vigie.truncated:true', { term: { 'vigie.truncated': { value: true } } }],
    ['message:timeout', { match: { message: { query: 'timeout', operator: 'and' } } }],
    ['timeout', { match: { message: { query: 'timeout', operator: 'and' } } }],
    ['"connection reset"', { match_phrase: { message: { query: 'connection reset' } } }],
    ['error.message:"out of memory"', { match_phrase: { 'error.message': { query: 'out of memory' } } }],
    ['url.path:"/api/orders"', { term: { 'url.path': { value: '/api/orders' } } }],
    ['url.path:/api/orders/*', { wildcard: { 'url.path': { value: '/api/orders/*' } } }],
    ['url.path:a\\*b?', { wildcard: { 'url.path': { value: 'a\\*b?' } } }],
    ['time*', { wildcard: { message: { value: 'time*', case_insensitive: true } } }],
    ['source.ip:10.0.0.0/8', { term: { 'source.ip': { value: '10.0.0.0/8' } } }],
    ['http.response.status_code >= 500', { range: { 'http.response.status_code': { gte: 500 } } }],
    ['event.duration:{10 TO 20]', { range: { 'event.duration': { gt: 10, lte: 20 } } }],
    ['@timestamp < now-1h', { range: { '@timestamp': { lt: 'now-1h' } } }],
    ['trace.id:*', { exists: { field: 'trace.id' } }],
    ['tenant:acme', { term: { 'attributes.tenant': { value: 'acme' } } }],
    ['labels.team:payments', { term: { 'labels.team': { value: 'payments' } } }],
    ['labels.team:pay\\?*', { prefix: { 'labels.team': { value: 'pay?' } } }],
    ['log.level:(error OR fatal)', { terms: { 'log.level': ['error', 'fatal'] } }],
    [
      'log.level:error OR service.name:cart',
      {
        bool: {
          should: [
            { term: { 'log.level': { value: 'error' } } },
            { term: { 'service.name': { value: 'cart' } } },
          ],
          minimum_should_match: 1,
        },
      },
    ],
    [
      'service.name:checkout -log.level:debug',
      {
        bool: {
          filter: [{ term: { 'service.name': { value: 'checkout' } } }],
          must_not: [{ term: { 'log.level': { value: 'debug' } } }],
        },
      },
    ],
    ['NOT trace.id:*', { bool: { must_not: [{ exists: { field: 'trace.id' } }] } }],
    [
      'a AND (b OR NOT c)',
      {
        bool: {
          filter: [
            { match: { message: { query: 'a', operator: 'and' } } },
            {
              bool: {
                should: [
                  { match: { message: { query: 'b', operator: 'and' } } },
                  { bool: { must_not: [{ match: { message: { query: 'c', operator: 'and' } } }] } },
                ],
                minimum_should_match: 1,
              },
            },
          ],
        },
      },
    ],
  ])('%s', (query, expected) => {
    expect(es(query)).toEqual(expected);
  });

  it('searches free text in every default field', () => {
    expect(es('reset', { defaultFields: ['message', 'error.message'] })).toEqual({
      bool: {
        should: [
          { match: { message: { query: 'reset', operator: 'and' } } },
          { match: { 'error.message': { query: 'reset', operator: 'and' } } },
        ],
        minimum_should_match: 1,
      },
    });
  });

  it('never hands text to an Elasticsearch query parser', () => {
    const dsl = JSON.stringify(es('a:"b OR c" OR "d AND e" OR f\\:g OR h*'));
    expect(dsl).not.toMatch(/query_string|simple_query_string|"regexp"/);
    expect(dsl).toContain('"b OR c"');
  });

  it.each([
    [
      'http.response.status_code:5xx',
      0,
      /'http.response.status_code' expects a number, not '5xx', at column 1/,
    ],
    ['a OR message > b', 5, /A range cannot apply to 'message' \(text\) at column 6/],
    ['source.ip:10.*', 0, /A wildcard cannot apply to 'source.ip' \(ip\)/],
    ['source.ip:localhost', 0, /'localhost' is not an IP address for 'source.ip'/],
    ['source.ip:"::ffff:10.0.0.0/104"', 0, /is not a CIDR block/],
    ['source.ip:10.0.0.0/33', 0, /'10.0.0.0\/33' is not a CIDR block/],
    ['source.ip >= 10.1', 0, /'10.1' is not an IP address/],
    ['event.original:x', 0, /stored but not searchable/],
    [
      'labels.team:p*y',
      0,
      /Only a trailing '\*' wildcard \('p\*y' has another\) cannot apply to 'labels.team'/,
    ],
    ['tenant:a?c', 0, /Only a trailing '\*' wildcard/],
  ])('refuses %s at its position', (query, offset, message) => {
    expect(() => es(query)).toThrow(QueryFieldError);
    expect(() => es(query)).toThrow(message);
    expect(() => es(query)).toThrow(expect.objectContaining({ offset, code: 'VIGIE_ERR_QUERY_FIELD' }));
  });

  it('refuses unknown fields when asked to', () => {
    expect(() => es('tenant:acme', { unknownFields: 'reject' })).toThrow(/Unknown field 'tenant'/);
  });
});
