import type { Anomaly, BucketMetric, DetectionStore, LogStore } from '@vigie/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** An anomaly record for contract tests. */
export function sampleAnomaly(i: number, overrides: Partial<Anomaly> = {}): Anomaly {
  const start = Date.parse('2026-03-02T10:00:00Z') + i * 60_000;
  return {
    id: `anomaly-${i}`,
    kind: i % 2 === 0 ? 'error_spike' : 'latency',
    service: `svc-${i % 3}`,
    dimension: { field: 'url.path', value: `/orders/${i}` },
    state: 'open',
    start: new Date(start).toISOString(),
    updated: new Date(start + 30_000).toISOString(),
    score: 0.8,
    severity: 'warning',
    observed: 0.08,
    expected: 0.005,
    lower: 0,
    upper: 0.02,
    unit: 'ratio',
    windowMs: 30_000,
    explanation: `Error spike number ${i} "quoted" <b>not html</b>.`,
    contributors: [{ field: 'url.path', value: `/orders/${i}`, observed: 12, expected: 0.5, share: 1 }],
    sampleEventIds: [`vigie.logs-0-${i}`],
    query: `service.name:"svc-${i % 3}"`,
    ...overrides,
  };
}

function sampleMetric(i: number): BucketMetric {
  return {
    service: 'svc-0',
    '@timestamp': new Date(Date.parse('2026-03-02T10:00:00Z') + i * 10_000).toISOString(),
    bucketMs: 10_000,
    count: 100 + i,
    errors: i,
    errorRatio: i / (100 + i),
    status: { '1xx': 0, '2xx': 100, '3xx': 0, '4xx': 0, '5xx': i },
    latency: { samples: 100, p50: 12.5, p95: 80, p99: 120 },
    expected: {
      errorRatio: 0.005,
      errorRatioUpper: 0.02,
      p95: 75,
      p95Lower: 50,
      p95Upper: 110,
      windowMs: 30_000,
    },
  };
}

/**
 * The behaviour every `DetectionStore` must have; the factory returns a fresh store
 * (its own prefix or database).
 */
export function describeDetectionStoreContract(
  name: string,
  createStore: () => Promise<DetectionStore & LogStore>,
): void {
  describe(`DetectionStore contract: ${name}`, () => {
    let store: DetectionStore & LogStore;
    beforeAll(async () => {
      store = await createStore();
      await store.setupDetection();
      await store.setupDetection(); // safe to repeat
    });
    afterAll(async () => {
      await store.close();
    });

    it('keeps the latest version of each anomaly and reads it back as written', async () => {
      const first = Array.from({ length: 6 }, (_, i) => sampleAnomaly(i));
      expect((await store.writeAnomalies(first)).every((o) => o.status === 'ok')).toBe(true);
      const closed = sampleAnomaly(2, {
        state: 'closed',
        end: '2026-03-02T10:10:00.000Z',
        updated: '2026-03-02T10:10:00.000Z',
      });
      await store.writeAnomalies([closed]);
      await store.refresh();
      expect(await store.getAnomaly('anomaly-2')).toEqual(closed);
      expect(await store.getAnomaly('anomaly-4')).toEqual(sampleAnomaly(4));
      expect(await store.getAnomaly('no-such-anomaly')).toBeUndefined();
      const all = await store.listAnomalies();
      expect(all).toHaveLength(6);
      expect(all[0]?.id).toBe('anomaly-2'); // most recently updated first
    });

    it('filters anomalies by service, kind, state and time', async () => {
      await store.refresh();
      const svc0 = await store.listAnomalies({ service: 'svc-0' });
      expect(svc0.map((a) => a.id).sort()).toEqual(['anomaly-0', 'anomaly-3']);
      expect((await store.listAnomalies({ kind: 'latency' })).every((a) => a.kind === 'latency')).toBe(true);
      expect((await store.listAnomalies({ state: 'closed' })).map((a) => a.id)).toEqual(['anomaly-2']);
      const since = Date.parse(sampleAnomaly(4).updated);
      expect((await store.listAnomalies({ since })).map((a) => a.id).sort()).toEqual([
        'anomaly-2',
        'anomaly-4',
        'anomaly-5',
      ]);
      expect(await store.listAnomalies({ limit: 2 })).toHaveLength(2);
    });

    it('writes bucket metrics idempotently', async () => {
      const metrics = Array.from({ length: 20 }, (_, i) => sampleMetric(i));
      expect((await store.writeMetrics(metrics)).every((o) => o.status === 'ok')).toBe(true);
      expect((await store.writeMetrics(metrics.slice(0, 5))).every((o) => o.status === 'ok')).toBe(true);
    });

    it('saves and loads detection state by key, the latest save winning', async () => {
      expect(await store.loadState('group/vigie.logs/0')).toBeUndefined();
      await store.saveState('group/vigie.logs/0', { state: '{"a":1}', offset: '41', savedAt: 1_000 });
      const big = JSON.stringify({
        series: Array.from({ length: 20_000 }, (_, i) => ({ i, v: Math.sqrt(i) })),
      });
      await store.saveState('group/vigie.logs/0', { state: big, offset: '99', savedAt: 2_000 });
      // Read right after the write, without a refresh: a restarted processor must find it.
      expect(await store.loadState('group/vigie.logs/0')).toEqual({
        state: big,
        offset: '99',
        savedAt: 2_000,
      });
      expect(await store.loadState('group/vigie.logs/1')).toBeUndefined();
    });

    it('never lets an older version of an anomaly replace a newer one', async () => {
      // Written late by a processor that lost the partition to one that is ahead.
      const at = (minutes: number) =>
        new Date(Date.parse('2026-03-02T11:00:00Z') + minutes * 60_000).toISOString();
      const opened = sampleAnomaly(70, { id: 'anomaly-late', service: 'svc-late', updated: at(0) });
      const grown = { ...opened, updated: at(1), score: 0.95 };
      const closed = { ...grown, state: 'closed' as const, end: at(2), updated: at(2) };
      expect((await store.writeAnomalies([opened, grown, closed])).every((o) => o.status === 'ok')).toBe(
        true,
      );
      const stale = await store.writeAnomalies([grown, opened]);
      expect(stale.map((o) => o.status)).toEqual(['ok', 'ok']);
      await store.refresh();
      expect(await store.getAnomaly('anomaly-late')).toEqual(closed);
      // At the same time, a close wins over an open.
      await store.writeAnomalies([{ ...closed, state: 'open' }]);
      await store.refresh();
      expect(await store.getAnomaly('anomaly-late')).toEqual(closed);
      // A newer version still replaces it.
      const again = { ...closed, state: 'open' as const, updated: at(5), score: 0.7 };
      const { end: _end, ...reopened } = again;
      await store.writeAnomalies([reopened]);
      await store.refresh();
      expect(await store.getAnomaly('anomaly-late')).toEqual(reopened);
    });
  });
}
