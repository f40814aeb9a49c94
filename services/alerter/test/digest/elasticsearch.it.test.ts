import { Value } from '@sinclair/typebox/value';
import type { AlerterConfig } from '@vigie/common';
import { AlerterConfigSchema } from '@vigie/common';
import { ElasticsearchAlertStore } from '@vigie/storage';
import { deletePrefix, ENGINES, MemoryStore, sampleAnomaly, testLogger, uniqueName } from '@vigie/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIGEST_SETTLE_MS } from '../../src/digest/index.js';
import { IncidentFlow } from '../../src/service/incident-flow.js';

// The digest is rebuilt from the incidents the store returns as updated since its window
// began: on Elasticsearch that is a range query on updatedAt, and the notified entries
// live in the timeline's unindexed _source. A restarted alerter must find the same.

const DIGEST_MS = 5 * 60_000;
const WINDOW = Date.parse('2026-03-02T10:00:00Z');
const SERVICES = ['cart', 'checkout', 'search', 'auth', 'payments'];

const prefix = uniqueName('t-digest');
const store = new ElasticsearchAlertStore({
  url: ENGINES.elasticsearchUrl,
  indexPrefix: prefix,
  requestTimeoutMs: 10_000,
});

function flow(): IncidentFlow {
  const config: AlerterConfig = {
    ...(Value.Default(AlerterConfigSchema, {}) as AlerterConfig),
    receivers: [
      {
        name: 'slack',
        type: 'slack',
        url: 'https://hooks.slack.test/x',
        rateLimitPerMinute: 60,
        timeoutMs: 1000,
      },
    ],
    routes: [{ match: {}, receivers: ['slack'], continue: false, digestMs: DIGEST_MS }],
  };
  return new IncidentFlow({ store, search: new MemoryStore(), config, logger: testLogger() });
}

beforeAll(async () => {
  await store.setupAlerting();
});

afterAll(async () => {
  await store.close();
  await deletePrefix(prefix);
});

describe('digest on Elasticsearch', () => {
  it('queues one digest of the 5 incidents of a window, and a restarted alerter queues none again', async () => {
    const first = flow();
    for (const [i, service] of SERVICES.entries()) {
      const at = WINDOW + 10_000 * (i + 1);
      const anomaly = sampleAnomaly(i, {
        id: `anomaly-${service}`,
        service,
        start: new Date(at).toISOString(),
        updated: new Date(at).toISOString(),
      });
      await first.handleAnomalies([anomaly], at);
    }
    await first.reconcile(WINDOW + DIGEST_MS + DIGEST_SETTLE_MS);
    await flow().reconcile(WINDOW + DIGEST_MS + DIGEST_SETTLE_MS + 1000);
    const outbox = await store.listOutbox({ limit: 100 });
    expect(outbox.map((e) => e.id)).toEqual(['slack|digest|0|2026-03-02T10:00:00.000Z']);
    expect(outbox[0]?.notification.digest?.map((d) => d.service)).toEqual(SERVICES);
  });
});
