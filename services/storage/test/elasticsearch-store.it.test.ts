import type { StoredLog } from '@vigie/common';
import { UnavailableError } from '@vigie/common';
import {
  deletePrefix,
  describeDetectionStoreContract,
  describeLogSearchContract,
  describeLogStoreContract,
  ENGINES,
  esRequest,
  sampleEvent,
  testLogger,
  uniqueName,
} from '@vigie/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { ElasticsearchStore, logIndexName } from '../src/index.js';

const prefixes: string[] = [];

function newStore(overrides: { url?: string; totalFieldsLimit?: number } = {}) {
  const indexPrefix = uniqueName('t');
  prefixes.push(indexPrefix);
  return new ElasticsearchStore({
    url: overrides.url ?? ENGINES.elasticsearchUrl,
    indexPrefix,
    requestTimeoutMs: 10_000,
    totalFieldsLimit: overrides.totalFieldsLimit ?? 1000,
    logger: testLogger(),
  });
}

afterAll(async () => {
  for (const prefix of prefixes) await deletePrefix(prefix);
});

describeLogStoreContract('ElasticsearchStore', async () => newStore());
describeDetectionStoreContract('ElasticsearchStore', async () => newStore());
describeLogSearchContract('ElasticsearchStore', async () => newStore());

describe('ElasticsearchStore', () => {
  it('installs explicit mappings: text message, keyword ids, flattened attributes, bounded fields', async () => {
    const store = newStore();
    await store.setup();
    const prefix = prefixes.at(-1) as string;
    const { json } = await esRequest('GET', `/_index_template/${prefix}-logs`);
    interface Template {
      mappings: {
        properties: Record<string, { type?: string; properties?: Record<string, { type: string }> }>;
      };
      settings: { index: Record<string, unknown> };
    }
    const template = (json as { index_templates: { index_template: { template: Template } }[] })
      .index_templates[0]?.index_template.template as Template;
    expect(template.mappings.properties.message?.type).toBe('text');
    expect(template.mappings.properties.service?.properties?.name?.type).toBe('keyword');
    expect(template.mappings.properties.attributes?.type).toBe('flattened');
    expect(template.settings.index.mapping).toMatchObject({
      total_fields: { limit: '1000', ignore_dynamic_beyond_limit: 'true' },
    });
    await store.close();
  });

  it('refuses only the document with a field type conflict and stores the rest of the bulk', async () => {
    const store = newStore();
    await store.setup();
    const prefix = prefixes.at(-1) as string;
    const time = Date.parse(sampleEvent(0)['@timestamp']);
    // An index whose mapping says labels.team is an object, as an older template might have.
    const created = await esRequest('PUT', `/${logIndexName(prefix, time)}`, {
      mappings: {
        properties: { labels: { properties: { team: { properties: { id: { type: 'keyword' } } } } } },
      },
    });
    expect(created.status).toBe(200);
    const logs: StoredLog[] = [0, 1, 2].map((i) => ({
      id: `d${i}`,
      event: sampleEvent(i),
      partitionTime: time,
    }));
    (logs[1] as StoredLog).event.labels = { team: 'payments' };
    const outcomes = await store.writeLogs(logs);
    expect(outcomes[0]).toEqual({ status: 'ok' });
    expect(outcomes[2]).toEqual({ status: 'ok' });
    expect(outcomes[1]?.status).toBe('rejected');
    expect(outcomes[1]?.status === 'rejected' && outcomes[1].reason).toMatch(
      /parsing_exception.*labels\.team/,
    );
    await store.close();
  });

  it('maps no new field for thousands of distinct label and attribute keys, and keeps them searchable', async () => {
    const store = newStore();
    await store.setup();
    const prefix = prefixes.at(-1) as string;
    const time = Date.parse(sampleEvent(0)['@timestamp']);
    const index = logIndexName(prefix, time);
    const fieldCount = async () =>
      JSON.stringify((await esRequest('GET', `/${index}/_mapping`)).json).split('"type"').length;
    await store.writeLogs([{ id: 'first', event: sampleEvent(0), partitionTime: time }]);
    const before = await fieldCount();
    const logs: StoredLog[] = Array.from({ length: 200 }, (_, i) => {
      const labels = Object.fromEntries(Array.from({ length: 20 }, (_, k) => [`k${i}_${k}`, 'v']));
      return {
        id: `x${i}`,
        event: { ...sampleEvent(i), labels, attributes: { [`a${i}`]: { b: i } } },
        partitionTime: time,
      };
    });
    const outcomes = await store.writeLogs(logs);
    expect(outcomes.filter((o) => o.status !== 'ok')).toEqual([]);
    expect(await fieldCount()).toBe(before);
    await store.refresh();
    const hits = (
      await esRequest('POST', `/${prefix}-logs/_search`, { query: { term: { 'labels.k199_19': 'v' } } })
    ).json as {
      hits: { hits: { _id: string }[] };
    };
    expect(hits.hits.hits.map((h) => h._id)).toEqual(['x199']);
    const attr = (
      await esRequest('POST', `/${prefix}-logs/_count`, { query: { term: { 'attributes.a7.b': '7' } } })
    ).json as { count: number };
    expect(attr.count).toBe(1);
    await store.close();
  });

  it('reports an unreachable cluster as unavailable, for the whole request', async () => {
    const store = newStore({ url: 'http://127.0.0.1:1' });
    await expect(store.healthcheck()).rejects.toBeInstanceOf(UnavailableError);
    const log: StoredLog = { id: 'a', event: sampleEvent(0), partitionTime: 0 };
    await expect(store.writeLogs([log])).rejects.toBeInstanceOf(UnavailableError);
    await store.close();
  });
});
