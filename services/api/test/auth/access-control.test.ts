import { readFile, stat, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileAuditSink, KeyStore } from '../../src/index.js';
import { FailingAuditSink, get, MemoryAuditSink, startServer, tempDir } from './harness.js';

describe('access control on a real server', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let keysFile: string;
  let app: FastifyInstance | undefined;
  beforeEach(async () => {
    dir = await tempDir();
    keysFile = join(dir.path, 'keys.json');
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
    await dir.remove();
  });

  async function withKeys(): Promise<{ viewer: string; admin: string; sre: string }> {
    const store = new KeyStore(keysFile);
    const viewer = (await store.create({ name: 'viewer-bot', role: 'viewer' })).secret;
    const sre = (await store.create({ name: 'oncall', role: 'sre' })).secret;
    const admin = (await store.create({ name: 'root', role: 'admin' })).secret;
    return { viewer, sre, admin };
  }

  it('answers 401 with WWW-Authenticate without a key or with a wrong one', async () => {
    const { viewer } = await withKeys();
    const server = await startServer({ keysFile, host: '0.0.0.0', audit: new MemoryAuditSink() });
    app = server.app;
    const missing = await get(`${server.url}/api/search?q=x`);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="vigie"');
    expect(await missing.json()).toEqual({
      error: { code: 'VIGIE_ERR_UNAUTHENTICATED', message: expect.stringContaining('required') },
    });
    const wrong = await get(`${server.url}/api/search`, `${viewer.slice(0, -4)}AAAA`);
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect((await get(`${server.url}/api/search`, 'garbage')).status).toBe(401);
    expect((await get(`${server.url}/api/no-such-route`)).status).toBe(401);
    expect((await get(`${server.url}/api/search`, viewer)).status).toBe(200);
    expect((await get(`${server.url}/api/search`, undefined, { 'x-api-key': viewer })).status).toBe(200);
  });

  it('asks for a key on every spelling of an API path the router accepts', async () => {
    await withKeys();
    const server = await startServer({ keysFile, host: '0.0.0.0', audit: new MemoryAuditSink() });
    app = server.app;
    for (const path of [
      '/%61pi/search',
      '/%61%70%69/search',
      '/api/search/',
      '/api//search',
      '/api/%73earch',
      '/%41PI/x',
    ]) {
      const response = await get(`${server.url}${path}`);
      expect([401, 404], path).toContain(response.status);
      expect(await response.text(), path).not.toContain('events');
    }
    expect((await get(`${server.url}/%61pi/search`)).status).toBe(401);
    expect((await fetch(`${server.url}/api/search`, { method: 'HEAD' })).status).toBe(401);
    expect((await fetch(`${server.url}/api/search`, { method: 'OPTIONS' })).status).toBe(401);
  });

  it('guards routes of prefixed route plugins the same way', async () => {
    const { viewer } = await withKeys();
    const server = await startServer({ keysFile, host: '127.0.0.1', audit: new MemoryAuditSink() });
    app = server.app;
    expect((await get(`${server.url}/api/fields`)).status).toBe(401);
    expect((await get(`${server.url}/api/fields`, viewer)).status).toBe(200);
    expect((await get(`${server.url}/api/unguarded`, viewer)).status).toBe(403);
    expect(
      (await fetch(`${server.url}/api/fields`, { method: 'HEAD', headers: { 'x-api-key': viewer } })).status,
    ).toBe(200);
  });

  it('answers 403 when the role lacks the permission, and denies routes that declare none', async () => {
    const { viewer, sre, admin } = await withKeys();
    const server = await startServer({ keysFile, host: '127.0.0.1', audit: new MemoryAuditSink() });
    app = server.app;
    const create = (key: string) =>
      fetch(`${server.url}/api/keys`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'new', role: 'viewer' }),
      });
    const refused = await create(viewer);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('VIGIE_ERR_FORBIDDEN');
    expect((await create(sre)).status).toBe(403);
    expect((await get(`${server.url}/api/tail`, viewer)).status).toBe(403);
    expect((await get(`${server.url}/api/tail`, sre)).status).toBe(200);
    const created = await create(admin);
    expect(created.status).toBe(201);
    const body = (await created.json()) as { secret: string };
    expect((await get(`${server.url}/api/search`, body.secret)).status).toBe(200);
    const listed = (await (await get(`${server.url}/api/keys`, admin)).json()) as { keys: unknown[] };
    expect(listed.keys).toHaveLength(4);
    expect(JSON.stringify(listed)).not.toMatch(/sha256|vigie_/);
    expect((await get(`${server.url}/api/undeclared`, admin)).status).toBe(403);
    expect((await get(`${server.url}/api/no-such-route`, viewer)).status).toBe(404);
    expect((await get(`${server.url}/health`)).status).toBe(200);
    expect((await get(`${server.url}/api/openapi.json`)).status).toBe(200);
  });

  it('refuses a key once revoked (through the API or the keys file) and once expired', async () => {
    const { viewer, admin } = await withKeys();
    let now = Date.now();
    const server = await startServer({
      keysFile,
      host: '127.0.0.1',
      audit: new MemoryAuditSink(),
      now: () => now,
    });
    app = server.app;
    const adminId = admin.split('_')[1];
    const viewerId = viewer.split('_')[1];
    const revoke = await fetch(`${server.url}/api/keys/${viewerId}/revoke`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(revoke.status).toBe(200);
    expect((await get(`${server.url}/api/search`, viewer)).status).toBe(401);
    const expiring = await new KeyStore(keysFile).create({
      name: 'temp',
      role: 'viewer',
      expires: new Date(now + 3_600_000),
    });
    now += 1_000;
    expect((await get(`${server.url}/api/search`, expiring.secret)).status).toBe(200);
    now += 3_600_000;
    expect((await get(`${server.url}/api/search`, expiring.secret)).status).toBe(401);
    await new KeyStore(keysFile).revoke(adminId as string);
    now += 1_000;
    expect((await get(`${server.url}/api/keys`, admin)).status).toBe(401);
    // A keys file broken by hand fails closed until it is fixed.
    await writeFile(keysFile, '{ "version": 1, "keys": [');
    now += 1_000;
    const broken = await get(`${server.url}/api/search`, expiring.secret);
    expect(broken.status).toBe(503);
    expect(await broken.text()).not.toContain('expiring');
  });

  it('serves without a key only on loopback with no key configured, as anonymous@loopback', async () => {
    const audit = new MemoryAuditSink();
    const server = await startServer({ keysFile, host: '127.0.0.1', audit });
    app = server.app;
    expect((await get(`${server.url}/api/search?q=error&from=now-1h`)).status).toBe(200);
    expect(audit.records[0]?.actor).toEqual({ key_id: null, name: 'anonymous@loopback', role: 'admin' });
    // A rebound DNS name pointing at 127.0.0.1 is not the local user.
    const rebound = await new Promise<number>((resolve, reject) => {
      const target = new URL(`${server.url}/api/search`);
      request(
        {
          host: '127.0.0.1',
          port: target.port,
          path: target.pathname,
          headers: { host: 'evil.example:8080' },
        },
        (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        },
      )
        .on('error', reject)
        .end();
    });
    expect(rebound).toBe(401);
    expect((await get(`${server.url.replace('127.0.0.1', 'localhost')}/api/search`)).status).toBe(200);
    await app.close();
    const exposed = await startServer({ keysFile, host: '0.0.0.0', audit });
    app = exposed.app;
    expect((await get(`${exposed.url}/api/search`)).status).toBe(401);
  });

  it('limits requests per key with 429 and Retry-After, each key on its own budget', async () => {
    const { viewer, sre } = await withKeys();
    const server = await startServer({
      keysFile,
      host: '127.0.0.1',
      audit: new MemoryAuditSink(),
      rateLimit: { max: 3, timeWindowMs: 60_000 },
    });
    app = server.app;
    for (let i = 0; i < 3; i++) expect((await get(`${server.url}/api/search`, viewer)).status).toBe(200);
    const limited = await get(`${server.url}/api/search`, viewer);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await limited.json()).toMatchObject({ statusCode: 429, code: 'VIGIE_ERR_RATE_LIMITED' });
    expect((await get(`${server.url}/api/search`, sre)).status).toBe(200);
    for (let i = 0; i < 3; i++) await get(`${server.url}/api/search`, 'wrong');
    expect((await get(`${server.url}/api/search`, 'wrong')).status).toBe(429);
    expect((await get(`${server.url}/health`)).status).toBe(200);
  });

  it('sends the strict CSP and the security headers on API and UI responses', async () => {
    const server = await startServer({ keysFile, host: '127.0.0.1', audit: new MemoryAuditSink() });
    app = server.app;
    for (const path of ['/', '/api/search', '/health']) {
      const response = await get(`${server.url}${path}`);
      const csp = response.headers.get('content-security-policy') ?? '';
      const directives = new Map(
        csp.split(';').map((part) => {
          const [name, ...values] = part.trim().split(/\s+/);
          return [name, values.join(' ')] as const;
        }),
      );
      expect(directives.get('default-src')).toBe("'self'");
      expect(directives.get('script-src')).toBe("'self'");
      expect(directives.get('style-src')).toBe("'self'");
      expect(directives.get('img-src')).toBe("'self' data:");
      expect(directives.get('connect-src')).toBe("'self'");
      expect(directives.get('frame-ancestors')).toBe("'none'");
      expect(directives.get('object-src')).toBe("'none'");
      expect(directives.get('base-uri')).toBe("'none'");
      expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      expect(response.headers.get('x-frame-options')).toBe('DENY');
    }
  });

  it('writes an audit record per audited request to a file before answering', async () => {
    const { viewer } = await withKeys();
    const auditFile = join(dir.path, 'audit', 'audit.log');
    const audit = new FileAuditSink(auditFile);
    const server = await startServer({ keysFile, host: '127.0.0.1', audit });
    app = server.app;
    const response = await get(
      `${server.url}/api/search?q=${encodeURIComponent('service.name:checkout')}&from=now-1h&to=now`,
      viewer,
    );
    expect(response.status).toBe(200);
    // Written synchronously: readable as soon as the response is in.
    const lines = (await readFile(auditFile, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      actor: { key_id: viewer.split('_')[1], name: 'viewer-bot', role: 'viewer' },
      http: { method: 'GET', route: '/api/search', status: 200 },
      query: { q: 'service.name:checkout', from: 'now-1h', to: 'now' },
      result_count: 3,
      source_ip: '127.0.0.1',
    });
    expect(Date.parse(lines[0]['@timestamp'])).toBeGreaterThan(Date.now() - 60_000);
    expect(Object.keys(lines[0]).sort()).toEqual(
      ['@timestamp', 'actor', 'http', 'query', 'request_id', 'result_count', 'source_ip'].sort(),
    );
    expect(await readFile(auditFile, 'utf8')).not.toContain(viewer);
    expect((await stat(auditFile)).mode & 0o777).toBe(0o600);
    await get(`${server.url}/api/search?q=denied`);
    await get(`${server.url}/api/tail`, viewer);
    const after = (await readFile(auditFile, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(after).toHaveLength(2);
    expect(after[1]).toMatchObject({
      actor: { name: 'refused:missing' },
      http: { status: 401 },
      query: { q: 'denied' },
    });

    const keys = new KeyStore(keysFile);
    const analyst = (await keys.create({ name: 'analyst', role: 'security' })).secret;
    const oncall = (await keys.create({ name: 'oncall-2', role: 'sre' })).secret;
    expect((await get(`${server.url}/api/audit`, oncall)).status).toBe(403);
    const read = await get(`${server.url}/api/audit?size=2`, analyst);
    expect(read.status).toBe(200);
    const { records } = (await read.json()) as { records: Array<{ actor: { name: string } }> };
    // Newest first: the sre refused the audit log, then the search without a key.
    expect(records.map((record) => record.actor.name)).toEqual(['oncall-2', 'refused:missing']);
    await audit.close();
  });

  it('records streams that hijack the reply when they start, and refused ones', async () => {
    const { viewer, sre } = await withKeys();
    const audit = new MemoryAuditSink();
    const server = await startServer({ keysFile, host: '127.0.0.1', audit });
    app = server.app;
    const stream = await get(`${server.url}/api/stream?q=level:error`, sre);
    expect(stream.status).toBe(200);
    expect(await stream.text()).toContain('event: events');
    expect((await get(`${server.url}/api/stream?q=x`, viewer)).status).toBe(403);
    expect(audit.records.map((record) => [record.actor.name, record.http.status, record.query.q])).toEqual([
      ['oncall', 200, 'level:error'],
      ['viewer-bot', 403, 'x'],
    ]);
  });

  it('fails an audited request whose audit record cannot be written', async () => {
    const server = await startServer({ keysFile, host: '127.0.0.1', audit: new FailingAuditSink() });
    app = server.app;
    const response = await get(`${server.url}/api/search?q=x`);
    expect(response.status).toBe(503);
    const body = JSON.stringify(await response.json());
    expect(body).toContain('VIGIE_ERR_UNAVAILABLE');
    expect(body).not.toContain('"events"');
    expect((await get(`${server.url}/api/tail`)).status).toBe(200);
  });
});
