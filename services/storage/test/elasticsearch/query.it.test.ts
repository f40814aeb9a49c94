import { parseQuery, toPredicate } from '@vigie/common';
import { deletePrefix, esRequest, uniqueName } from '@vigie/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGREEMENT_CASES, EVENTS } from '../../../common/test/query/cases.js';
import { toElasticsearchQuery } from '../../src/elasticsearch/query.js';
import { LOG_PROPERTIES } from '../../src/elasticsearch/templates.js';

/**
 * The agreement table run on a real Elasticsearch index with the log mapping: the DSL
 * must select the same events as the in-memory predicate.
 */
const prefix = uniqueName('vigie-it-query');
const index = `${prefix}-logs`;

async function searchIds(query: string): Promise<string[]> {
  const { status, json } = await esRequest('POST', `/${index}/_search`, {
    query: toElasticsearchQuery(parseQuery(query)),
    size: 100,
    _source: false,
  });
  if (status !== 200) throw new Error(`search of ${query} answered ${status}: ${JSON.stringify(json)}`);
  const hits = (json as { hits: { hits: Array<{ _id: string }> } }).hits.hits;
  return hits.map((hit) => hit._id).sort();
}

describe('toElasticsearchQuery on Elasticsearch', () => {
  beforeAll(async () => {
    const created = await esRequest('PUT', `/${index}`, {
      settings: { 'index.number_of_shards': 1, 'index.number_of_replicas': 0 },
      mappings: { dynamic: false, properties: LOG_PROPERTIES },
    });
    expect(created.status).toBe(200);
    for (const [id, event] of Object.entries(EVENTS)) {
      const written = await esRequest('PUT', `/${index}/_doc/${id}`, event);
      expect(written.status).toBe(201);
    }
    await esRequest('POST', `/${index}/_refresh`);
  });

  afterAll(async () => {
    await deletePrefix(prefix);
  });

  it.each(AGREEMENT_CASES)('%s', async (query, ids) => {
    const test = toPredicate(parseQuery(query));
    const inMemory = Object.entries(EVENTS)
      .filter(([, event]) => test(event))
      .map(([id]) => id)
      .sort();
    expect(await searchIds(query)).toEqual(ids);
    expect(inMemory).toEqual(ids);
  });
});
