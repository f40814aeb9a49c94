import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BucketMetric } from '@vigie/common';
import { UnavailableError } from '@vigie/common';
import { MemoryStore, sampleAnomaly, testLogger } from '@vigie/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiServer } from '../../src/index.js';
import { apiConfig, getJson, type SeededApi, seededApi } from './harness.js';

let api: SeededApi;
let url = '';

beforeAll(async () => {
  api = await seededApi();
  await api.app.listen({ host: '127.0.0.1', port: 0 });
  const address = api.app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  url = `http://127.0.0.1:${address.port}`;
});
afterAll(async () => {
  await api?.close();
});

/** Reads SSE messages from a live tail until `done` says so or the time runs out. */
async function readTail(
  response: Response,
  done: (messages: string[]) => boolean,
  timeoutMs: number,
): Promise<string[]> {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  const messages: string[] = [];
  let buffer = '';
  const deadline = Date.now() + timeoutMs;
  while (!done(messages) && Date.now() < deadline) {
    const chunk = await Promise.race([
      reader.read(),
      new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), deadline - Date.now())),
    ]);
    if (!chunk || chunk.done) break;
    buffer += decoder.decode(chunk.value, { stream: true });
    const parts = buffer.split('\n\n');
    buffer = parts.pop() ?? '';
    messages.push(...parts);
  }
  await reader.cancel();
  return messages;
}

describe('GET /api/tail', () => {
  it('streams a matching event indexed after the tail started, and not the others', async () => {
    const controller = new AbortController();
    const response = await fetch(`${url}/api/tail?q=${encodeURIComponent('service.name:tail-test')}`, {
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const at = new Date().toISOString();
    const event = (name: string, message: string) => ({
      '@timestamp': at,
      message,
      service: { name },
    });
    const reading = readTail(
      response,
      (messages) => messages.some((m) => m.startsWith('event: events')),
      15_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    await api.store.writeLogs([
      { id: 'tail-1', event: event('tail-test', 'new line for the tail'), partitionTime: Date.parse(at) },
      { id: 'tail-2', event: event('someone-else', 'not for this tail'), partitionTime: Date.parse(at) },
    ]);
    await api.store.refresh();
    const messages = await reading;
    controller.abort();
    const data = messages.find((m) => m.startsWith('event: events'))?.split('\ndata: ')[1] ?? '{}';
    const sent = JSON.parse(data) as { events: Array<{ id: string; event: { message: string } }> };
    expect(sent.events.map((e) => e.id)).toEqual(['tail-1']);
    expect(sent.events[0]?.event.message).toBe('new line for the tail');
  });

  it('frees its slot when the client disconnects, and refuses tails over the limit', async () => {
    const open = async () => {
      const controller = new AbortController();
      const response = await fetch(`${url}/api/tail`, { signal: controller.signal });
      return { response, controller };
    };
    const tails = [await open(), await open(), await open()];
    expect(tails.map((t) => t.response.status)).toEqual([200, 200, 200]);
    expect((await fetch(`${url}/api/tail`)).status).toBe(503);
    for (const tail of tails) tail.controller.abort();
    // The server sees the disconnections shortly after.
    let status = 503;
    for (let i = 0; i < 50 && status !== 200; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const again = await open();
      status = again.response.status;
      again.controller.abort();
    }
    expect(status).toBe(200);
  });
});

describe('anomalies and services', () => {
  const metric = (minute: number, count: number): BucketMetric => ({
    service: 'checkout',
    '@timestamp': new Date(Date.now() - (59 - minute) * 60_000 - 30_000).toISOString(),
    bucketMs: 60_000,
    count,
    errors: minute >= 50 ? count / 2 : 1,
    errorRatio: minute >= 50 ? 0.5 : 1 / count,
    status: { '1xx': 0, '2xx': count, '3xx': 0, '4xx': 0, '5xx': 0 },
    expected: {
      errorRatio: 0.01,
      errorRatioUpper: 0.05,
      count: 200,
      countLower: 150,
      countUpper: 250,
      windowMs: 120_000,
    },
  });

  beforeAll(async () => {
    const start = new Date(Date.now() - 10 * 60_000).toISOString();
    await api.store.writeAnomalies([
      sampleAnomaly(1, {
        id: 'spike',
        service: 'checkout',
        kind: 'error_spike',
        dimension: {},
        start,
        updated: start,
        windowMs: 60_000,
      }),
      sampleAnomaly(2, {
        id: 'old',
        service: 'checkout',
        state: 'closed',
        severity: 'critical',
        end: '2026-03-02T11:00:00Z',
      }),
    ]);
    await api.store.writeMetrics(Array.from({ length: 60 }, (_, minute) => metric(minute, 100 + minute)));
    await api.store.refresh();
  });

  it('lists anomalies by time, service, severity and state', async () => {
    const list = async (query: string) =>
      (
        await getJson<{ anomalies: Array<{ id: string }> }>(api.app, `/api/anomalies?${query}`)
      ).body.anomalies.map((a) => a.id);
    expect(await list('service=checkout')).toEqual(['spike']);
    expect(await list('from=2026-03-01T00:00:00Z&severity=critical')).toEqual(['old']);
    expect(await list('from=2026-03-01T00:00:00Z&state=open&service=checkout')).toEqual(['spike']);
    expect(await list('service=nobody')).toEqual([]);
    expect((await getJson(api.app, '/api/anomalies?kind=nonsense')).status).toBe(400);
  });

  it('gives an anomaly with its observed series against the expected band', async () => {
    const { status, body } = await getJson<{
      anomaly: { id: string };
      series: { metric: string; points: Array<{ observed: number; expected: number; upper: number }> };
    }>(api.app, '/api/anomalies/spike');
    expect(status).toBe(200);
    expect(body.anomaly.id).toBe('spike');
    expect(body.series.metric).toBe('error_ratio');
    expect(body.series.points.length).toBeGreaterThanOrEqual(55);
    expect(body.series.points.at(-1)).toMatchObject({ observed: 0.5, expected: 0.01, upper: 0.05 });
    expect((await getJson(api.app, '/api/anomalies/nope')).status).toBe(404);
  });

  it('summarises services with sparklines, version and open anomalies', async () => {
    const { body } = await getJson<{
      services: Array<{
        name: string;
        version: string | null;
        volume: Array<{ observed: number; expected: number }>;
        open_anomalies: number;
      }>;
    }>(api.app, '/api/services?from=now-1h');
    const checkout = body.services.find((s) => s.name === 'checkout');
    expect(checkout?.open_anomalies).toBe(1);
    expect(checkout?.volume.reduce((sum, p) => sum + p.observed, 0)).toBe(
      Array.from({ length: 60 }, (_, m) => 100 + m).reduce((a, b) => a + b, 0),
    );
    // The volume band is per two-minute window: a one-minute bucket expects half of it.
    expect(checkout?.volume).toHaveLength(60);
    expect(checkout?.volume[0]?.expected).toBeCloseTo(100, 5);
    expect(body.services.find((s) => s.name === 'frontend')?.version).toBe('1.25.4');
  });
});

describe('health, readiness and the UI', () => {
  it('answers /health and /ready, and 503 on /ready when the store is down', async () => {
    expect((await fetch(`${url}/health`)).status).toBe(200);
    expect((await fetch(`${url}/ready`)).status).toBe(200);
    const down = await createApiServer({
      store: {
        healthcheck: async () => {
          throw new UnavailableError('Elasticsearch');
        },
      },
      search: new MemoryStore(),
      config: apiConfig(),
      logger: testLogger(),
    });
    const ready = await down.inject({ method: 'GET', url: '/ready' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toEqual({
      error: { code: 'VIGIE_ERR_UNAVAILABLE', message: 'Elasticsearch is unavailable' },
    });
    await down.close();
  });

  it('serves the built UI at / with index.html for its own routes, JSON 404 under /api', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vigie-ui-'));
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>Vigie UI</title>');
    await writeFile(join(dir, 'app.js'), 'console.log(1)');
    const app = await createApiServer({
      store: new MemoryStore(),
      search: new MemoryStore(),
      config: apiConfig({ uiDir: dir }),
      logger: testLogger(),
    });
    try {
      const root = await app.inject({ method: 'GET', url: '/' });
      expect(root.body).toContain('Vigie UI');
      expect((await app.inject({ method: 'GET', url: '/app.js' })).body).toBe('console.log(1)');
      expect((await app.inject({ method: 'GET', url: '/search?q=a' })).body).toContain('Vigie UI');
      const missing = await app.inject({ method: 'GET', url: '/api/nothing' });
      expect(missing.statusCode).toBe(404);
      expect(missing.json().error.code).toBe('VIGIE_ERR_NOT_FOUND');
    } finally {
      await app.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
