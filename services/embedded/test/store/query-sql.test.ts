import type { LogEvent, StoredLog } from '@vigie/common';
import { parseQuery, QueryFieldError, toPredicate } from '@vigie/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqliteStore } from '../../src/index.js';
import { toGlob } from '../../src/store/query-sql.js';
import { removeTempStores, tempStore } from './temp-store.js';

const BASE = Date.UTC(2026, 10, 28, 12);
const RANGE = { from: BASE - 1, to: BASE + 10_000 };
const MESSAGES = [
  'Connection refused by db-1.internal',
  "User O'Brien logged in, don't panic",
  'timeout after 30s (upstream=checkout)',
  'Payment FAILED for order 42: card declined',
  'served id=7 user=u7',
  'Ünïcode naïve café résumé',
  'disk_full on /var/lib: 100% used',
  'GET /api/cart?x=1 200',
];

/** Events that exercise every field type, missing fields, arrays, dotted keys and odd text. */
function variedLogs(): StoredLog[] {
  return Array.from({ length: 120 }, (_, i) => {
    const event: LogEvent = {
      '@timestamp': new Date(BASE + i * 10).toISOString(),
      message: `${MESSAGES[i % MESSAGES.length]} #${i}`,
      service: { name: ['checkout', 'auth', 'payments', 'search'][i % 4] as string },
    };
    if (i % 5 !== 0) event.log = { level: i % 7 === 0 ? 'error' : 'info' };
    if (i % 3 === 0) event.host = { name: `web-${i % 4}` };
    if (i % 2 === 0) event.http = { response: { status_code: [200, 404, 500, 503][i % 4] as number } };
    if (i % 4 === 1)
      event.url = { path: ['/api/cart', '/api/orders/7', '/login', '/a*b[c]'][i % 4] as string };
    if (i % 6 === 0) event.event = { duration: i * 1000, ingested: new Date(BASE + i * 1000).toISOString() };
    if (i % 3 === 1)
      event.source = { ip: i % 2 === 0 ? `10.0.${i % 3}.${i}` : `2001:db8::${i.toString(16)}` };
    if (i % 8 === 3) event.vigie = { truncated: i % 16 === 3 };
    if (i % 9 === 2)
      event.error = {
        message: 'disk quota exceeded',
        stack_trace: 'at com.shop.Pay(Pay.java:12)\nat java.lang.Thread.run',
      };
    if (i % 4 === 2) event.labels = { team: `team-${i % 3}`, 'k8s.ns': i % 2 === 0 ? 'prod' : 'dev' };
    if (i % 5 === 1)
      event.attributes = {
        tenant: i % 10 === 1 ? 'acme' : 'globex',
        count: i % 3,
        'k8s.pod': `pod-${i % 4}`,
        nested: { deep: ['x', i % 2 === 0 ? 'y' : 'z'] },
        flag: i % 2 === 0,
      };
    if (i % 7 === 3) event.user = { name: "O'Brien" };
    return { id: `q-${String(i).padStart(3, '0')}`, event, partitionTime: BASE };
  });
}

const QUERIES = [
  '',
  'refused',
  'REFUSED',
  'connection refused',
  '"connection refused"',
  '"refused connection"',
  "don't",
  'db-1.internal',
  'db',
  'timeout*',
  'fail*',
  'ti*out',
  't?meout',
  'caf*',
  'café',
  'cafe',
  'message:"card declined"',
  'message:id',
  'service.name:checkout',
  'service.name:(checkout OR auth)',
  'service.name:check*',
  'service.name > m',
  'NOT log.level:error',
  '-log.level:info',
  'log.level:*',
  'NOT log.level:*',
  'host.name:web-1 OR host.name:web-2',
  'host.name:web-?',
  'labels.team:team-1',
  'labels:team-1',
  'labels:prod',
  'labels.team:*',
  'labels.k8s.ns:prod',
  'labels.team > team-0',
  'labels.team:team*',
  'attributes.k8s.pod:pod-1',
  'tenant:acme',
  'tenant:ac*',
  'NOT tenant:acme',
  'count:1',
  'attributes.nested.deep:z',
  'attributes.nested:y',
  'attributes:*',
  'attributes.flag:true',
  'http.response.status_code >= 500',
  'http.response.status_code:[400 TO 499]',
  'http.response.status_code:{200 TO *]',
  'http.response.status_code:(404 OR 503)',
  'NOT http.response.status_code:200',
  'event.duration < 30000',
  'event.duration:*',
  'source.ip:10.0.0.0/8',
  'source.ip:"2001:db8::/32"',
  'source.ip:[10.0.0.0 TO 10.0.1.255]',
  'source.ip:*',
  'vigie.truncated:true',
  'vigie.truncated:false',
  'NOT vigie.truncated:true',
  'event.ingested >= 2026-11-28T12:00:30',
  'event.ingested:"2026-11-28T12:00:06.000Z"',
  '@timestamp:[2026-11-28T12:00:00Z TO 2026-11-28T12:00:00.100Z]',
  '@timestamp < 2026-11-28T12:00:00.050Z',
  'error.message:disk',
  'error.message:"quota exceeded"',
  'error.stack_trace:"com.shop.pay"',
  'error.stack_trace:java*',
  'url.path:/api/*',
  'url.path:\\/a\\*b\\[c\\]',
  'url.path:*\\[c\\]',
  'user.name:"O\'Brien"',
  '(failed OR served) AND NOT service.name:auth',
  'payment -declined',
  'url.query:*',
  'error.type:*',
];

describe('the query language on SQLite', () => {
  let store: SqliteStore;
  const logs = variedLogs();
  beforeAll(async () => {
    store = tempStore();
    await store.writeLogs(logs);
  });
  afterAll(async () => {
    await store.close();
    removeTempStores();
  });

  it.each(QUERIES)('matches what the reference predicate matches: %s', async (q) => {
    const test = toPredicate(parseQuery(q));
    const expected = logs.filter((log) => test(log.event)).map((log) => log.id);
    const page = await store.search({ query: parseQuery(q), ...RANGE, sort: 'asc', size: 500 });
    expect(page.hits.map((hit) => hit.id)).toEqual(expected);
    expect(page.total.value).toBe(expected.length);
  });

  it.each([
    'event.original:x',
    'message > a',
    'http.response.status_code:abc',
    'source.ip:not-an-ip',
    'vigie.truncated:maybe',
    'attributes.tenant:ac?e',
    'event.ingested:yesterday',
    'http.response.status_code:5*',
  ])('refuses a clause that does not fit its field, as the predicate does: %s', async (q) => {
    expect(() => toPredicate(parseQuery(q))).toThrow(QueryFieldError);
    await expect(store.search({ query: parseQuery(q), ...RANGE, sort: 'asc', size: 5 })).rejects.toThrow(
      QueryFieldError,
    );
  });

  it('sends values as parameters: quotes and SQL in a value are only data', async () => {
    for (const q of [
      'service.name:"x\' OR 1=1 --"',
      'message:"\\") OR 1=1 --"',
      'tenant:"a\'); DROP TABLE logs; --"',
      '"NEAR(a b)"',
      'message:"col : x"',
    ]) {
      const page = await store.search({ query: parseQuery(q), ...RANGE, sort: 'asc', size: 5 });
      expect(page.total.value).toBe(0);
    }
    expect(await store.countLogs()).toBe(logs.length);
  });

  it('turns wildcards into GLOB patterns with escaped literals', () => {
    expect(toGlob('/api/*')).toBe('/api/*');
    expect(toGlob('a\\*b?[c]')).toBe('a[*]b?[[]c]');
    expect(toGlob('\\?\\\\')).toBe('[?]\\');
  });
});
