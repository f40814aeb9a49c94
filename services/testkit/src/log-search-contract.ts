import type { DetectionStore, LogEvent, LogSearch, LogStore, SearchRequest, StoredLog } from '@vigie/common';
import { parseQuery, toPredicate } from '@vigie/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anomalyCountCases } from './anomaly-count-contract.js';
import { sampleAnomaly } from './detection-store-contract.js';
import { sampleEvent } from './events.js';
import { routeLatencyCases } from './route-latency-contract.js';

/** A store that can be written (to seed it) and searched. */
export type SearchableStore = LogStore & DetectionStore & LogSearch;

const BASE = Date.UTC(2026, 10, 28, 12);
const RANGE = { from: BASE - 60_000, to: BASE + 3_600_000 };
/** A day after the events, for metrics no other test reads. */
const LATER = BASE + 86_400_000;

/** 300 access events, three per millisecond so that pages end inside ties. */
function accessLogs(): StoredLog[] {
  return Array.from({ length: 300 }, (_, i) => {
    const event = sampleEvent(i, BASE);
    event['@timestamp'] = new Date(BASE + Math.floor(i / 3)).toISOString();
    if (i % 10 === 0) event.labels = { team: `team-${i % 3}` };
    if (i % 30 === 0) event.event = { ...event.event, original: `raw line ${i}` };
    return { id: `a-${String(i).padStart(3, '0')}`, event, partitionTime: BASE };
  });
}

/**
 * Lines of two files on two hosts written at the same times: a file's context must
 * follow its offsets, whatever the other sources did meanwhile. Times go backwards
 * within the file on purpose (a clock step), so only the offsets give the order.
 */
function fileLogs(): StoredLog[] {
  const logs: StoredLog[] = [];
  for (const [host, path] of [
    ['ctx-1', '/var/log/app.log'],
    ['ctx-2', '/var/log/app.log'],
    ['ctx-1', '/var/log/other.log'],
  ] as const) {
    for (let line = 0; line < 40; line++) {
      const event: LogEvent = {
        '@timestamp': new Date(BASE + 1_000 + ((line * 7) % 40) * 10).toISOString(),
        message: `${host} ${path} line ${line}`,
        service: { name: 'ctx-service' },
        host: { name: host },
        log: { file: { path }, offset: line * 120 },
      };
      logs.push({ id: `f-${host}-${path.length}-${line}`, event, partitionTime: BASE });
    }
  }
  return logs;
}

/** Two syslog TCP connections interleaved in time, each ordered by its sequence. */
function streamLogs(): StoredLog[] {
  return Array.from({ length: 30 }, (_, i) => {
    const stream = `tcp:10.0.0.${i % 2}:514#1`;
    const event: LogEvent = {
      '@timestamp': new Date(BASE + 2_000).toISOString(),
      message: `syslog ${i}`,
      service: { name: 'sshd' },
      log: { syslog: { hostname: `h${i % 2}`, appname: 'sshd' } },
      event: { sequence: Math.floor(i / 2) },
      vigie: { source: 'syslog-tcp', stream },
    };
    return { id: `s-${i}`, event, partitionTime: BASE };
  });
}

/**
 * The behaviour every `LogSearch` must have, checked on stores seeded through their write
 * ports; the memory store's predicate is the reference for what a query matches.
 */
export function describeLogSearchContract(name: string, createStore: () => Promise<SearchableStore>): void {
  describe(`LogSearch contract: ${name}`, () => {
    let store: SearchableStore;
    const access = accessLogs();
    const all = [...access, ...fileLogs(), ...streamLogs()];
    const request = (q: string, extra: Partial<SearchRequest> = {}): SearchRequest => ({
      query: parseQuery(q),
      ...RANGE,
      sort: 'desc',
      size: 50,
      ...extra,
    });
    const expectedIds = (q: string) => {
      const test = toPredicate(parseQuery(q));
      return all.filter((log) => test(log.event)).map((log) => log.id);
    };

    beforeAll(async () => {
      store = await createStore();
      await store.setup();
      await store.setupDetection();
      expect((await store.writeLogs(all)).every((outcome) => outcome.status === 'ok')).toBe(true);
      await store.refresh();
    });
    afterAll(async () => {
      await store.close();
    });

    it.each(['asc', 'desc'] as const)('walks every page %s with no repeat and no gap', async (sort) => {
      const seen: string[] = [];
      let after: SearchRequest['after'];
      let previous = sort === 'asc' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
      for (let page = 0; page < 100; page++) {
        const result = await store.search(
          request('service.name:(checkout OR payments)', { sort, size: 7, after }),
        );
        expect(result.total).toEqual({ value: 100, relation: 'eq' });
        for (const hit of result.hits) {
          const at = hit.sort[0] ?? Number.NaN;
          expect(sort === 'asc' ? at >= previous : at <= previous).toBe(true);
          previous = at;
          expect(hit.event).toEqual(all.find((log) => log.id === hit.id)?.event);
        }
        seen.push(...result.hits.map((hit) => hit.id));
        after = result.next;
        if (!after) break;
      }
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen.sort()).toEqual(expectedIds('service.name:(checkout OR payments)').sort());
    });

    it('filters by query and time range', async () => {
      const q = 'log.level:error OR http.response.status_code:404';
      const result = await store.search(request(q, { size: 500 }));
      expect(result.hits.map((hit) => hit.id).sort()).toEqual(expectedIds(q).sort());
      const narrow = await store.search(request('', { from: BASE, to: BASE + 9, size: 500 }));
      expect(narrow.total.value).toBe(30);
      expect(narrow.next).toBeUndefined();
    });

    it('marks the words that matched in the message', async () => {
      const result = await store.search(request('failed', { size: 5, highlight: true }));
      expect(result.hits.length).toBeGreaterThan(0);
      for (const hit of result.hits) expect(hit.highlight?.message?.[0]).toContain('\u0001failed\u0002');
      const plain = await store.search(request('failed', { size: 5 }));
      expect(plain.hits[0]?.highlight).toBeUndefined();
    });

    it('counts over time with the same total as the search, split by level', async () => {
      const scope = { query: parseQuery('service.name:checkout'), from: BASE, to: BASE + 99 };
      const histogram = await store.histogram(scope, 10);
      const total = (await store.search({ ...scope, sort: 'desc', size: 1 })).total.value;
      expect(histogram.buckets).toHaveLength(10);
      expect(histogram.total).toBe(total);
      expect(histogram.buckets.reduce((sum, b) => sum + b.count, 0)).toBe(total);
      expect(histogram.buckets[0]?.start).toBe(BASE);
      const levels = histogram.buckets.reduce(
        (sum, b) => sum + (b.levels.info ?? 0) + (b.levels.error ?? 0),
        0,
      );
      expect(levels).toBe(total);
    });

    it('lists the fields of the matching events', async () => {
      const fields = await store.fields({ query: parseQuery('service.name:checkout'), ...RANGE });
      const byName = new Map(fields.map((field) => [field.name, field]));
      expect(byName.get('message')).toEqual({ name: 'message', type: 'text', searchable: true });
      expect(byName.get('http.response.status_code')?.type).toBe('long');
      expect(byName.get('labels.team')).toEqual({ name: 'labels.team', type: 'keyword', searchable: true });
      expect(byName.get('event.original')).toEqual({
        name: 'event.original',
        type: 'keyword',
        searchable: false,
      });
      expect(byName.has('log.file.path')).toBe(false);
    });

    it('ranks the top values of a field', async () => {
      const top = await store.topValues({ query: parseQuery('url.path:*'), ...RANGE }, 'service.name', 2);
      expect(top.total).toBe(300);
      expect(top.values).toEqual([
        { value: 'auth', count: 50 },
        { value: 'catalog', count: 50 },
      ]);
      expect(top.other).toBe(200);
      const status = await store.topValues(
        { query: parseQuery(''), ...RANGE },
        'http.response.status_code',
        1,
      );
      expect(status.values[0]).toEqual({ value: 200, count: expect.any(Number) });
    });

    it('reads the context of a file line from that file, in offset order', async () => {
      const context = await store.context('f-ctx-1-16-20', 5, 3);
      expect(context?.source).toMatchObject({
        kind: 'file',
        fields: { 'host.name': 'ctx-1', 'log.file.path': '/var/log/app.log' },
      });
      expect(context?.anchor.id).toBe('f-ctx-1-16-20');
      expect(context?.before.map((hit) => hit.id)).toEqual(
        [15, 16, 17, 18, 19].map((n) => `f-ctx-1-16-${n}`),
      );
      expect(context?.after.map((hit) => hit.id)).toEqual([21, 22, 23].map((n) => `f-ctx-1-16-${n}`));
      const edge = await store.context('f-ctx-2-16-1', 5, 0);
      expect(edge?.before.map((hit) => hit.id)).toEqual(['f-ctx-2-16-0']);
      expect(edge?.after).toEqual([]);
    });

    it('reads the context of a syslog line from its connection, in sequence order', async () => {
      const context = await store.context('s-10', 2, 2);
      expect(context?.source).toMatchObject({
        kind: 'syslog',
        fields: { 'vigie.stream': 'tcp:10.0.0.0:514#1' },
      });
      expect(context?.before.map((hit) => hit.id)).toEqual(['s-6', 's-8']);
      expect(context?.after.map((hit) => hit.id)).toEqual(['s-12', 's-14']);
      expect(await store.context('no-such-event', 2, 2)).toBeUndefined();
    });

    it('reads anomalies by filter and bucket metrics by series', async () => {
      const open = sampleAnomaly(1, {
        id: 'an-open',
        service: 'checkout',
        start: new Date(BASE).toISOString(),
      });
      const closed = sampleAnomaly(2, {
        id: 'an-closed',
        service: 'payments',
        state: 'closed',
        severity: 'critical',
        start: new Date(BASE - 7_200_000).toISOString(),
        end: new Date(BASE - 3_600_000).toISOString(),
      });
      await store.writeAnomalies([open, closed]);
      const metric = (minute: number, field?: string) => ({
        service: 'checkout',
        ...(field && { field, value: '/api/cart' }),
        '@timestamp': new Date(BASE + minute * 60_000).toISOString(),
        bucketMs: 60_000,
        count: 100 + minute,
        errors: 1,
        errorRatio: 0.01,
        status: { '1xx': 0, '2xx': 99, '3xx': 0, '4xx': 0, '5xx': 1 },
        expected: { count: 100, countLower: 80, countUpper: 120, windowMs: 60_000 },
      });
      await store.writeMetrics([metric(0), metric(1), metric(2), metric(1, 'url.path')]);
      await store.refresh();
      expect((await store.searchAnomalies({ range: RANGE })).map((a) => a.id)).toEqual(['an-open']);
      expect((await store.searchAnomalies({ severity: 'critical' })).map((a) => a.id)).toEqual(['an-closed']);
      expect((await store.searchAnomalies({ state: 'open', service: 'payments' })).length).toBe(0);
      expect(await store.getAnomaly('an-open')).toEqual(open);
      const series = await store.listMetrics({ service: 'checkout', from: BASE, to: BASE + 90_000 });
      expect(series.map((m) => m.count)).toEqual([100, 101]);
      const route = await store.listMetrics({
        ...RANGE,
        service: 'checkout',
        field: 'url.path',
        value: '/api/cart',
      });
      expect(route.map((m) => m.count)).toEqual([101]);
    });

    it('merges service-level metrics by interval with their band', async () => {
      const metric = (second: number, count: number, service = 'shop') => ({
        service,
        '@timestamp': new Date(LATER + second * 1000).toISOString(),
        bucketMs: 10_000,
        count,
        errors: 1,
        errorRatio: 1 / count,
        status: { '1xx': 0, '2xx': count - 1, '3xx': 0, '4xx': 0, '5xx': 1 },
        latency: { samples: count, p50: 10, p95: count, p99: 2 * count },
        expected: { count: 60, countLower: 30, countUpper: 90, errorRatio: 0.01, p95: 50, windowMs: 60_000 },
      });
      await store.writeMetrics([
        metric(0, 10),
        metric(10, 20),
        metric(20, 30),
        metric(60, 40),
        metric(0, 5, 'other'),
        { ...metric(10, 99), field: 'url.path', value: '/x' },
      ]);
      await store.refresh();
      const series = await store.serviceSeries({ from: LATER, to: LATER + 120_000 }, 60_000, 10);
      const shop = series.find((s) => s.service === 'shop');
      expect(series.map((s) => s.service)).toEqual(['other', 'shop']);
      expect(shop?.buckets.map((b) => [b.start - LATER, b.count, b.errors, b.p95])).toEqual([
        [0, 60, 3, 30],
        [60_000, 40, 1, 40],
      ]);
      // Three 10 s buckets each hold a sixth of the 60 s window's band of 60 events.
      expect(shop?.buckets[0]?.expected).toEqual({
        count: 30,
        countLower: 15,
        countUpper: 45,
        errorRatio: 0.01,
        errorRatioUpper: null,
        p95: 50,
        p95Lower: null,
        p95Upper: null,
      });
    });

    routeLatencyCases(() => store);
    anomalyCountCases(() => store);

    it('lists the services seen, by volume, with their latest version', async () => {
      const services = await store.listServices(RANGE, 3);
      expect(services[0]).toEqual({ name: 'ctx-service', version: null, events: 120 });
      expect(services.map((s) => s.name)).toEqual(['ctx-service', 'auth', 'catalog']);
    });
  });
}
