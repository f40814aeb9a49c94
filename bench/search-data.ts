/**
 * The data set of `bench:search`: a simulated week of the shop's traffic (five services,
 * access logs, API and worker logs, logins, the odd exception and the detection
 * scenario's incidents), loaded once into its own index prefix and reused by later runs.
 */
import type { LogEvent, StoredLog } from '@vigie/common';
import { createLogger } from '@vigie/common';
import { ElasticsearchStore } from '@vigie/storage';
import {
  defaultShop,
  generateTraffic,
  ratePerSecond,
  SCENARIO_INCIDENTS,
  type TrafficScenario,
} from '../services/testkit/src/traffic/index.js';
import { progress } from './lib.js';

const DAY = 86_400_000;
/** First instant of the simulated week; fixed so that reruns load the very same events. */
export const DATA_START = Date.UTC(2026, 10, 21);
/** The week's length: queries over "the last 24 h" end here. */
export const DATA_DURATION_MS = 7 * DAY;
const BULK_DOCS = 5000;

/** The traffic scenario that yields at least `events` events over the week. */
export function benchScenario(events: number): TrafficScenario {
  const scenario: TrafficScenario = {
    seed: 20261121,
    start: DATA_START,
    durationMs: DATA_DURATION_MS,
    services: defaultShop(),
    incidents: SCENARIO_INCIDENTS(DATA_START),
  };
  let expected = 0;
  for (const service of scenario.services)
    for (let t = DATA_START; t < DATA_START + DATA_DURATION_MS; t += 60_000)
      expected += ratePerSecond(service, t + 30_000, scenario) * 60;
  // 2 % spare so that Poisson noise never leaves the week short of `events`.
  return { ...scenario, rateScale: (events / expected) * 1.02 };
}

/** Opens the store of the bench's prefix and installs its templates. */
export async function openStore(url: string, prefix: string): Promise<ElasticsearchStore> {
  const store = new ElasticsearchStore({
    url,
    indexPrefix: prefix,
    requestTimeoutMs: 120_000,
    totalFieldsLimit: 1000,
    logger: createLogger({ level: 'warn', role: 'bench' }),
  });
  await store.healthcheck();
  await store.setup();
  return store;
}

/**
 * Writes the first `events` events of the scenario with `writeLogs`, `inFlight` bulks at
 * once, retrying the documents Elasticsearch asks to retry (429 under load). Ids are
 * deterministic, so an interrupted load can simply be run again.
 */
export async function loadEvents(
  store: ElasticsearchStore,
  events: number,
  inFlight: number,
): Promise<{ seconds: number; lastTimestamp: number }> {
  const generator = generateTraffic(benchScenario(events));
  let produced = 0;
  let written = 0;
  let lastTimestamp = DATA_START;
  const started = performance.now();
  let lastReport = started;
  const nextBatch = (): StoredLog[] => {
    const batch: StoredLog[] = [];
    while (batch.length < BULK_DOCS && produced < events) {
      const next = generator.next();
      if (next.done) throw new Error(`the scenario yielded only ${produced} events`);
      const event: LogEvent = next.value;
      const time = Date.parse(event['@timestamp']);
      lastTimestamp = time;
      batch.push({ id: `bench-${produced}`, event, partitionTime: time });
      produced++;
    }
    return batch;
  };
  const worker = async (): Promise<void> => {
    for (let batch = nextBatch(); batch.length > 0; batch = nextBatch()) {
      let pending = batch;
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > 0)
          await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 200 * 2 ** attempt)));
        const outcomes = await store.writeLogs(pending);
        const rejected = outcomes.find((o) => o.status === 'rejected');
        if (rejected) throw new Error(`Elasticsearch rejected an event: ${rejected.reason}`);
        pending = pending.filter((_, i) => outcomes[i]?.status === 'retry');
        if (attempt > 10) throw new Error('Elasticsearch kept asking to retry');
      }
      written += batch.length;
      const now = performance.now();
      if (now - lastReport > 5000) {
        lastReport = now;
        const rate = written / ((now - started) / 1000);
        progress(
          `  loaded ${written.toLocaleString('en')} / ${events.toLocaleString('en')} events (${Math.round(rate)} events/s, ~${Math.round((events - written) / rate)} s left)`,
        );
      }
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return { seconds: (performance.now() - started) / 1000, lastTimestamp };
}
