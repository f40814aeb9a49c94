import { describe, expect, it } from 'vitest';
import {
  environmentIndexSegment,
  LogIndexRouter,
  logIndexName,
  parseLogIndexName,
} from '../../src/elasticsearch/log-indices.js';

const DAY = Date.UTC(2026, 10, 28, 15, 30);

// What Elasticsearch accepts in an index name: lower case, none of \ / * ? " < > | space , #
// and no leading - _ +, at most 255 bytes; Vigie's segments are stricter still.
const SEGMENT = /^[a-z0-9][a-z0-9_]*$/;

describe('environmentIndexSegment', () => {
  it('keeps a plain lower-case name as it is', () => {
    expect(environmentIndexSegment('staging')).toBe('staging');
    expect(environmentIndexSegment('prod_eu1')).toBe('prod_eu1');
  });

  it.each([
    ['../../etc', 'etc_'],
    ['Staging', 'staging_'],
    ['prod-eu', 'prod_eu_'],
    ['*', ''],
    ['a,b', 'a_b_'],
    ['_all', 'all_'],
    ['x y#z?"<>|\\/', 'x_y_z_'],
    ['préprod', 'pr_prod_'],
    ['日本', ''],
    ['😀staging', 'staging_'],
  ])('turns hostile %j into a safe segment', (environment, readablePart) => {
    const segment = environmentIndexSegment(environment);
    expect(segment).toMatch(SEGMENT);
    expect(segment.startsWith(readablePart)).toBe(true);
    expect(segment).toMatch(/[0-9a-f]{8}$/);
    // The whole index name stays valid whatever the name was.
    expect(logIndexName('vigie', DAY, segment)).toMatch(/^vigie-logs-env-[a-z0-9_]+-2026\.11\.28$/);
  });

  it('bounds the length of a very long name', () => {
    const segment = environmentIndexSegment('production'.repeat(1000));
    expect(segment.length).toBeLessThanOrEqual(49);
    expect(segment).toMatch(SEGMENT);
  });

  it('gives names that differ only by what is replaced segments of their own', () => {
    const names = [
      'Staging',
      'staging',
      'STAGING',
      'stag ing',
      'stag-ing',
      'stag_ing',
      `${'a'.repeat(40)}1`,
      `${'a'.repeat(40)}2`,
    ];
    const segments = names.map(environmentIndexSegment);
    expect(new Set(segments).size).toBe(names.length);
  });
});

describe('log index names', () => {
  it('are daily by UTC day, with or without an environment, and read back', () => {
    expect(logIndexName('vigie', DAY)).toBe('vigie-logs-2026.11.28');
    expect(logIndexName('vigie', DAY, 'staging')).toBe('vigie-logs-env-staging-2026.11.28');
    const day = Date.UTC(2026, 10, 28);
    expect(parseLogIndexName('vigie', 'vigie-logs-2026.11.28')).toEqual({ day });
    expect(parseLogIndexName('vigie', 'vigie-logs-env-staging-2026.11.28')).toEqual({
      day,
      segment: 'staging',
    });
  });

  it('leave alone names that logIndexName did not make', () => {
    for (const name of [
      'vigie-logs',
      'vigie-logs-2026.11.28-restored',
      'vigie-logs-2026.02.31',
      'vigie-logs-2026.1.28',
      'vigie-logs-env--2026.11.28',
      'vigie-logs-env-Staging-2026.11.28',
      // Another deployment whose prefix starts with this one's.
      'vigie-logs-env-foo-logs-2026.11.28',
      'vigie-logs-x-logs-2026.11.28',
      'vigie-deadletter',
    ])
      expect(parseLogIndexName('vigie', name), name).toBeUndefined();
  });
});

describe('LogIndexRouter', () => {
  const router = new LogIndexRouter('vigie', ['staging', 'Prod EU']);

  it('sends a configured environment to its own indices, anything else to the shared ones', () => {
    expect(router.indexFor(DAY, 'staging')).toBe('vigie-logs-env-staging-2026.11.28');
    expect(router.indexFor(DAY, 'Prod EU')).toMatch(/^vigie-logs-env-prod_eu_[0-9a-f]{8}-2026\.11\.28$/);
    for (const other of [
      'production',
      'Staging',
      '../staging',
      'staging*',
      undefined,
      42,
      { toString: () => 'staging' },
    ])
      expect(router.indexFor(DAY, other)).toBe('vigie-logs-2026.11.28');
  });

  it('knows which environment a segment belongs to', () => {
    expect(router.environmentOf('staging')).toBe('staging');
    expect(router.environmentOf(environmentIndexSegment('Prod EU'))).toBe('Prod EU');
    expect(router.environmentOf('production')).toBeUndefined();
  });
});
