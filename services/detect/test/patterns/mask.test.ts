import { maskToken, tokenize } from '@vigie/detect';
import { describe, expect, it } from 'vitest';

describe('maskToken', () => {
  it.each([
    ['42', '<*>'],
    ['-3.5', '<*>'],
    ['10.0.0.12', '<*>'],
    ['10.0.0.12:8080', '<*>:<*>'],
    ['0x7ffe12ab', '<*>'],
    ['deadbeefcafe42', '<*>'],
    ['3f2504e0-4f89-11d3-9a0c-0305e82c3301', '<*>'],
    ['fe80::1ff:fe23:4567:890a', '<*>'],
    ['00:1a:2b:3c:4d:5e', '<*>'],
    ['/var/log/vigie/app.log', '<*>'],
    ["'/var/spool/vigie'", "'<*>'"],
    ['https://vigie.example.org/api?q=1', '<*>'],
    ['ops@vigie.example.org', '<*>'],
    ['250ms', '<*>'],
    ['12KB,', '<*>,'],
    ['user_id=1234', 'user_id=<*>'],
    ['(pid=77)', '(pid=<*>)'],
    ['retry#3', 'retry#<*>'],
    ['depth.....12', 'depth.....<*>'],
    ['core.1234', 'core.<*>'],
    ['org.example.v2.app.Main', 'org.example.<*>.app.Main'],
    ['10-1-2-3.dsl.example.net', '<*>'],
    ['Fri', '<*>'],
    ['blk_-4217', 'blk_<*>'],
    ['web-01', '<*>'],
    ['checkout-7d9f8b6c5-x2x9q', '<*>'],
    ['rhost=10-1-2-3.dsl.example.net', 'rhost=<*>'],
  ])('masks %s as %s', (token, masked) => {
    expect(maskToken(token)).toBe(masked);
  });

  it.each(['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun', 'Jan', 'May', 'Sep', 'December', 'Thursday,'])(
    'masks the date word %s',
    (token) => {
      expect(maskToken(token)).toBe('<*>');
    },
  );

  it.each([
    'checkout',
    'user=alice',
    'RUNNING',
    'error:',
    '(ok)',
    'Monitor',
    'org.example.Main',
    'ssh2',
    'jk2_init()',
  ])('keeps the word %s', (token) => {
    expect(maskToken(token)).toBe(token);
  });
});

describe('tokenize', () => {
  it('splits on any whitespace and masks each token', () => {
    expect(tokenize('  payment\trefused for order 991 ', 64)).toEqual([
      'payment',
      'refused',
      'for',
      'order',
      '<*>',
    ]);
  });

  it('folds a run of variables into one, so lists of any length share a template', () => {
    expect(tokenize('purge 1 22 333 done', 64)).toEqual(['purge', '<*>', 'done']);
    expect(tokenize('purge blk_1 blk_22 blk_333 done', 64)).toEqual(['purge', 'blk_<*>', 'done']);
  });

  it('folds a unit into the number before it', () => {
    expect(tokenize('cache size 9.2 KB, took 31 ms', 64)).toEqual(['cache', 'size', '<*>,', 'took', '<*>']);
  });

  it('takes a very long token for data', () => {
    expect(tokenize(`payload ${'QUJD'.repeat(100)} rejected`, 64)).toEqual(['payload', '<*>', 'rejected']);
  });

  it('keeps at most maxTokens tokens', () => {
    expect(tokenize('a b c d e f', 3)).toEqual(['a', 'b', 'c']);
  });
});
