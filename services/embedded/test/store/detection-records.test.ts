import { describeDetectionStoreContract, sampleAnomaly } from '@vigie/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/index.js';
import { removeTempStores, tempStore } from './temp-store.js';

afterAll(removeTempStores);

describeDetectionStoreContract('SqliteStore', async () => tempStore());

describe('SqliteStore detection records', () => {
  it('keeps anomalies, metrics and saved state across a reopen of the database file', async () => {
    const store = tempStore();
    const path = store.db.name;
    await store.writeAnomalies([sampleAnomaly(1)]);
    await store.saveState('g/t/0', { state: '{}', offset: '7', savedAt: 5 });
    await store.close();
    const reopened = new SqliteStore({ path });
    try {
      await reopened.setupDetection();
      expect(await reopened.getAnomaly('anomaly-1')).toEqual(sampleAnomaly(1));
      expect(await reopened.loadState('g/t/0')).toEqual({ state: '{}', offset: '7', savedAt: 5 });
    } finally {
      await reopened.close();
    }
  });

  it('rejects an anomaly whose time is not a date and writes the rest of the batch', async () => {
    const store = tempStore();
    try {
      const outcomes = await store.writeAnomalies([
        sampleAnomaly(1, { updated: 'yesterday' }),
        sampleAnomaly(2),
      ]);
      expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'ok']);
      expect((await store.listAnomalies()).map((a) => a.id)).toEqual(['anomaly-2']);
    } finally {
      await store.close();
    }
  });

  it('takes filter values as data: a quote in a service name matches nothing and breaks nothing', async () => {
    const store = tempStore();
    try {
      await store.writeAnomalies([sampleAnomaly(0), sampleAnomaly(1, { service: "o'brien" })]);
      expect(await store.listAnomalies({ service: "svc-0' OR '1'='1" })).toEqual([]);
      expect((await store.listAnomalies({ service: "o'brien" })).map((a) => a.id)).toEqual(['anomaly-1']);
    } finally {
      await store.close();
    }
  });
});
