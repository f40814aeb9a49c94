import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { splitHighlight } from '../src/lib/highlight.js';
import { addClause, fieldClause, quoteValue, routeClause } from '../src/lib/query-text.js';
import { formatHash, parseHash } from '../src/lib/route.js';
import { resolveTime } from '../src/lib/time.js';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

async function sources(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((entry) => (entry.isDirectory() ? sources(join(dir, entry.name)) : [join(dir, entry.name)])),
  );
  return nested.flat();
}

describe('UI helpers', () => {
  it('quotes values with the grammar escapes so log text cannot change the query', () => {
    expect(quoteValue('a "b" \\ c')).toBe('"a \\"b\\" \\\\ c"');
    expect(fieldClause('user.name', '" OR *:*', false)).toBe('user.name:"\\" OR *:*"');
    expect(fieldClause('log.level', 'error', true)).toBe('NOT log.level:"error"');
    expect(fieldClause('weird key', 'x', false)).toBeNull();
    expect(fieldClause('http.response.status_code', 502, false)).toBe('http.response.status_code:"502"');
  });

  it('turns a route template into a url.path pattern whose only wildcards are its ids', () => {
    expect(routeClause('/api/orders/:id/items')).toBe('url.path:/api/orders/*/items');
    expect(routeClause('/a b/*?/"x"')).toBe('url.path:/a\\ b/\\*\\?/\\"x\\"');
    expect(routeClause('OR')).toBe('url.path:\\OR');
    expect(routeClause('-x')).toBe('url.path:\\-x');
  });

  it('adds a clause with AND and keeps an OR query grouped', () => {
    expect(addClause('', 'a:"1"')).toBe('a:"1"');
    expect(addClause('x OR y', 'a:"1"')).toBe('(x OR y) AND a:"1"');
    expect(addClause('(x OR y)', 'a:"1"')).toBe('(x OR y) AND a:"1"');
    expect(addClause('x', 'NOT a:"1"')).toBe('x AND NOT a:"1"');
  });

  it('splits highlight markers into text runs', () => {
    expect(splitHighlight('a \u0001hit\u0002 <b>\u0001two\u0002')).toEqual([
      { text: 'a ', hit: false },
      { text: 'hit', hit: true },
      { text: ' <b>', hit: false },
      { text: 'two', hit: true },
    ]);
    expect(splitHighlight('\u0002stray\u0001')).toEqual([{ text: 'stray', hit: false }]);
  });

  it('keeps the view in the URL hash and reads it back', () => {
    const params = { q: 'a:"x y" AND b & c=#', from: 'now-1h', to: 'now', event: 'id/1', tail: '1' };
    const hash = formatHash('search', params);
    expect(hash.startsWith('#/search?')).toBe(true);
    expect(parseHash(hash)).toEqual({ page: 'search', params });
    expect(parseHash('#/nowhere?q=x')).toEqual({ page: 'services', params: { q: 'x' } });
    expect(parseHash('')).toEqual({ page: 'services', params: {} });
  });

  it('resolves relative and absolute times', () => {
    const now = Date.parse('2026-03-02T10:00:00Z');
    expect(resolveTime('now-15m', now)).toBe(now - 900_000);
    expect(resolveTime('now', now)).toBe(now);
    expect(resolveTime('2026-03-02T09:00:00Z', now)).toBe(now - 3_600_000);
    expect(resolveTime('garbage', now)).toBeNaN();
  });

  it('never renders raw HTML: no {@html} and no innerHTML in the UI sources', async () => {
    const offenders: string[] = [];
    for (const file of await sources(SRC)) {
      const text = await readFile(file, 'utf8');
      if (/\{@html\b|innerHTML|outerHTML|insertAdjacentHTML|document\.write/.test(text)) offenders.push(file);
    }
    expect(offenders).toEqual([]);
  });
});
