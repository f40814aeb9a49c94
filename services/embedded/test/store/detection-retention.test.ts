import type { BucketMetric, StoredLog } from '@vigie/common';
import { sampleAnomaly, sampleEvent } from '@vigie/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import type { SqliteStore } from '../../src/index.js';
import { removeTempStores, tempStore } from './temp-store.js';

const DAY = 86_400_000;
const TODAY = Date.UTC(2026, 10, 28);
const NOW = TODAY + 15 * 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

/** `count` service-level 10 s buckets of `svc-0` from `start`. */
function metrics(start: number, count: number): BucketMetric[] {
  return Array.from({ length: count }, (_, i) => ({
    service: 'svc-0',
    '@timestamp': iso(start + i * 10_000),
    bucketMs: 10_000,
    count: 100,
    errors: 1,
    errorRatio: 0.01,
    status: { '1xx': 0, '2xx': 99, '3xx': 0, '4xx': 0, '5xx': 1 },
    expected: { errorRatio: 0.01, windowMs: 30_000 },
  }));
}

function logsOfDay(day: number, count: number): StoredLog[] {
  return Array.from({ length: count }, (_, i) => {
    const event = sampleEvent(i, day + 3_600_000);
    event.message = `${event.message} ${'lorem ipsum dolor sit amet '.repeat(40)}`;
    return { id: `d${day / DAY}-${i}`, event, partitionTime: day };
  });
}

const everything = { from: 0, to: NOW + DAY, service: 'svc-0' };

describe('SqliteStore retention of detection records', () => {
  let store: SqliteStore;
  afterEach(async () => {
    await store.close();
    removeTempStores();
  });

  it('deletes metrics and closed anomalies past the maximum age, and keeps open anomalies', async () => {
    store = tempStore();
    // More old buckets than one delete chunk holds.
    await store.writeMetrics(metrics(NOW - 5 * DAY, 12_000));
    await store.writeMetrics(metrics(NOW - DAY, 30));
    const old = iso(NOW - 4 * DAY);
    await store.writeAnomalies([
      sampleAnomaly(1, { state: 'closed', start: old, updated: old, end: old }),
      sampleAnomaly(2, { state: 'open', start: old, updated: old }),
      sampleAnomaly(3, { state: 'closed', start: iso(NOW - DAY), updated: iso(NOW - DAY) }),
    ]);

    const result = store.applyRetention({ maxAgeDays: 2 }, NOW);
    expect(result.deletedDetection).toEqual({ metrics: 12_000, anomalies: 1 });
    const left = await store.listMetrics(everything);
    expect(left).toHaveLength(30);
    expect(left.every((m) => Date.parse(m['@timestamp']) >= NOW - DAY)).toBe(true);
    expect((await store.listAnomalies()).map((a) => a.id).sort()).toEqual(['anomaly-2', 'anomaly-3']);
    expect(store.applyRetention({ maxAgeDays: 2 }, NOW).deletedDetection).toEqual({
      metrics: 0,
      anomalies: 0,
    });
  });

  it('deletes the metrics of the days size retention deletes, and only those', async () => {
    store = tempStore();
    for (const ago of [0, 1, 2]) {
      await store.writeLogs(logsOfDay(TODAY - ago * DAY, 300));
      await store.writeMetrics(metrics(TODAY - ago * DAY + 3_600_000, 100));
    }
    const result = store.applyRetention({ maxBytes: 1 }, NOW);
    expect(result.deletedDays).toEqual([TODAY - 2 * DAY, TODAY - DAY]);
    expect(result.deletedDetection.metrics).toBe(200);
    const left = await store.listMetrics(everything);
    expect(left).toHaveLength(100);
    expect(left.every((m) => Date.parse(m['@timestamp']) >= TODAY)).toBe(true);
  });
});
