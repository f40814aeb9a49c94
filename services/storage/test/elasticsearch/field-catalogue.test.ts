import { LOG_FIELD_TYPES } from '@vigie/common';
import { describe, expect, it } from 'vitest';
import { LOG_PROPERTIES, type Mapping } from '../../src/elasticsearch/templates.js';

// The query language keeps its field catalogue as data so that it needs no storage
// package; this test reads the real mapping to keep the copy honest.
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

describe('field catalogue', () => {
  it('matches the Elasticsearch mapping of log events', () => {
    expect(LOG_FIELD_TYPES).toEqual(flatten(LOG_PROPERTIES));
  });
});
