import { join } from 'node:path';
import { ElasticsearchAuditLog } from '@vigie/storage';
import { deletePrefix, ENGINES, esRequest, uniqueName } from '@vigie/testkit';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FanOutAuditSink, FileAuditSink, KeyStore } from '../../src/index.js';
import { get, startServer, tempDir } from './harness.js';

const prefix = uniqueName('vigie-it-audit');

describe('audit log in Elasticsearch', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let auditLog: ElasticsearchAuditLog;
  let app: FastifyInstance;
  let url: string;
  let key: string;

  beforeAll(async () => {
    dir = await tempDir();
    const keysFile = join(dir.path, 'keys.json');
    key = (await new KeyStore(keysFile).create({ name: 'analyst', role: 'security' })).secret;
    auditLog = new ElasticsearchAuditLog({
      url: ENGINES.elasticsearchUrl,
      indexPrefix: prefix,
      requestTimeoutMs: 30_000,
    });
    await auditLog.setup();
    const audit = new FanOutAuditSink([new FileAuditSink(join(dir.path, 'audit.log')), auditLog]);
    ({ app, url } = await startServer({ keysFile, host: '127.0.0.1', audit }));
  });

  afterAll(async () => {
    await app?.close();
    await auditLog?.close();
    await esRequest('DELETE', `/_index_template/${prefix}-audit`);
    await deletePrefix(prefix);
    await dir?.remove();
  });

  it('records who searched what, when, and how many hits came back', async () => {
    const q = 'source.ip:203.0.113.7 AND event.outcome:failure';
    const response = await get(`${url}/api/search?q=${encodeURIComponent(q)}&from=now-24h&to=now`, key);
    expect(response.status).toBe(200);
    expect((await get(`${url}/api/search?q=second`)).status).toBe(401);

    const records = await auditLog.recent({ refresh: true });
    expect(records).toHaveLength(2);
    const search = records.find((record) => record.http.status === 200);
    expect(search).toMatchObject({
      actor: { key_id: key.split('_')[1], name: 'analyst', role: 'security' },
      http: { method: 'GET', route: '/api/search', status: 200 },
      query: { q, from: 'now-24h', to: 'now' },
      result_count: 3,
      source_ip: '127.0.0.1',
    });
    const refused = records.find((record) => record.http.status === 401);
    expect(refused?.actor).toEqual({ key_id: null, name: 'refused:missing', role: 'none' });

    // The index has Vigie's explicit mapping, not one guessed by Elasticsearch.
    const mapping = await esRequest('GET', `/${prefix}-audit/_mapping`);
    const properties = (
      mapping.json as Record<string, { mappings: { dynamic: string; properties: Record<string, unknown> } }>
    )[`${prefix}-audit`]?.mappings;
    expect(properties?.dynamic).toBe('false');
    expect(properties?.properties.source_ip).toEqual({ type: 'ip' });
  });
});
