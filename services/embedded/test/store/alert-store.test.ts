import { UnavailableError, VigieError } from '@vigie/common';
import {
  describeAlertStoreContract,
  sampleFeedback,
  sampleIncident,
  sampleOutboxEntry,
  sampleRule,
  sampleSilence,
} from '@vigie/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteAlertStore, SqliteStore } from '../../src/index.js';
import { removeTempStores, tempStore } from './temp-store.js';

const opened: SqliteStore[] = [];
afterAll(async () => {
  for (const store of opened.splice(0)) await store.close();
  removeTempStores();
});

/** An alert store on the database of a fresh `SqliteStore`, as the all-in-one mode builds it. */
function alertStore(): { logs: SqliteStore; alerts: SqliteAlertStore } {
  const logs = tempStore();
  opened.push(logs);
  return { logs, alerts: new SqliteAlertStore(logs.db) };
}

describeAlertStoreContract('SqliteAlertStore', async () => alertStore().alerts);

describe('SqliteAlertStore', () => {
  it('keeps incidents, outbox, silences, feedback and rules across a reopen of the file', async () => {
    const { logs, alerts } = alertStore();
    const saved = await alerts.saveIncident(sampleIncident(1));
    await alerts.enqueue([sampleOutboxEntry(1)]);
    await alerts.saveSilence(sampleSilence(1));
    await alerts.saveFeedback(sampleFeedback(1));
    await alerts.saveRule(sampleRule(1));
    const path = logs.db.name;
    await logs.close();

    const reopened = new SqliteStore({ path });
    opened.push(reopened);
    const again = new SqliteAlertStore(reopened.db);
    await again.setupAlerting();
    expect(await again.getIncident(saved.id)).toEqual(saved);
    // The version survives too: a writer holding the old one still loses.
    await expect(again.saveIncident({ ...saved, version: 0 })).rejects.toThrow(/changed by someone else/);
    expect((await again.getOutbox(sampleOutboxEntry(1).id))?.version).toBe(1);
    expect(await again.listSilences()).toEqual([sampleSilence(1)]);
    expect(await again.listFeedback()).toEqual([sampleFeedback(1)]);
    expect(await again.listRules()).toEqual([sampleRule(1)]);
  });

  it('leaves the shared connection open when it is closed itself', async () => {
    const { logs, alerts } = alertStore();
    await alerts.close();
    expect(await logs.countLogs()).toBe(0);
    expect(await alerts.listIncidents()).toEqual([]);
  });

  it('fails as unavailable once the database is closed', async () => {
    const { logs, alerts } = alertStore();
    await logs.close();
    await expect(alerts.listIncidents()).rejects.toBeInstanceOf(UnavailableError);
    await expect(alerts.enqueue([sampleOutboxEntry(1)])).rejects.toBeInstanceOf(UnavailableError);
  });

  it('refuses an incident whose time is not a date, as the caller’s error, not an outage', async () => {
    const { alerts } = alertStore();
    const error = await alerts.saveIncident(sampleIncident(1, { updatedAt: 'soon' })).catch((e) => e);
    expect(error).toBeInstanceOf(VigieError);
    expect(error).not.toBeInstanceOf(UnavailableError);
    expect(error.code).toBe('VIGIE_ERR_INVALID_TIME');
    expect(await alerts.getIncident(sampleIncident(1).id)).toBeUndefined();
  });

  it('takes filter values as data: quotes and SQL in them match nothing and break nothing', async () => {
    const { alerts } = alertStore();
    await alerts.saveIncident(sampleIncident(1, { service: "o'brien" }));
    await alerts.saveIncident(sampleIncident(2));
    expect(await alerts.listIncidents({ service: "x' OR '1'='1" })).toEqual([]);
    expect((await alerts.listIncidents({ service: "o'brien" })).map((i) => i.id)).toEqual([
      'vigie-incident-1',
    ]);
    expect(await alerts.listOutbox({ incidentId: "'; DROP TABLE outbox; --" })).toEqual([]);
    expect(await alerts.listIncidents()).toHaveLength(2);
  });
});
