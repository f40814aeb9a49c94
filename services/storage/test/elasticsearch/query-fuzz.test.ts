import { parseQuery, QueryError, toPredicate } from '@vigie/common';
import { describe, expect, it } from 'vitest';
import { EVENTS } from '../../../common/test/query/cases.js';
import { toElasticsearchQuery } from '../../src/elasticsearch/query.js';

/** A small deterministic generator, so that a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

const PIECES = [
  'a',
  'error',
  'log.level',
  'source.ip',
  'http.response.status_code',
  'tenant',
  'message',
  ':',
  ' ',
  ' ',
  '(',
  ')',
  '"',
  '\\',
  '*',
  '?',
  '-',
  'AND',
  'OR',
  'not',
  '>=',
  '<',
  '[',
  ']',
  '{',
  '}',
  ' TO ',
  '500',
  '10.0.0.0/8',
  'now-1h',
  'é',
  '\u0000',
  '\n',
];

describe('random queries', () => {
  it('either parse and translate, or fail with a QueryError, quickly', () => {
    const next = random(20261128);
    const events = Object.values(EVENTS);
    let parsed = 0;
    const started = performance.now();
    for (let i = 0; i < 3000; i++) {
      const length = 1 + Math.floor(next() * 12);
      const query = Array.from({ length }, () => PIECES[Math.floor(next() * PIECES.length)]).join('');
      try {
        const root = parseQuery(query);
        parsed++;
        toElasticsearchQuery(root);
        const test = toPredicate(root);
        for (const event of events) expect(typeof test(event)).toBe('boolean');
      } catch (err) {
        if (!(err instanceof QueryError)) throw new Error(`${JSON.stringify(query)} threw ${String(err)}`);
        expect(err.column).toBeGreaterThan(0);
        expect(err.offset).toBeLessThanOrEqual(query.length);
      }
    }
    // Enough of them must be valid for the translations to be exercised at all.
    expect(parsed).toBeGreaterThan(300);
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it('fails fast on unclosed parentheses at the depth limit', () => {
    const started = performance.now();
    expect(() => parseQuery(`${'a:(b OR ('.repeat(16)}c`)).toThrow(QueryError);
    expect(() => parseQuery(`${'(NOT '.repeat(31)}a`)).toThrow(QueryError);
    expect(performance.now() - started).toBeLessThan(500);
  });
});
