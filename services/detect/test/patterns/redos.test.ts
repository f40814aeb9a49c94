import { checkSync } from 'recheck';
import { describe, expect, it } from 'vitest';
import { PATTERNS as MASK_PATTERNS } from '../../src/patterns/mask.js';
import { PATTERNS as TOKEN_PATTERNS } from '../../src/patterns/token-pattern.js';

// The miner runs these on every error message, which an attacker may write: each must
// match in linear time. The pure JS backend keeps the test offline and free of a JVM.
process.env.RECHECK_BACKEND ??= 'pure';

const patterns = Object.entries({ ...MASK_PATTERNS, ...TOKEN_PATTERNS });

describe('regular expressions of the template miner', () => {
  it('are enumerated', () => {
    expect(patterns.length).toBeGreaterThanOrEqual(15);
  });

  it.each(patterns)(
    '%s is safe from ReDoS',
    (_name, re) => {
      const result = checkSync(re.source, re.flags.replace('g', ''), { timeout: 50_000 });
      const attack = result.status === 'vulnerable' ? result.attack.pattern : undefined;
      expect({ status: result.status, attack }).toEqual({ status: 'safe', attack: undefined });
    },
    60_000,
  );
});
