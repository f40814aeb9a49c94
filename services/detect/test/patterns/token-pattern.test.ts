import { describe, expect, it } from 'vitest';
import { compareTokens, Fit, mergeTokens, tokenMatches } from '../../src/patterns/token-pattern.js';

describe('tokenMatches', () => {
  it.each([
    ['<*>', 'anything', true],
    ['rhost=<*>', 'rhost=example.org', true],
    ['rhost=<*>', 'rhost=', false],
    ['rhost=<*>', 'rhost=,', false],
    ['<*>(uid=<*>)', 'sshd(uid=<*>)', true],
    ['step....<*>', 'step....<*>', true],
    ['step....<*>', 'step.......<*>', false],
    ['a<*>b<*>c', 'a1b2c', true],
    ['a<*>b<*>c', 'abc', false],
    ['plain', 'plainer', false],
  ])('%s fits %s: %s', (template, token, fits) => {
    expect(tokenMatches(template, token)).toBe(fits);
  });
});

describe('mergeTokens', () => {
  it.each([
    ['tty=ssh', 'tty=:<*>', 'tty=<*>'],
    ['(uid=<*>)', '(gid=<*>)', '(<*>=<*>)'],
    ['alice', 'bob', '<*>'],
    ['node-a,', 'node-b,', 'node-<*>,'],
    ['rhost=<*>', 'rhost=db.example.org', 'rhost=<*>'],
  ])('%s and %s give %s', (a, b, merged) => {
    const result = mergeTokens(a, b);
    expect(result).toBe(merged);
    expect(tokenMatches(result, a) || result === a).toBe(true);
  });
});

describe('compareTokens', () => {
  it('tells a value from another event', () => {
    expect(compareTokens('alice', 'alice')).toBe(Fit.Same);
    expect(compareTokens('alice', 'bob')).toBe(Fit.Variable);
    expect(compareTokens('QUEUED', 'RUNNING')).toBe(Fit.Other);
    expect(compareTokens('rhost=', 'rhost=<*>')).toBe(Fit.Other);
    expect(compareTokens('(uid=<*>)', 'LOGIN(uid=<*>)')).toBe(Fit.Other);
    expect(compareTokens('failure;', 'failures;')).toBe(Fit.Other);
    expect(compareTokens('rhost=<*>', 'rhost=<*>.example.org')).toBe(Fit.Same);
    expect(compareTokens('org.example.Job', 'org.example.Task')).toBe(Fit.Partial);
  });
});
