import { createRegistry, parseQuery, type StoredLog } from '@vigie/common';
import {
  deletePrefix,
  ENGINES,
  esRequest,
  metricValue,
  sampleAnomaly,
  sampleEvent,
  testLogger,
  uniqueName,
} from '@vigie/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { DAY_MS, logIndexName } from '../../src/elasticsearch/log-indices.js';
import { ElasticsearchRetention, ElasticsearchStore, type LogRetentionPolicy } from '../../src/index.js';

const NOW = Date.UTC(2026, 10, 28, 12);
const TODAY = Date.UTC(2026, 10, 28);
const DOCS_PER_DAY = 3;
const prefixes: string[] = [];
const closers: Array<() => Promise<void>> = [];

afterAll(async () => {
  for (const close of closers) await close();
  for (const prefix of prefixes) await deletePrefix(prefix);
});

function connection(prefix: string) {
  return { url: ENGINES.elasticsearchUrl, indexPrefix: prefix, requestTimeoutMs: 30_000 };
}

async function newStore(environments: LogRetentionPolicy['environments']) {
  const prefix = uniqueName('ret');
  prefixes.push(prefix);
  const store = new ElasticsearchStore({
    ...connection(prefix),
    totalFieldsLimit: 1000,
    retention: { environments },
    logger: testLogger(),
  });
  closers.push(() => store.close());
  await store.setup();
  await store.setupDetection();
  return { prefix, store };
}

function newRetention(prefix: string, policy: LogRetentionPolicy) {
  const registry = createRegistry({ role: 'test' });
  const retention = new ElasticsearchRetention({
    ...connection(prefix),
    retention: { ...policy, intervalMinutes: 10 },
    logger: testLogger(),
    registry,
  });
  closers.push(() => retention.stop());
  return { retention, registry };
}

/** `DOCS_PER_DAY` logs on each of the `days` days up to today, in `environment`. */
function logsOfDays(days: number, environment?: string): StoredLog[] {
  const logs: StoredLog[] = [];
  for (let ago = 0; ago < days; ago++) {
    for (let i = 0; i < DOCS_PER_DAY; i++) {
      const time = TODAY + 3_600_000 - ago * DAY_MS;
      const event = sampleEvent(i, time);
      if (environment !== undefined) event.service.environment = environment;
      logs.push({ id: `${environment ?? 'none'}-${ago}-${i}`, event, partitionTime: time });
    }
  }
  return logs;
}

async function logIndices(prefix: string): Promise<string[]> {
  const { json } = await esRequest('GET', `/_cat/indices/${prefix}-logs-*?format=json&h=index`);
  return (json as Array<{ index: string }>).map((row) => row.index).sort();
}

const dayIndex = (prefix: string, ago: number, segment?: string) =>
  logIndexName(prefix, TODAY - ago * DAY_MS, segment);
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe('ElasticsearchRetention', () => {
  it('deletes whole days by age, with per-environment overrides, and search still finds the rest', async () => {
    const { prefix, store } = await newStore({ staging: { maxAgeDays: 7 } });
    const written = [...logsOfDays(40), ...logsOfDays(40, 'production'), ...logsOfDays(12, 'staging')];
    const outcomes = await store.writeLogs(written);
    expect(outcomes.every((outcome) => outcome.status === 'ok')).toBe(true);
    await store.refresh();
    // Production has no override: it shares the default indices; staging has its own.
    expect(await logIndices(prefix)).toEqual(
      [
        ...range(0, 40).map((ago) => dayIndex(prefix, ago)),
        ...range(0, 12).map((ago) => dayIndex(prefix, ago, 'staging')),
      ].sort(),
    );

    // Two processors running the same pass at once: together they delete each index, no failure.
    const policy = { maxAgeDays: 30, environments: { staging: { maxAgeDays: 7 } } };
    const first = newRetention(prefix, policy);
    const second = newRetention(prefix, policy);
    const [a, b] = await Promise.all([first.retention.runOnce(NOW), second.retention.runOnce(NOW)]);

    const kept = [
      ...range(0, 31).map((ago) => dayIndex(prefix, ago)),
      ...range(0, 8).map((ago) => dayIndex(prefix, ago, 'staging')),
    ];
    expect(await logIndices(prefix)).toEqual(kept.sort());
    const deleted = [...a.deleted, ...b.deleted].map((index) => index.index).sort();
    expect(new Set(deleted)).toEqual(
      new Set([
        ...range(31, 40).map((ago) => dayIndex(prefix, ago)),
        ...range(8, 12).map((ago) => dayIndex(prefix, ago, 'staging')),
      ]),
    );
    expect([...a.deleted, ...b.deleted].every((index) => index.reason === 'max_age')).toBe(true);
    const counted =
      (await metricValue(first.registry, 'vigie_retention_deleted_indices_total', { reason: 'max_age' })) +
      (await metricValue(second.registry, 'vigie_retention_deleted_indices_total', { reason: 'max_age' }));
    expect(counted).toBe(deleted.length);
    // Both may have been acknowledged for the same index when their requests met in one
    // cluster-state update; neither may miss one or fail.
    expect(new Set(deleted).size).toBe(9 + 4);
    expect(
      (await metricValue(first.registry, 'vigie_retention_deleted_bytes_total')) +
        (await metricValue(second.registry, 'vigie_retention_deleted_bytes_total')),
    ).toBeGreaterThan(0);

    // The alias still covers the shared and the environment indices.
    expect(await store.countLogs()).toBe((31 * 2 + 8) * DOCS_PER_DAY);
    expect(await store.getLog('staging-7-0')).toMatchObject({ service: { environment: 'staging' } });
    expect(await store.getLog('staging-8-0')).toBeUndefined();
    expect(await store.getLog('production-30-1')).toMatchObject({ service: { environment: 'production' } });
    expect(await store.getLog('none-31-1')).toBeUndefined();
    const page = await store.search({
      query: parseQuery('service.environment:staging'),
      from: TODAY - 40 * DAY_MS,
      to: NOW + DAY_MS,
      sort: 'desc',
      size: 100,
    });
    expect(page.hits).toHaveLength(8 * DOCS_PER_DAY);

    // A later pass at the same time finds nothing more to do.
    expect((await first.retention.runOnce(NOW)).deleted).toEqual([]);
  });

  it('deletes the oldest days until the total is under maxBytes, never today', async () => {
    const { prefix, store } = await newStore({});
    await store.writeLogs(logsOfDays(6));
    await store.refresh();
    const { retention, registry } = newRetention(prefix, { maxAgeDays: 30, environments: {} });
    const before = await retention.runOnce(NOW);
    expect(before.deleted).toEqual([]);
    const total = before.remainingBytes;
    expect(total).toBeGreaterThan(0);

    const limited = newRetention(prefix, {
      maxAgeDays: 30,
      maxBytes: Math.floor(total / 2),
      environments: {},
    });
    const result = await limited.retention.runOnce(NOW);
    const deletedAgo = result.deleted.map((index) => (TODAY - index.day) / DAY_MS);
    // Oldest first, one day after the other, and it stopped as soon as the rest fitted.
    expect(deletedAgo).toEqual(range(6 - deletedAgo.length, 6).reverse());
    expect(deletedAgo.length).toBeGreaterThanOrEqual(2);
    expect(result.remainingBytes).toBeLessThanOrEqual(Math.floor(total / 2));
    const lastDeleted = result.deleted.at(-1);
    expect(result.remainingBytes + (lastDeleted?.bytes ?? 0)).toBeGreaterThan(Math.floor(total / 2));
    expect(result.deleted.every((index) => index.reason === 'max_bytes')).toBe(true);
    expect(await logIndices(prefix)).toEqual(
      range(0, 6 - deletedAgo.length)
        .map((ago) => dayIndex(prefix, ago))
        .sort(),
    );
    expect(
      await metricValue(limited.registry, 'vigie_retention_deleted_bytes_total', { reason: 'max_bytes' }),
    ).toBe(result.deleted.reduce((sum, index) => sum + index.bytes, 0));
    expect(await metricValue(registry, 'vigie_retention_deleted_indices_total')).toBe(0);

    // Even a limit that today's index alone exceeds leaves today's index in place.
    const tiny = newRetention(prefix, { maxAgeDays: 30, maxBytes: 1, environments: {} });
    await tiny.retention.runOnce(NOW);
    expect(await logIndices(prefix)).toEqual([dayIndex(prefix, 0)]);
    expect(await store.countLogs()).toBe(DOCS_PER_DAY);
  });

  it('deletes dead letters and closed anomalies older than every log kept, and keeps open ones', async () => {
    const { prefix, store } = await newStore({ production: { maxAgeDays: 60 } });
    const at = (daysAgo: number) => NOW - daysAgo * DAY_MS;
    await store.writeDeadLetters([
      { id: 'old', timestamp: at(61), reason: 'invalid_json', detail: 'd', original: '{', origin: 't/0/1' },
      {
        id: 'recent',
        timestamp: at(59),
        reason: 'invalid_json',
        detail: 'd',
        original: '{',
        origin: 't/0/2',
      },
    ]);
    const iso = (time: number) => new Date(time).toISOString();
    await store.writeAnomalies([
      sampleAnomaly(1, { id: 'closed-old', state: 'closed', start: iso(at(70)), updated: iso(at(61)) }),
      sampleAnomaly(2, { id: 'open-old', state: 'open', start: iso(at(70)), updated: iso(at(61)) }),
      sampleAnomaly(3, { id: 'closed-recent', state: 'closed', start: iso(at(70)), updated: iso(at(59)) }),
    ]);
    await store.refresh();
    const { retention } = newRetention(prefix, {
      maxAgeDays: 30,
      environments: { production: { maxAgeDays: 60 } },
    });
    const result = await retention.runOnce(NOW);
    expect(result.deletedDocuments).toEqual({ deadLetters: 1, metrics: 0, anomalies: 1 });
    expect((await store.listDeadLetters(10)).map((letter) => letter.id)).toEqual(['recent']);
    expect((await store.listAnomalies()).map((anomaly) => anomaly.id).sort()).toEqual([
      'closed-recent',
      'open-old',
    ]);
  });
});
