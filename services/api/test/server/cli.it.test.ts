import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deletePrefix, ENGINES, uniqueName, VigieProcess, waitFor } from '@vigie/testkit';
import { afterAll, describe, expect, it } from 'vitest';

// Keys and audit files of its own: a keys file in the working directory would make the
// keyless loopback mode ask for a key.
const dir = mkdtempSync(join(tmpdir(), 'vigie-cli-api-'));
const prefix = uniqueName('vigie-it-cli-api');
const files = {
  VIGIE_API_KEYS_FILE: join(dir, 'keys.json'),
  VIGIE_API_AUDIT_FILE: join(dir, 'audit.log'),
  VIGIE_ELASTICSEARCH_INDEX_PREFIX: prefix,
};

/** `vigie api` as a user starts it (the built CLI, configuration from the environment). */
describe('vigie api', () => {
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await deletePrefix(prefix);
  });

  it('listens on 127.0.0.1, answers the API, and stops on SIGTERM', async () => {
    const vigie = new VigieProcess(['api'], {
      VIGIE_API_PORT: '0',
      VIGIE_OPS_PORT: '0',
      VIGIE_API_UI_DIR: '/nonexistent/ui',
      VIGIE_ELASTICSEARCH_URL: ENGINES.elasticsearchUrl,
      ...files,
    });
    try {
      const line = await waitFor(
        'the API to listen',
        async () => vigie.stdout.split('\n').find((l) => l.includes('Search API listening.')),
        (l) => l !== undefined,
        30_000,
        50,
      );
      const { url } = JSON.parse(line as string) as { url: string };
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const search = await fetch(`${url}/api/search?q=service.name:none&from=now-1h`);
      expect(search.status).toBe(200);
      expect(await search.json()).toMatchObject({ total: { value: 0 }, events: [], next: null });
      const bad = await fetch(`${url}/api/search?q=${encodeURIComponent('status:>=')}`);
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('VIGIE_ERR_QUERY_SYNTAX');
      // The alerting routes read the alert indices `vigie api` installed on its own.
      const incidents = await fetch(`${url}/api/incidents?status=active`);
      expect(incidents.status).toBe(200);
      expect(await incidents.json()).toEqual({ incidents: [] });
      // Its ops endpoints, apart from the API: ready on Elasticsearch, the search counted.
      const opsUrl = await vigie.opsUrl();
      expect(opsUrl).not.toBe(url);
      expect((await fetch(`${opsUrl}/ready`)).status).toBe(200);
      const metrics = await (await fetch(`${opsUrl}/metrics`)).text();
      expect(metrics).toMatch(
        /^vigie_api_requests_total\{[^}]*route="\/api\/search",status_code="200"[^}]*\} 1$/m,
      );
      expect(metrics).toMatch(
        /^vigie_api_store_duration_seconds_count\{[^}]*operation="search"[^}]*\} [1-9]/m,
      );
    } finally {
      expect(await vigie.kill()).toBe(0);
    }
  });

  it('refuses to listen beyond loopback without access control', async () => {
    const vigie = new VigieProcess(['api'], {
      VIGIE_API_HOST: '0.0.0.0',
      VIGIE_API_PORT: '0',
      VIGIE_ELASTICSEARCH_URL: ENGINES.elasticsearchUrl,
      ...files,
    });
    expect(await vigie.exited).not.toBe(0);
    expect(vigie.stdout + vigie.stderr).toMatch(/0\.0\.0\.0/);
  });
});
