import { describe, expect, it } from 'vitest';
// The catalogue is copied as data so that the query language needs no storage package;
// this test reads the real mapping to keep the copy honest.
import { LOG_PROPERTIES, type Mapping } from '../../../storage/src/elasticsearch/templates.js';
import { LOG_FIELD_TYPES, QueryFieldError, resolveField } from '../../src/index.js';

function flatten(properties: Record<string, Mapping>, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, mapping] of Object.entries(properties)) {
    const path = `${prefix}${name}`;
    if ('properties' in mapping && mapping.properties !== undefined && mapping.type === undefined) {
      Object.assign(out, flatten(mapping.properties as Record<string, Mapping>, `${path}.`));
    } else if ('index' in mapping && mapping.index === false) {
      out[path] = 'unindexed';
    } else {
      out[path] = String(mapping.type);
    }
  }
  return out;
}

const span = { start: 0, end: 1, line: 1, column: 1 };

describe('field catalogue', () => {
  it('matches the Elasticsearch mapping of log events', () => {
    expect(LOG_FIELD_TYPES).toEqual(flatten(LOG_PROPERTIES));
  });

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
