import { checkSync } from 'recheck';
import { describe, expect, it } from 'vitest';
import { PATTERNS as PARSE_PATTERNS } from '../../src/parse/index.js';
import { PATTERNS as REDACT_PATTERNS } from '../../src/redact/index.js';

// Every regular expression run on log content must match in linear time: a line is
// attacker-controlled and up to 1 MiB. recheck proves it per pattern (automaton
// checker, fuzzing where the automaton does not apply); the pure JS backend keeps the
// test offline and free of a JVM.
process.env.RECHECK_BACKEND ??= 'pure';

const patterns: Array<[string, RegExp]> = [
  ...Object.entries(PARSE_PATTERNS).flatMap(([module, record]) =>
    Object.entries(record).map(([name, re]): [string, RegExp] => [`parse/${module}.${name}`, re]),
  ),
  ...Object.entries(REDACT_PATTERNS).map(([name, re]): [string, RegExp] => [`redact.${name}`, re]),
];

describe('regular expressions of parse and redact', () => {
  it('are enumerated (the test checks what the parsers run)', () => {
    expect(patterns.length).toBeGreaterThan(20);
  });

  it.each(patterns)(
    '%s is safe from ReDoS',
    (_name, re) => {
      const result = checkSync(re.source, re.flags.replace('g', ''), { timeout: 50_000 });
      // 'safe' means at most linear; anything polynomial or exponential is 'vulnerable',
      // and 'unknown' (the checker gave up) fails too.
      const attack = result.status === 'vulnerable' ? result.attack.pattern : undefined;
      expect({ status: result.status, attack }).toEqual({
        status: 'safe',
        attack: undefined,
      });
    },
    60_000,
  );

  it('the checker finds known vulnerable patterns', () => {
    expect(checkSync('^(a+)+$', '').status).toBe('vulnerable');
    // The shape the JWT rule had before its look-behind: quadratic on '-eyJ-J' repeated.
    expect(checkSync('\\beyJ[A-Za-z0-9_-]{2,}\\.[A-Za-z0-9_-]{2,}\\.', '').status).toBe('vulnerable');
  });
});
