import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '@vigie/common';
import { MemoryAlertStore, MemoryStore, testLogger } from '@vigie/testkit';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createApiServer, KeyStore, registerAccessControl, runApi } from '../../src/index.js';
import { MemoryAuditSink, tempDir } from '../auth/harness.js';
import { apiConfig, getJson } from './harness.js';

const VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function server(
  options: Partial<Parameters<typeof createApiServer>[0]> = {},
): Promise<FastifyInstance> {
  const store = new MemoryStore();
  const app = await createApiServer({
    store,
    search: store,
    config: apiConfig(),
    logger: testLogger(),
    ...options,
  });
  cleanups.push(() => app.close());
  return app;
}

describe('GET /api/info', () => {
  it('says the data is real on Elasticsearch unless told otherwise', async () => {
    const { status, body } = await getJson(await server(), '/api/info');
    expect(status).toBe(200);
    expect(body).toEqual({ version: VERSION, engines: 'kafka+elasticsearch', demo: false });
  });

  it('says the data is simulated while the demo runs, on the engines it is given', async () => {
    const app = await server({ info: { engines: 'embedded', demo: true } });
    const { body } = await getJson(app, '/api/info');
    expect(body).toEqual({ version: VERSION, engines: 'embedded', demo: true });
  });

  it('takes the demo flag from the collector configuration in runApi', async () => {
    const store = new MemoryStore();
    const base = loadConfig({ env: {} }).config;
    for (const demo of [true, false]) {
      const config = {
        ...base,
        api: apiConfig(),
        ops: { ...base.ops, port: 0 },
        collector: { ...base.collector, demo },
      };
      const api = await runApi(config, testLogger(), {
        search: store,
        alerts: new MemoryAlertStore(),
        engines: 'embedded',
      });
      cleanups.push(() => api.stop());
      const body = await (await fetch(`${api.url}/api/info`)).json();
      expect(body).toEqual({ version: VERSION, engines: 'embedded', demo });
    }
  });

  it('needs a key when keys are configured, and any role may read it', async () => {
    const dir = await tempDir();
    cleanups.push(dir.remove);
    const keysFile = join(dir.path, 'keys.json');
    const viewer = (await new KeyStore(keysFile).create({ name: 'vera', role: 'viewer' })).secret;
    const app = await server({
      info: { engines: 'embedded', demo: true },
      auth: (instance) =>
        registerAccessControl(instance, { keysFile, host: '127.0.0.1', audit: new MemoryAuditSink() }),
    });
    expect((await app.inject({ method: 'GET', url: '/api/info' })).statusCode).toBe(401);
    const answer = await app.inject({
      method: 'GET',
      url: '/api/info',
      headers: { authorization: `Bearer ${viewer}` },
    });
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toMatchObject({ demo: true });
  });

  it('is described in the OpenAPI document', async () => {
    const { body } = await getJson<{
      paths: Record<string, { get?: { responses: Record<string, { content: unknown }> } }>;
    }>(await server(), '/api/openapi.json');
    const ok = body.paths['/api/info']?.get?.responses['200'];
    expect(ok?.content).toMatchObject({
      'application/json': {
        schema: {
          required: ['version', 'engines', 'demo'],
          properties: { demo: { type: 'boolean' }, engines: { enum: ['embedded', 'kafka+elasticsearch'] } },
        },
      },
    });
  });
});
