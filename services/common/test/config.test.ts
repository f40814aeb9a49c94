import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, configKeys, loadConfig, redactConfig } from '../src/index.js';

function configFile(text: string, name = 'vigie.yaml'): string {
  const path = join(mkdtempSync(join(tmpdir(), 'vigie-config-')), name);
  writeFileSync(path, text);
  return path;
}

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('gives every default with an empty environment', () => {
    const { config, warnings } = loadConfig({ env: {} });
    expect(config.kafka.brokers).toEqual(['127.0.0.1:9092']);
    expect(config.kafka.partitions).toBe(6);
    expect(config.elasticsearch.url).toBe('http://127.0.0.1:9200');
    expect(config.ops.host).toBe('127.0.0.1');
    expect(warnings).toEqual([]);
  });

  it('reads VIGIE_* variables, with lists comma-separated and numbers converted', () => {
    const { config } = loadConfig({
      env: {
        VIGIE_KAFKA_BROKERS: 'k1:9092, k2:9092',
        VIGIE_KAFKA_PARTITIONS: '12',
        VIGIE_PROCESSOR_GROUP_ID: 'g',
      },
    });
    expect(config.kafka.brokers).toEqual(['k1:9092', 'k2:9092']);
    expect(config.kafka.partitions).toBe(12);
    expect(config.processor.groupId).toBe('g');
  });

  it('reads a YAML file, and the environment wins over it', () => {
    const file = configFile('kafka:\n  partitions: 24\n  logsTopic: from-file\nlog:\n  level: debug\n');
    const { config } = loadConfig({ env: { VIGIE_KAFKA_PARTITIONS: '3' }, file });
    expect(config.kafka.partitions).toBe(3);
    expect(config.kafka.logsTopic).toBe('from-file');
    expect(config.log.level).toBe('debug');
  });

  it('reads a JSON file named by VIGIE_CONFIG', () => {
    const file = configFile('{"elasticsearch": {"indexPrefix": "team-a"}}', 'vigie.json');
    expect(loadConfig({ env: { VIGIE_CONFIG: file } }).config.elasticsearch.indexPrefix).toBe('team-a');
  });

  it('stops on a bad value with one line naming the variable and what is expected', () => {
    const error = errorOf(() => loadConfig({ env: { VIGIE_KAFKA_PARTITIONS: 'many' } }));
    expect(error.message).toBe(
      'Invalid configuration: VIGIE_KAFKA_PARTITIONS (kafka.partitions): expected integer, got "many"',
    );
    expect(error.message).not.toContain('\n');
  });

  it('reports every problem together, file typos included', () => {
    const file = configFile('kafka:\n  brokerz: [a]\nprocessor:\n  concurrency: 0\n');
    const error = errorOf(() => loadConfig({ env: { VIGIE_LOG_LEVEL: 'loud' }, file }));
    expect(error.message).toContain(`kafka.brokerz in ${file}: unknown key`);
    expect(error.message).toContain(
      `processor.concurrency in ${file}: expected integer to be greater or equal to 1`,
    );
    expect(error.message).toContain('VIGIE_LOG_LEVEL (log.level): expected one of trace, debug, info');
    expect(error.message).not.toContain('\n');
  });

  it('names a file that is not YAML', () => {
    const file = configFile('kafka: [unclosed\n');
    expect(errorOf(() => loadConfig({ env: {}, file })).message).toContain(
      `config file ${file} is not valid YAML or JSON`,
    );
  });

  it('never shows a secret, not even an invalid one', () => {
    const file = configFile('elasticsearch:\n  password: 12345\n');
    const error = errorOf(() => loadConfig({ env: {}, file }));
    expect(error.message).toContain('elasticsearch.password');
    expect(error.message).not.toContain('12345');
    const { config } = loadConfig({
      env: { VIGIE_ELASTICSEARCH_PASSWORD: 's3cret', VIGIE_KAFKA_PASSWORD: 'k3y' },
    });
    expect(JSON.stringify(redactConfig(config))).not.toMatch(/s3cret|k3y/);
    expect(config.elasticsearch.password).toBe('s3cret');
  });

  it('warns about an unknown VIGIE_ variable, a likely typo', () => {
    const { warnings } = loadConfig({ env: { VIGIE_KAFKA_BROKER: 'x:1' } });
    expect(warnings).toEqual(['unknown environment variable VIGIE_KAFKA_BROKER ignored']);
  });

  it('derives one variable per setting, all distinct and described', () => {
    const keys = configKeys();
    expect(new Set(keys.map((k) => k.env)).size).toBe(keys.length);
    expect(keys.find((k) => k.path === 'processor.groupId')?.env).toBe('VIGIE_PROCESSOR_GROUP_ID');
    expect(keys.filter((k) => !k.schema.description)).toEqual([]);
  });
});
