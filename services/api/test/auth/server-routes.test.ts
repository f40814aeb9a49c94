import { join } from 'node:path';
import { type LogSearch, loadConfig } from '@vigie/common';
import { testLogger } from '@vigie/testkit';
import type { RouteOptions } from 'fastify';
import { describe, expect, it } from 'vitest';
import { createApiServer, isPermission, registerAccessControl } from '../../src/index.js';
import { MemoryAuditSink, tempDir } from './harness.js';

/**
 * The real API server's routes under the access control: each one declares a permission
 * the role table knows (or is public), and searches, context and the tail are audited.
 */
describe('the API server under access control', () => {
  it('declares a known permission on every /api route and audits searches', async () => {
    const dir = await tempDir();
    const routes: RouteOptions[] = [];
    const app = await createApiServer({
      store: { healthcheck: async () => undefined },
      // Routes are only inspected here, never called.
      search: {} as LogSearch,
      config: { ...loadConfig({ env: {} }).config.api, uiDir: '/nonexistent/vigie-ui' },
      logger: testLogger(),
      auth: async (instance) => {
        instance.addHook('onRoute', (route) => {
          routes.push(route);
        });
        await registerAccessControl(instance, {
          keysFile: join(dir.path, 'keys.json'),
          host: '127.0.0.1',
          audit: new MemoryAuditSink(),
        });
      },
    });
    try {
      await app.ready();
      const api = routes.filter((route) => route.url.startsWith('/api/') && route.method !== 'HEAD');
      expect(api.length).toBeGreaterThan(8);
      const undeclared = api
        .filter((route) => !isPermission(route.config?.permission))
        .map((route) => `${route.method} ${route.url}`);
      expect(undeclared).toEqual([]);
      const audited = (url: string, method = 'GET') =>
        api.find((route) => route.url === url && route.method === method)?.config?.audit;
      expect(audited('/api/search')).toBe(true);
      expect(audited('/api/events/:id/context')).toBeTruthy();
      expect(audited('/api/tail')).toBeTruthy();
      expect(audited('/api/keys', 'POST')).toBe(true);
    } finally {
      await app.close();
      await dir.remove();
    }
  });
});
