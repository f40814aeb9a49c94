import { loadConfig, type SearchPage, type SearchRequest, type VigieConfig } from '@vigie/common';
import { MemoryAlertStore, MemoryStore, testLogger } from '@vigie/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningApi, runApi } from '../../src/index.js';
import { apiConfig } from './harness.js';

/** A store whose health a test can take away after start-up. */
class FlakyStore extends MemoryStore {
  down = false;
  override async healthcheck(): Promise<void> {
    if (this.down) throw new Error('store unreachable');
  }
  override async search(request: SearchRequest): Promise<SearchPage> {
    if (this.down) throw new Error('store unreachable');
    return super.search(request);
  }
}

const running: RunningApi[] = [];
afterEach(async () => {
  for (const api of running.splice(0)) await api.stop();
});

/** `vigie api` in-process on free ports (API and ops) over an in-memory store. */
async function startApi(store = new FlakyStore()): Promise<RunningApi> {
  const base = loadConfig({ env: {} }).config;
  const config: VigieConfig = { ...base, api: apiConfig(), ops: { ...base.ops, port: 0 } };
  const api = await runApi(config, testLogger(), { search: store, alerts: new MemoryAlertStore() });
  running.push(api);
  return api;
}

/** Labels as one key, sorted, without the `role` every series carries: `method=GET,route=/x`. */
const series = (labels: Record<string, string>) =>
  Object.entries(labels)
    .filter(([name]) => name !== 'role')
    .map(([name, value]) => `${name}=${value}`)
    .sort()
    .join(',');

/** The series of one metric on the ops endpoint, by their labels (`series`). */
async function samples(opsUrl: string, name: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${opsUrl}/metrics`)).text();
  const found = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match?.[1] !== name) continue;
    const labels = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]),
    );
    found.set(series(labels), Number(match[3]));
  }
  return found;
}

describe('the API ops endpoints', () => {
  it('listens apart from the API, on the role default port unless ops.port says otherwise', async () => {
    const api = await startApi();
    expect(api.opsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(api.opsUrl).not.toBe(api.url);
    expect(await (await fetch(`${api.opsUrl}/health`)).json()).toEqual({ status: 'ok' });
    // The API port keeps its own probes and gains no /metrics.
    expect((await fetch(`${api.url}/metrics`)).status).toBe(404);
  });

  it('counts a search by route pattern and status, and times the store read', async () => {
    const api = await startApi();
    const search = await fetch(`${api.url}/api/search?q=service.name:checkout&from=now-1h`);
    expect(search.status).toBe(200);
    const requests = await samples(api.opsUrl, 'vigie_api_requests_total');
    expect(requests.get(series({ method: 'GET', route: '/api/search', status_code: '200' }))).toBe(1);
    const durations = await samples(api.opsUrl, 'vigie_api_request_duration_seconds_count');
    expect(durations.get(series({ method: 'GET', route: '/api/search' }))).toBe(1);
    const reads = await samples(api.opsUrl, 'vigie_api_store_duration_seconds_count');
    expect(reads.get(series({ operation: 'search', outcome: 'ok' }))).toBeGreaterThanOrEqual(1);
  });

  it('counts a failed read of the store as an error, and the answer by its status', async () => {
    const store = new FlakyStore();
    const api = await startApi(store);
    store.down = true;
    const search = await fetch(`${api.url}/api/search?q=service.name:checkout&from=now-1h`);
    expect(search.status).toBeGreaterThanOrEqual(500);
    const requests = await samples(api.opsUrl, 'vigie_api_requests_total');
    expect(
      requests.get(series({ method: 'GET', route: '/api/search', status_code: String(search.status) })),
    ).toBe(1);
    const reads = await samples(api.opsUrl, 'vigie_api_store_duration_seconds_count');
    expect(reads.get(series({ operation: 'search', outcome: 'error' }))).toBe(1);
    expect(reads.get(series({ operation: 'search', outcome: 'ok' }))).toBeUndefined();
  });

  it('labels requests with the route pattern, never the URL', async () => {
    const api = await startApi();
    for (const id of ['a1', 'b2', 'c3']) {
      expect((await fetch(`${api.url}/api/anomalies/${id}`)).status).toBe(404);
      expect((await fetch(`${api.url}/api/no-such-route/${id}?x=${id}`)).status).toBe(404);
    }
    const requests = await samples(api.opsUrl, 'vigie_api_requests_total');
    expect(requests.get(series({ method: 'GET', route: '/api/anomalies/:id', status_code: '404' }))).toBe(3);
    expect(requests.get(series({ method: 'GET', route: 'unmatched', status_code: '404' }))).toBe(3);
    expect([...requests.keys()].filter((labels) => /a1|b2|c3/.test(labels))).toEqual([]);
  });

  it('says ready while the store answers, 503 when it does not', async () => {
    const store = new FlakyStore();
    const api = await startApi(store);
    const ready = await fetch(`${api.opsUrl}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ready: true, checks: { storage: 'ok' } });
    store.down = true;
    const notReady = await fetch(`${api.opsUrl}/ready`);
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toEqual({ ready: false, checks: { storage: 'unavailable' } });
  });
});
