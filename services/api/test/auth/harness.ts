import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import {
  type AccessControlOptions,
  type AuditRecord,
  type AuditSink,
  recordResultCount,
  registerAccessControl,
} from '../../src/index.js';

/** Audit sink that keeps records in memory. */
export class MemoryAuditSink implements AuditSink {
  readonly records: AuditRecord[] = [];
  async write(record: AuditRecord): Promise<void> {
    this.records.push(record);
  }
  async close(): Promise<void> {}
}

/** Audit sink whose writes fail, as an unreachable index would. */
export class FailingAuditSink implements AuditSink {
  async write(): Promise<void> {
    throw new Error('audit index unreachable');
  }
  async close(): Promise<void> {}
}

/** A temporary folder for a keys file. */
export async function tempDir(): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'vigie-auth-'));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** A real server on 127.0.0.1:<random> with access control and a few routes like the API's. */
export async function startServer(
  options: AccessControlOptions,
): Promise<{ app: FastifyInstance; url: string }> {
  const app = Fastify({ logger: false });
  await registerAccessControl(app, options);
  app.get('/health', async () => ({ status: 'ok' }));
  app.get('/', async (_request, reply) =>
    reply.type('text/html').send('<!doctype html><title>Vigie</title>'),
  );
  app.get('/api/openapi.json', { config: { permission: 'public' } }, async () => ({ openapi: '3.0.3' }));
  app.get('/api/search', { config: { permission: 'search', audit: true } }, async (request) => {
    recordResultCount(request, 3);
    return { total: { value: 3, relation: 'eq' }, events: [] };
  });
  app.get('/api/tail', { config: { permission: 'tail' } }, async () => ({ events: [] }));
  // Server-Sent Events write to the raw response, as the live tail does.
  app.get('/api/stream', { config: { permission: 'tail', audit: 'stream' } }, async (_request, reply) => {
    reply.hijack();
    reply.raw.writeHead(200, { 'content-type': 'text/event-stream' });
    reply.raw.end('event: events\ndata: {"events":[]}\n\n');
  });
  app.get('/api/undeclared', async () => ({ leaked: true }));
  // Route groups are encapsulated plugins with a prefix, as the server's are.
  await app.register(
    async (group) => {
      group.get('/fields', { config: { permission: 'fields' } }, async () => ({ fields: [] }));
      group.get('/unguarded', async () => ({ leaked: true }));
    },
    { prefix: '/api' },
  );
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return { app, url: `http://127.0.0.1:${address.port}` };
}

/** GET with an optional key in the Authorization header. */
export function get(url: string, key?: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    headers: key === undefined ? headers : { ...headers, authorization: `Bearer ${key}` },
  });
}
