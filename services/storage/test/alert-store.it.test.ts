import { ConflictError, UnavailableError } from '@vigie/common';
import {
  deletePrefix,
  describeAlertStoreContract,
  ENGINES,
  esRequest,
  sampleIncident,
  sampleOutboxEntry,
  uniqueName,
} from '@vigie/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { ElasticsearchAlertStore } from '../src/index.js';

const prefixes: string[] = [];
const stores: ElasticsearchAlertStore[] = [];

function newStore(url = ENGINES.elasticsearchUrl): ElasticsearchAlertStore {
  const indexPrefix = uniqueName('t');
  prefixes.push(indexPrefix);
  const store = new ElasticsearchAlertStore({ url, indexPrefix, requestTimeoutMs: 10_000 });
  stores.push(store);
  return store;
}

afterAll(async () => {
  for (const store of stores) await store.close();
  for (const prefix of prefixes) await deletePrefix(prefix);
});

describeAlertStoreContract('ElasticsearchAlertStore', async () => newStore());

describe('ElasticsearchAlertStore', () => {
  it('maps only what is filtered on: timelines, anomalies and notifications are stored, not indexed', async () => {
    const store = newStore();
    await store.setupAlerting();
    const prefix = prefixes.at(-1) as string;
    await store.saveIncident(sampleIncident(1));
    await store.enqueue([sampleOutboxEntry(1)]);
    const { json } = await esRequest('GET', `/${prefix}-incidents,${prefix}-outbox/_mapping`);
    type Properties = Record<string, { type?: string; enabled?: boolean; index?: boolean }>;
    const mapping = json as Record<string, { mappings: { dynamic: string; properties: Properties } }>;
    const incidents = mapping[`${prefix}-incidents`]?.mappings;
    expect(incidents?.dynamic).toBe('false');
    expect(incidents?.properties.timeline).toEqual({ type: 'object', enabled: false });
    expect(incidents?.properties.anomalies).toEqual({ type: 'object', enabled: false });
    expect(incidents?.properties.service?.type).toBe('keyword');
    expect(incidents?.properties.updatedAt?.type).toBe('date');
    expect(incidents?.properties.title?.index).toBe(false);
    const outbox = mapping[`${prefix}-outbox`]?.mappings;
    expect(outbox?.properties.notification).toEqual({ type: 'object', enabled: false });
    expect(outbox?.properties.nextAttemptAt?.type).toBe('date');
    // Log text in a timeline entry cannot add fields to the mapping.
    const count = JSON.stringify(mapping).split('"type"').length;
    await store.saveIncident({
      ...sampleIncident(2),
      timeline: [{ at: '2026-03-02T10:00:00.000Z', type: 'comment', text: '{"x": {"y": 1}}' }],
      labels: Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`label${i}`, 'v'])),
    });
    const after = await esRequest('GET', `/${prefix}-incidents,${prefix}-outbox/_mapping`);
    expect(JSON.stringify(after.json).split('"type"').length).toBe(count);
  });

  it('refuses a write based on a version another store instance replaced', async () => {
    const first = newStore();
    await first.setupAlerting();
    const prefix = prefixes.at(-1) as string;
    // A second process (another alerter, the API) on the same indices.
    const second = new ElasticsearchAlertStore({
      url: ENGINES.elasticsearchUrl,
      indexPrefix: prefix,
      requestTimeoutMs: 10_000,
    });
    stores.push(second);
    const created = await first.saveIncident(sampleIncident(5));
    const read = await second.getIncident(created.id);
    if (!read) throw new Error('expected the incident');
    await second.saveIncident({ ...read, status: 'acknowledged', acknowledgedBy: 'alice' });
    await expect(first.saveIncident({ ...created, status: 'resolved' })).rejects.toBeInstanceOf(
      ConflictError,
    );
    expect((await first.getIncident(created.id))?.status).toBe('acknowledged');
  });

  it('reports an unreachable cluster as unavailable, not as a conflict', async () => {
    const store = newStore('http://127.0.0.1:1');
    await expect(store.saveIncident(sampleIncident(1))).rejects.toBeInstanceOf(UnavailableError);
    await expect(store.claimDue(0, 'd', 1_000, 10)).rejects.toBeInstanceOf(UnavailableError);
    await expect(store.enqueue([sampleOutboxEntry(1)])).rejects.toBeInstanceOf(UnavailableError);
  });
});
