import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@vigie/common';
import { testLogger } from '@vigie/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { allInOneEngines } from '../src/engines.js';

const dir = mkdtempSync(join(tmpdir(), 'vigie-engines-'));

/** The engines `vigie all` picks from this environment and config file (YAML text). */
async function pick(env: Record<string, string>, file?: string) {
  const path = join(dir, `config-${Math.random().toString(36).slice(2)}.yaml`);
  if (file !== undefined) writeFileSync(path, file);
  const engines = await allInOneEngines(
    loadConfig({ env: { VIGIE_EMBEDDED_DATA_DIR: join(dir, 'data'), ...env }, ...(file && { file: path }) }),
    testLogger(),
  );
  await engines.close();
  return engines;
}

describe('the engines of vigie all', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('are embedded when neither Kafka brokers nor an Elasticsearch URL is set, whatever the defaults', async () => {
    const engines = await pick({}, 'embedded:\n  maxAgeDays: 2\nkafka:\n  logsTopic: logs\n');
    expect(engines.kind).toBe('embedded');
    expect(engines.processor.bus).toBe(engines.collector.bus);
    expect(engines.processor.store).toBe(engines.api.search);
    expect(engines.alerter.alerts).toBe(engines.api.alerts);
    // No Elasticsearch to audit to: the audit file only.
    expect(engines.config.api.auditIndex).toBe(false);
  });

  it('are Kafka and Elasticsearch as soon as either is named, in the environment or the file', async () => {
    for (const [env, file] of [
      [{ VIGIE_KAFKA_BROKERS: '127.0.0.1:9092' }, undefined],
      [{ VIGIE_ELASTICSEARCH_URL: 'http://127.0.0.1:9200' }, undefined],
      [{}, 'kafka:\n  brokers: [127.0.0.1:9092]\n'],
      [{}, 'elasticsearch:\n  url: http://127.0.0.1:9200\n'],
    ] as const) {
      const engines = await pick(env, file);
      expect(engines.kind).toBe('kafka+elasticsearch');
      expect(engines.processor).toEqual({});
      expect(engines.api).toEqual({});
      expect(engines.config.api.auditIndex).toBe(true);
    }
  });
});
