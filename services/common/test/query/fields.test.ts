import { describe, expect, it } from 'vitest';
import { QueryFieldError, resolveField } from '../../src/index.js';

const span = { start: 0, end: 1, line: 1, column: 1 };

describe('field catalogue', () => {
  it.each([
    ['service.name', { path: 'service.name', type: 'keyword' }],
    ['http.response.status_code', { path: 'http.response.status_code', type: 'integer' }],
    ['labels.team', { path: 'labels.team', type: 'flattened-key' }],
    ['attributes.k8s.pod', { path: 'attributes.k8s.pod', type: 'flattened-key' }],
    [
      'log.syslog.structured_data.origin.ip',
      { path: 'log.syslog.structured_data.origin.ip', type: 'flattened-key' },
    ],
    ['tenant', { path: 'attributes.tenant', type: 'flattened-key' }],
  ])('resolves %s', (name, expected) => {
    expect(resolveField(name, span)).toEqual(expected);
  });

  it.each([
    ['event.original', {}, /'event.original' is stored but not searchable/],
    [
      'http',
      {},
      /'http' is a group of fields, not a field; name one of its fields such as 'http.request.method'/,
    ],
    ['tenant', { unknownFields: 'reject' as const }, /Unknown field 'tenant' at column 1/],
  ])('refuses %s', (name, options, message) => {
    expect(() => resolveField(name, span, options)).toThrow(QueryFieldError);
    expect(() => resolveField(name, span, options)).toThrow(message);
  });
});
