import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configKeys, loadConfig } from '../src/index.js';

function configFile(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'vigie-config-')), 'vigie.yaml');
  writeFileSync(path, text);
  return path;
}

describe('elasticsearch.retention', () => {
  it('keeps 30 days, checks every 10 minutes, without a size limit or overrides by default', () => {
    const { retention, logsPrimaryShards } = loadConfig({ env: {} }).config.elasticsearch;
    expect(retention).toEqual({ enabled: true, maxAgeDays: 30, intervalMinutes: 10, environments: {} });
    expect(logsPrimaryShards).toBe(1);
  });

  it('is set by VIGIE_ELASTICSEARCH_RETENTION_* variables, the overrides as JSON', () => {
    const { config } = loadConfig({
      env: {
        VIGIE_ELASTICSEARCH_RETENTION_MAX_AGE_DAYS: '90',
        VIGIE_ELASTICSEARCH_RETENTION_MAX_BYTES: '536870912000',
        VIGIE_ELASTICSEARCH_RETENTION_INTERVAL_MINUTES: '5',
        VIGIE_ELASTICSEARCH_RETENTION_ENVIRONMENTS:
          '{"staging":{"maxAgeDays":7},"Prod EU":{"maxBytes":10737418240}}',
      },
    });
    expect(config.elasticsearch.retention).toEqual({
      enabled: true,
      maxAgeDays: 90,
      maxBytes: 536870912000,
      intervalMinutes: 5,
      environments: { staging: { maxAgeDays: 7 }, 'Prod EU': { maxBytes: 10737418240 } },
    });
    expect(configKeys().map((key) => key.env)).toContain('VIGIE_ELASTICSEARCH_RETENTION_ENVIRONMENTS');
  });

  it('reports a typo in an override and a bad limit together', () => {
    const file = configFile(
      'elasticsearch:\n  retention:\n    maxAgeDays: 0\n    environments:\n      staging:\n        maxAgeDay: 7\n',
    );
    let message = '';
    try {
      loadConfig({ env: {}, file });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('elasticsearch.retention.maxAgeDays');
    expect(message).toContain('elasticsearch.retention.environments.staging.maxAgeDay');
  });
});
