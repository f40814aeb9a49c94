import type { LogStore, StoredLog } from '@vigie/common';
import { defaultShop, generateTraffic } from '@vigie/demo';

/**
 * Writes `minutes` of the simulated shop's traffic, ending five minutes before `now`,
 * into `store` (ids `ev-0`, `ev-1`…) and makes it searchable. For tests that need
 * realistic logs to search.
 */
export async function seedShopLogs(
  store: LogStore,
  options: { seed: number; minutes?: number; now?: number },
): Promise<{ start: number; logs: StoredLog[] }> {
  const minutes = options.minutes ?? 10;
  const start = Math.floor(((options.now ?? Date.now()) - (minutes + 5) * 60_000) / 1000) * 1000;
  const events = [
    ...generateTraffic({
      seed: options.seed,
      start,
      durationMs: minutes * 60_000,
      services: defaultShop(),
      incidents: [],
      // Flat through the day: tests count on the same volume whatever hour they run at.
      dailyAmplitude: 0,
    }),
  ];
  const logs: StoredLog[] = events.map((event, i) => ({
    id: `ev-${i}`,
    event,
    partitionTime: Date.parse(event['@timestamp']),
  }));
  for (let i = 0; i < logs.length; i += 1000) {
    const outcomes = await store.writeLogs(logs.slice(i, i + 1000));
    const failed = outcomes.find((outcome) => outcome.status !== 'ok');
    if (failed) throw new Error(`seeding the shop's logs failed: ${JSON.stringify(failed)}`);
  }
  await store.refresh();
  return { start, logs };
}
