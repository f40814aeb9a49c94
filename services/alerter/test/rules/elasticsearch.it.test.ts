import type { AlertRule, StoredLog } from '@vigie/common';
import { ElasticsearchStore } from '@vigie/storage';
import {
  deletePrefix,
  ENGINES,
  MemoryStore,
  sampleIncident,
  sampleRule,
  testLogger,
  uniqueName,
} from '@vigie/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildNotification } from '../../src/evidence/index.js';
import { RuleEvaluator } from '../../src/rules/index.js';

// The evaluator and the evidence on the real store: Elasticsearch's date histogram must
// put windows on the same epoch-aligned grid as the memory store, and events must be
// found by id, or rules fire at other times (and with other ids) in production than in
// the unit tests.

const BASE = Date.parse('2026-03-02T10:00:00Z');
const at = (seconds: number) => BASE + seconds * 1000;

function logs(): StoredLog[] {
  const out: StoredLog[] = [];
  const add = (seconds: number, message: string) =>
    out.push({
      id: `doc-${out.length}`,
      event: {
        '@timestamp': new Date(at(seconds)).toISOString(),
        message,
        log: { level: 'error' },
        service: { name: 'checkout' },
      },
      partitionTime: at(seconds),
    });
  // 150 minutes of 8..12 errors a minute, one minute of 80, then normal again.
  for (let minute = 0; minute < 156; minute++) {
    const n = minute === 150 ? 80 : 8 + ((minute * 7919) % 5);
    for (let i = 0; i < n; i++) add(minute * 60 + (i * 59) / n, `payment failed order=${minute}-${i}`);
  }
  add(9_000.5, 'retry with Authorization: Bearer s3cr3t-t0ken-value and password=hunter2');
  return out;
}

const rules: AlertRule[] = [
  sampleRule(0, {
    id: 'above',
    service: 'checkout',
    query: 'service.name:checkout AND log.level:error',
    windowMs: 60_000,
    condition: { type: 'above', threshold: 40 },
  }),
  sampleRule(1, {
    id: 'anomalous',
    service: 'checkout',
    query: 'service.name:checkout',
    windowMs: 60_000,
    condition: { type: 'anomalous' },
  }),
  sampleRule(2, {
    id: 'below',
    service: 'checkout',
    query: 'message:failed',
    windowMs: 300_000,
    condition: { type: 'below', threshold: 30 },
  }),
];

describe('rules and evidence on Elasticsearch', () => {
  const prefix = uniqueName('t-alert-rules');
  const elasticsearch = new ElasticsearchStore({
    url: ENGINES.elasticsearchUrl,
    indexPrefix: prefix,
    requestTimeoutMs: 10_000,
    totalFieldsLimit: 1000,
    logger: testLogger(),
  });
  const memory = new MemoryStore();

  beforeAll(async () => {
    await elasticsearch.setup();
    const all = logs();
    for (let i = 0; i < all.length; i += 500) await elasticsearch.writeLogs(all.slice(i, i + 500));
    await elasticsearch.refresh();
    await memory.writeLogs(all);
  });

  afterAll(async () => {
    await elasticsearch.close();
    await deletePrefix(prefix);
  });

  it('raises the same anomalies, at the same times and with the same ids, as on the memory store', async () => {
    const evaluate = async (search: ElasticsearchStore | MemoryStore) => {
      const evaluator = new RuleEvaluator({ search, listRules: async () => rules, settleMs: 0 });
      const out = [];
      for (let minute = 150; minute <= 161; minute++)
        out.push(...(await evaluator.evaluate(at(minute * 60 + 1))));
      return out;
    };
    const onElasticsearch = await evaluate(elasticsearch);
    expect(onElasticsearch).toEqual(await evaluate(memory));
    const opened = onElasticsearch.filter((a) => a.state === 'open').map((a) => a.dimension.value);
    expect(opened).toEqual(expect.arrayContaining(['above', 'anomalous', 'below']));
  });

  it('reads sample lines by id and masks the secrets in them', async () => {
    const incident = sampleIncident(1, {
      anomalies: [
        {
          ...(sampleIncident(1).anomalies[0] as NonNullable<
            ReturnType<typeof sampleIncident>['anomalies'][0]
          >),
          sampleEventIds: [`doc-${logs().length - 1}`, 'doc-0', 'no-such-doc'],
        },
      ],
    });
    const notification = await buildNotification(incident, 'trigger', {
      search: elasticsearch,
      publicUrl: 'https://vigie.example.com',
      now: at(10_000),
    });
    const [evidence] = notification.evidence;
    expect(evidence?.sampleLinesUnavailable).toBeUndefined();
    expect(evidence?.sampleLines).toEqual([
      `${new Date(at(9_000.5)).toISOString()} ERROR retry with Authorization: Bearer [REDACTED] and password=[REDACTED]`,
      `${new Date(at(0)).toISOString()} ERROR payment failed order=0-0`,
    ]);
  });
});
