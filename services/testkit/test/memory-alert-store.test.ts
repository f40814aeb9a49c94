import { UnavailableError } from '@vigie/common';
import { describe, expect, it } from 'vitest';
import { describeAlertStoreContract, MemoryAlertStore, sampleIncident } from '../src/index.js';

// The test double must behave like the Elasticsearch store, or tests built on it prove nothing.
describeAlertStoreContract('MemoryAlertStore', async () => new MemoryAlertStore());

describe('MemoryAlertStore', () => {
  it('plays an outage: the next writes fail as unavailable, then it recovers', async () => {
    const store = new MemoryAlertStore({ unavailableWrites: 1 });
    await expect(store.saveIncident(sampleIncident(1))).rejects.toBeInstanceOf(UnavailableError);
    expect(await store.getIncident(sampleIncident(1).id)).toBeUndefined();
    expect((await store.saveIncident(sampleIncident(1))).version).toBe(1);
    expect(store.writeRequests).toBe(2);
  });

  it('hands out copies: changing what it returned changes nothing stored', async () => {
    const store = new MemoryAlertStore();
    const saved = await store.saveIncident(sampleIncident(1));
    saved.timeline.push({ at: saved.openedAt, type: 'comment', text: 'not saved' });
    expect((await store.getIncident(saved.id))?.timeline).toHaveLength(1);
  });
});
