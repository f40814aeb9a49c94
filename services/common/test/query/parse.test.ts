import { describe, expect, it } from 'vitest';
import { parseQuery, QueryLimitError, type QueryNode, QuerySyntaxError } from '../../src/index.js';

/** The tree without positions, written compactly for the tables below. */
function shape(node: QueryNode): unknown {
  switch (node.kind) {
    case 'and':
    case 'or':
      return { [node.kind]: node.children.map(shape) };
    case 'not':
      return { not: shape(node.child) };
    case 'term':
      return `${node.field}=${node.value}`;
    case 'phrase':
      return `${node.field}="${node.value}"`;
    case 'wildcard':
      return `${node.field ?? ''}~${node.pattern}`;
    case 'range':
      return {
        range: node.field,
        ...(node.lower && { [node.lower.inclusive ? 'gte' : 'gt']: node.lower.value }),
        ...(node.upper && { [node.upper.inclusive ? 'lte' : 'lt']: node.upper.value }),
      };
    case 'exists':
      return `${node.field}?`;
    case 'text':
      return node.phrase ? `"${node.value}"` : node.value;
    case 'all':
      return 'ALL';
  }
}

describe('parseQuery', () => {
  it.each<[string, unknown]>([
    ['', 'ALL'],
    ['   ', 'ALL'],
    ['status:500', 'status=500'],
    ['status: 500', 'status=500'],
    ['timeout', 'timeout'],
    ['"connection reset"', '"connection reset"'],
    ['message:"said \\"no\\" twice"', 'message="said "no" twice"'],
    ['a b', { and: ['a', 'b'] }],
    ['a AND b', { and: ['a', 'b'] }],
    ['a and b or c', { or: [{ and: ['a', 'b'] }, 'c'] }],
    ['a OR b c', { or: ['a', { and: ['b', 'c'] }] }],
    ['a (b OR c)', { and: ['a', { or: ['b', 'c'] }] }],
    ['NOT a', { not: 'a' }],
    ['not level:debug', { not: 'level=debug' }],
    ['-level:debug', { not: 'level=debug' }],
    ['a -b', { and: ['a', { not: 'b' }] }],
    ['NOT (a OR b)', { not: { or: ['a', 'b'] } }],
    ['orders android', { and: ['orders', 'android'] }],
    ['"or"', '"or"'],
    ['status:(500 OR 503)', { or: ['status=500', 'status=503'] }],
    ['tags:(a b -c)', { and: ['tags=a', 'tags=b', { not: 'tags=c' }] }],
    ['m:("x y" OR z*)', { or: ['m="x y"', 'm~z*'] }],
    ['url.path:/api/orders/*', 'url.path~/api/orders/*'],
    ['host.name:web-?1', 'host.name~web-?1'],
    ['time*', '~time*'],
    ['file:a\\*b', 'file=a*b'],
    ['file:a\\*b*', 'file~a\\*b*'],
    ['a\\:b', 'a:b'],
    ['x:a\\ b', 'x=a b'],
    ['a\\\\ b', { and: ['a\\', 'b'] }],
    ['http.response.status_code >= 500', { range: 'http.response.status_code', gte: '500' }],
    ['status>500', { range: 'status', gt: '500' }],
    ['status < 100', { range: 'status', lt: '100' }],
    ['status:<=299', { range: 'status', lte: '299' }],
    ['@timestamp >= now-1h', { range: '@timestamp', gte: 'now-1h' }],
    ['status:[200 TO 299]', { range: 'status', gte: '200', lte: '299' }],
    ['status:{200 to 299}', { range: 'status', gt: '200', lt: '299' }],
    ['status:[200 TO 299}', { range: 'status', gte: '200', lt: '299' }],
    ['bytes:[* TO 10]', { range: 'bytes', lte: '10' }],
    ['name:["a b" TO *]', { range: 'name', gte: 'a b' }],
    ['bytes:[* TO *]', 'bytes?'],
    ['trace.id:*', 'trace.id?'],
    ['labels.k8s-app:api', 'labels.k8s-app=api'],
    [
      'level:error AND (service.name:checkout OR service.name:cart) NOT status:200',
      {
        and: ['level=error', { or: ['service.name=checkout', 'service.name=cart'] }, { not: 'status=200' }],
      },
    ],
  ])('%s', (query, expected) => {
    expect(shape(parseQuery(query))).toEqual(expected);
  });

  it('records where each node came from, with lines and columns', () => {
    const root = parseQuery('a\n  status:500');
    expect(root.kind).toBe('and');
    if (root.kind !== 'and') return;
    expect(root.children[1]?.span).toEqual({ start: 4, end: 14, line: 2, column: 3 });
  });
});

describe('syntax errors', () => {
  it.each<[string, number, string]>([
    ['status:', 7, "Expected a value after 'status:' at column 8"],
    ['a AND', 5, "Expected a clause after 'AND' at column 6"],
    ['a OR OR b', 8, "Expected a clause after 'OR' at column 9"],
    ['x >=', 4, "Expected a value after '>=' at column 5"],
    ['message:"abc', 8, "Unterminated quoted phrase: the '\"' at column 9 is never closed"],
    ['(a OR b', 0, "Missing ')': the '(' at column 1 is never closed"],
    ['level:error)', 11, "Unexpected ')' at column 12: no '(' is open"],
    ['status:[1 TO', 7, "Unterminated range: the '[' at column 8 needs 'a TO b' and a closing ']' or '}'"],
    ['a\nb:', 4, "Expected a value after 'b:' at line 2, column 3"],
    ['trailing\\', 8, "A trailing '\\' escapes nothing at column 9"],
  ])('%s', (query, offset, message) => {
    const error = (() => {
      try {
        parseQuery(query);
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(QuerySyntaxError);
    expect(error).toMatchObject({ offset, message, code: 'VIGIE_ERR_QUERY_SYNTAX', httpStatus: 400 });
  });

  it('lists what was expected', () => {
    expect(() => parseQuery('status:')).toThrow(
      expect.objectContaining({ expected: expect.arrayContaining(['value', 'quoted phrase']) }),
    );
  });
});

describe('limits', () => {
  const limitError = (query: string, options = {}) => {
    try {
      parseQuery(query, options);
    } catch (err) {
      if (err instanceof QueryLimitError) return err;
      throw err;
    }
    throw new Error('no limit error');
  };

  it('refuses a query longer than maxLength', () => {
    expect(limitError('a'.repeat(101), { maxLength: 100 }).message).toMatch(
      /101 characters long, more than the 100/,
    );
    expect(parseQuery('a'.repeat(100), { maxLength: 100 }).kind).toBe('text');
  });

  it('counts clauses', () => {
    const query = Array.from({ length: 11 }, (_, i) => `f:${i}`).join(' OR ');
    expect(limitError(query, { maxClauses: 10 }).message).toMatch(/more than 10 clauses/);
    expect(parseQuery(query, { maxClauses: 11 }).kind).toBe('or');
  });

  it('bounds nesting, with or without parentheses', () => {
    expect(limitError('((((a))))', { maxDepth: 3 }).message).toBe(
      'Parentheses nest deeper than 3 levels at column 4',
    );
    expect(limitError('NOT NOT NOT a', { maxDepth: 3 }).message).toMatch(/nests deeper than 3 levels/);
    expect(parseQuery('NOT NOT a', { maxDepth: 3 }).kind).toBe('not');
  });

  it('refuses leading wildcards unless allowed, and counts wildcards', () => {
    expect(limitError('url.path:*orders').message).toMatch(/cannot start with a wildcard \('\*orders'\)/);
    expect(limitError('?rror').message).toMatch(/every term of the message at column 1/);
    expect(parseQuery('url.path:*orders', { allowLeadingWildcards: true }).kind).toBe('wildcard');
    expect(parseQuery('log.level:*rr*').kind).toBe('wildcard');
    expect(parseQuery('url.path:\\*orders').kind).toBe('term');
    expect(limitError('a* b* c*', { maxWildcards: 2 }).message).toMatch(/more than 2 wildcard clauses/);
  });
});

describe('hostile input', () => {
  const fast = (query: string, options = {}) => {
    const start = performance.now();
    let error: unknown;
    try {
      parseQuery(query, options);
    } catch (err) {
      error = err;
    }
    return { error, ms: performance.now() - start };
  };

  it('fails fast on 10,000 nested parentheses, with the default length limit or without it', () => {
    const deep = `${'('.repeat(10_000)}a${')'.repeat(10_000)}`;
    for (const options of [{}, { maxLength: 1_000_000 }]) {
      const { error, ms } = fast(deep, options);
      expect(error).toBeInstanceOf(QueryLimitError);
      expect(ms).toBeLessThan(200);
    }
    expect(fast(deep, { maxLength: 1_000_000 }).error).toMatchObject({ column: 33 });
  });

  it('refuses a 10,000-long chain of negations without overflowing', () => {
    for (const query of [`${'-'.repeat(10_000)}a`, `${'NOT '.repeat(4_000)}a`]) {
      const { error, ms } = fast(query);
      expect(error).toBeInstanceOf(QueryLimitError);
      expect(ms).toBeLessThan(1000);
    }
  });

  it('parses a long flat query in linear time', () => {
    const query = Array.from({ length: 1000 }, (_, i) => `service.name:s${i}`).join(' OR ');
    const { error, ms } = fast(query, { maxLength: 100_000 });
    expect(error).toBeUndefined();
    expect(ms).toBeLessThan(500);
  });

  it.each([
    ['a long word before a stray parenthesis', `${'a'.repeat(16_000)})`],
    ['many open brackets', `f:${'['.repeat(16_000)}`],
    ['many backslashes', `${'\\'.repeat(15_999)}`],
    ['many field-like words', `${'a.b'.repeat(5_000)}:`],
  ])('reports an error on %s quickly', (_name, query) => {
    const { error, ms } = fast(query);
    expect(error).toBeInstanceOf(QuerySyntaxError);
    expect(ms).toBeLessThan(200);
  });

  it('keeps control characters and unicode as data', () => {
    expect(shape(parseQuery('message:"\u0000é\u202e"'))).toBe('message="\u0000é\u202e"');
  });
});
