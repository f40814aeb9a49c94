import { createApiServer } from '@vigie/api';
import { loadConfig } from '@vigie/common';
import { MemoryStore, testLogger } from '@vigie/testkit';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as api from '../src/lib/api.js';

// The UI's API client against the OpenAPI document of the real server: every request the
// client makes must name a documented path and only documented query parameters.

interface Operation {
  parameters?: { name: string; in: string }[];
}
type Document = { paths: Record<string, Record<string, Operation>> };

let document: Document;
const requested: string[] = [];

beforeAll(async () => {
  const store = new MemoryStore();
  const app = await createApiServer({
    store,
    search: store,
    config: { ...loadConfig({ env: {} }).config.api, uiDir: '/nonexistent' },
    logger: testLogger(),
  });
  document = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json() as Document;
  await app.close();
  vi.stubGlobal('fetch', async (url: string) => {
    requested.push(url);
    return new Response('{}', { status: 200, headers: { 'content-type': 'application/json' } });
  });
});

afterAll(() => {
  vi.unstubAllGlobals();
});

/** The documented operation for a concrete path, matching `{param}` segments. */
function operationOf(path: string): Operation | undefined {
  for (const [template, methods] of Object.entries(document.paths)) {
    const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`);
    if (pattern.test(path)) return methods.get;
  }
  return undefined;
}

describe('UI API client', () => {
  it('calls only documented paths with documented query parameters', async () => {
    const scope = { q: 'log.level:error', from: 'now-1h', to: 'now' };
    await api.search(scope, { size: 50, sort: 'asc', searchAfter: 'cursor' });
    await api.histogram(scope);
    await api.fields(scope);
    await api.topValues(scope, 'service.name', 5);
    await api.context('id/with?odd#chars', 3, 4);
    await api.anomalies({ from: 'now-1h', to: 'now', service: 'checkout', size: 10 });
    await api.anomaly('a/b');
    await api.services({ from: 'now-1h', to: 'now' });
    api.tail(
      'service.name:x',
      () => {},
      () => {},
    )();
    expect(requested).toHaveLength(9);
    for (const url of requested) {
      const parsed = new URL(url, 'http://ui.test');
      const operation = operationOf(parsed.pathname);
      expect(operation, `${parsed.pathname} is documented`).toBeDefined();
      const documented = new Set(
        (operation?.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
      );
      for (const name of parsed.searchParams.keys())
        expect(documented, `${parsed.pathname}?${name}`).toContain(name);
    }
    // Ids are one path segment whatever they hold.
    expect(requested).toContain('/api/events/id%2Fwith%3Fodd%23chars/context?before=3&after=4');
  });
});
