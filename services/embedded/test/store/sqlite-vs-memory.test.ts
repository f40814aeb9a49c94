import type { LogEvent, SearchScope, StoredLog } from '@vigie/common';
import { parseQuery } from '@vigie/common';
import { MemoryStore } from '@vigie/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqliteStore } from '../../src/index.js';
import { removeTempStores, tempStore } from './temp-store.js';

const BASE = Date.UTC(2026, 10, 28, 12);
const RANGE = { from: BASE - 1, to: BASE + 100_000 };

/**
 * Events of every context source (file with and without host, container with and without
 * sequence, syslog stream, syslog sender, none), with clock steps and ties, and fields of
 * every type for facets.
 */
function sourcedLogs(): StoredLog[] {
  return Array.from({ length: 160 }, (_, i) => {
    const event: LogEvent = {
      '@timestamp': new Date(BASE + ((i * 37) % 50) * 100).toISOString(),
      message: `line ${i} ${i % 3 === 0 ? 'failed login' : 'ok'}`,
      service: {
        name: ['api', 'auth', 'shop'][i % 3] as string,
        ...(i % 4 === 0 && { version: `1.${i % 5}` }),
      },
    };
    if (i % 6 !== 5) event.log = { level: ['info', 'warn', 'error'][i % 3] as string };
    switch (i % 5) {
      case 0:
        event.log = { ...event.log, file: { path: `/var/log/${i % 2}.log` }, offset: (i * 13) % 97 };
        if (i % 10 === 0) event.host = { name: 'h1' };
        break;
      case 1:
        event.container = { id: `c${i % 2}`, ...(i % 3 === 0 && { name: 'web' }) };
        if (i % 4 !== 1) event.event = { sequence: i % 7 };
        break;
      case 2:
        event.vigie = { stream: `tcp:10.0.0.${i % 2}:514#1`, source: 'syslog-tcp' };
        event.event = { sequence: i };
        break;
      case 3:
        event.log = {
          ...event.log,
          syslog: { hostname: `s${i % 2}`, ...(i % 3 === 0 && { appname: 'sshd' }) },
        };
        break;
      default:
        event.host = { name: `h${i % 3}` };
    }
    if (i % 4 === 2) event.labels = { team: `t${i % 3}`, zone: i % 2 === 0 ? 'eu' : 'us' };
    if (i % 7 === 1) event.attributes = { tenant: `acme${i % 2}`, 'k8s.pod': `p${i % 3}` };
    if (i % 8 === 3) event.vigie = { ...event.vigie, truncated: i % 16 === 3 };
    if (i % 2 === 0) event.http = { response: { status_code: [200, 404, 500][i % 3] as number } };
    return { id: `s-${String(i).padStart(3, '0')}`, event, partitionTime: BASE };
  });
}

describe('SqliteStore answers as the reference MemoryStore', () => {
  let sqlite: SqliteStore;
  const memory = new MemoryStore();
  const logs = sourcedLogs();
  const scope = (q: string): SearchScope => ({ query: parseQuery(q), ...RANGE });
  beforeAll(async () => {
    sqlite = tempStore();
    await sqlite.writeLogs(logs);
    await memory.writeLogs(logs);
  });
  afterAll(async () => {
    await sqlite.close();
    removeTempStores();
  });

  it.each(logs.filter((_, i) => i % 3 === 0).map((log) => log.id))('reads the context of %s', async (id) => {
    const [mine, reference] = await Promise.all([sqlite.context(id, 4, 4), memory.context(id, 4, 4)]);
    // Every source here has several events: a context that came back empty would prove nothing.
    expect((reference?.before.length ?? 0) + (reference?.after.length ?? 0)).toBeGreaterThan(0);
    expect(mine?.source).toEqual(reference?.source);
    expect(mine?.before.map((hit) => hit.id)).toEqual(reference?.before.map((hit) => hit.id));
    expect(mine?.after.map((hit) => hit.id)).toEqual(reference?.after.map((hit) => hit.id));
  });

  it.each([
    ['service.name', ''],
    ['log.level', 'failed'],
    ['http.response.status_code', ''],
    ['vigie.truncated', ''],
    ['host.name', 'NOT service.name:api'],
    ['labels.team', ''],
    ['labels.zone', 'labels.team:t1'],
    ['tenant', ''],
    ['attributes.k8s.pod', ''],
  ])('ranks the top values of %s (query %j)', async (field, q) => {
    const [mine, reference] = await Promise.all([
      sqlite.topValues(scope(q), field, 2),
      memory.topValues(scope(q), field, 2),
    ]);
    expect(mine).toEqual(reference);
  });

  it.each(['', 'failed', 'service.name:auth', 'labels.team:*', 'tenant:*'])(
    'lists the fields and counts over time the same way (query %j)',
    async (q) => {
      expect(await sqlite.fields(scope(q))).toEqual(await memory.fields(scope(q)));
      expect(await sqlite.histogram(scope(q), 700)).toEqual(await memory.histogram(scope(q), 700));
    },
  );

  it('lists the services with their latest version', async () => {
    expect(await sqlite.listServices(RANGE, 10)).toEqual(await memory.listServices(RANGE, 10));
    const narrow = { from: BASE, to: BASE + 1_000 };
    expect(await sqlite.listServices(narrow, 2)).toEqual(await memory.listServices(narrow, 2));
  });
});
