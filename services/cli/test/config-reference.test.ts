import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { configReference } from '../src/config-reference.js';

describe('configuration reference', () => {
  it('is the one in README.md (regenerate with `npm run docs:config`)', () => {
    const readme = readFileSync(fileURLToPath(new URL('../../../README.md', import.meta.url)), 'utf8');
    const section = /<!-- config-reference:start -->\n([\s\S]*?)<!-- config-reference:end -->/.exec(
      readme,
    )?.[1];
    expect(section).toBe(configReference());
  });

  it('lists every variable with its default and marks secrets', () => {
    const table = configReference();
    expect(table).toContain('| `VIGIE_KAFKA_BROKERS` | `kafka.brokers` | `127.0.0.1:9092` |');
    expect(table).toMatch(/`VIGIE_ELASTICSEARCH_PASSWORD`.*Secret: never logged/);
  });

  it('lists the fields of list entries, per variant for receivers, with every field described', () => {
    const table = configReference();
    expect(table).toContain('| `alerter.receivers[].name` |');
    expect(table).toMatch(/`alerter\.receivers\[type=pagerduty\]\.routingKey`.*Secret: never logged/);
    expect(table).toContain('| `alerter.routes[].match.severity` |');
    expect(table).toContain('| `alerter.receivers[type=opsgenie].responders[].type` |');
    const undescribed = table.split('\n').filter((line) => line.endsWith('|  |'));
    expect(undescribed).toEqual([]);
  });
});
