import rateLimit from '@fastify/rate-limit';
import { UnavailableError, VigieError } from '@vigie/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { AuditRecord, AuditSink } from './audit.js';
import { registerAuditRoutes } from './audit-routes.js';
import { isLoopbackHost } from './bind-safety.js';
import { auditActor, type Identity, presentedKey } from './identity.js';
import { registerKeyRoutes } from './key-routes.js';
import { KeyStore } from './key-store.js';
import { isPermission, type Permission, roleAllows } from './roles.js';
import { registerSecurityHeaders } from './security-headers.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** What a caller's role must allow; `/api/*` routes without one are refused (default deny). */
    permission?: Permission;
    /**
     * Record every request of this route in the audit log (searches, exports): `true`
     * records it when the answer is sent, with its status and result count; `'stream'`
     * records it before the handler runs, for routes that hijack the reply (Server-Sent
     * Events), whose answer never passes through fastify's onSend.
     */
    audit?: boolean | 'stream';
  }
  interface FastifyRequest {
    /** Set by the access-control plugin before any handler runs. */
    vigieIdentity: Identity;
    /** Hits or rows answered, for the audit record; see `recordResultCount`. */
    vigieResultCount: number | undefined;
  }
}

/** Options of `registerAccessControl`. */
export interface AccessControlOptions {
  /** Path of the keys file managed by `vigie keys` (JSON, mode 0600). */
  keysFile: string;
  /** Host the server listens on: requests go without a key only on loopback with no key configured. */
  host: string;
  /** Where audited requests (`config: { audit: true }`) are recorded. */
  audit: AuditSink;
  /** Requests allowed per key (per ip for requests without a valid key) and window. */
  rateLimit?: { max: number; timeWindowMs: number };
  /**
   * Serve GET/POST /api/keys and POST /api/keys/:id/revoke (admin), and GET /api/audit
   * (security, admin; when the audit sink can read back). Default true.
   */
  keyRoutes?: boolean;
  /** Clock, for tests of expiry. */
  now?: () => number;
}

/** 600 requests a minute per key: a busy dashboard, not a scraper. */
export const DEFAULT_RATE_LIMIT = { max: 600, timeWindowMs: 60_000 };

const API_PREFIX = '/api/';

/**
 * Whether a request is for the API, judged by the route it matched: the raw url is not
 * enough, since the router decodes it (`/%61pi/search` reaches `/api/search`).
 */
function isApiRequest(request: FastifyRequest): boolean {
  const route = request.routeOptions.url;
  if (route !== undefined) return route === '/api' || route.startsWith(API_PREFIX);
  // No route matched (a 404): judge the decoded path, so unknown API paths still need a key.
  let path = request.url.split('?', 1)[0] ?? '';
  try {
    path = decodeURIComponent(path);
  } catch {
    // A malformed escape stays as sent.
  }
  path = path.toLowerCase().replace(/\/+/g, '/');
  return path === '/api' || path.startsWith(API_PREFIX);
}

/**
 * Records how many hits or rows a route answered, for the audit log. Call it in the
 * handler of an audited route before returning.
 */
export function recordResultCount(request: FastifyRequest, count: number): void {
  request.vigieResultCount = count;
}

/** fastify's default error handler reads `statusCode`; Vigie's errors carry `httpStatus`. */
function withStatusCode<E extends VigieError>(error: E): E & { statusCode: number } {
  return Object.assign(error, { statusCode: error.httpStatus ?? 500 });
}

/** A keys file that cannot be read (hand-edited into invalid JSON) refuses every API call with 503. */
async function reloadKeys(reload: () => Promise<void>): Promise<void> {
  try {
    await reload();
  } catch (err) {
    throw withStatusCode(new UnavailableError('API keys file', err));
  }
}

function refuse(reply: FastifyReply, status: 401 | 403, code: string, message: string): FastifyReply {
  if (status === 401) {
    const invalid = message.startsWith('Invalid');
    reply.header('WWW-Authenticate', `Bearer realm="vigie"${invalid ? ', error="invalid_token"' : ''}`);
  }
  return reply.code(status).type('application/json').send({ error: { code, message } });
}

async function accessControl(app: FastifyInstance, options: AccessControlOptions): Promise<void> {
  const keys = new KeyStore(options.keysFile, options.now);
  await keys.load();
  const loopback = isLoopbackHost(options.host);
  const limits = options.rateLimit ?? DEFAULT_RATE_LIMIT;

  app.decorateRequest<Identity | null>('vigieIdentity', null);
  app.decorateRequest('vigieResultCount', undefined);
  await registerSecurityHeaders(app);

  // Who is asking: decided first, refused later, so refused callers are rate limited too.
  app.addHook('onRequest', async (request) => {
    const permission = request.routeOptions.config.permission;
    if (!isApiRequest(request) || permission === 'public') {
      request.vigieIdentity = { kind: 'open' };
      return;
    }
    await reloadKeys(() => keys.refresh());
    // Keyless loopback trusts the local user only: a Host that names something else is a
    // page in the user's browser reaching 127.0.0.1 through DNS rebinding.
    if (
      !keys.hasKeys() &&
      loopback &&
      isLoopbackHost(request.headers.host === undefined ? '' : request.hostname)
    ) {
      request.vigieIdentity = { kind: 'anonymous', role: 'admin' };
      return;
    }
    const presented = presentedKey(request.headers);
    if (presented === undefined) {
      request.vigieIdentity = { kind: 'refused', reason: 'missing' };
      return;
    }
    let verdict = keys.verify(presented);
    if (!verdict.ok && verdict.reason === 'unknown') {
      // A key created a moment ago by `vigie keys create` works at once (one stat when unchanged).
      await reloadKeys(() => keys.load());
      verdict = keys.verify(presented);
    }
    request.vigieIdentity = verdict.ok
      ? { kind: 'key', key: verdict.key }
      : { kind: 'refused', reason: verdict.reason };
  });

  await app.register(rateLimit, {
    global: true,
    hook: 'onRequest',
    max: limits.max,
    timeWindow: limits.timeWindowMs,
    allowList: (request) => request.vigieIdentity.kind === 'open',
    keyGenerator: (request) => {
      const identity = request.vigieIdentity;
      return identity.kind === 'key' ? `key:${identity.key.id}` : `ip:${request.ip}`;
    },
    errorResponseBuilder: (_request, context) => {
      const error = new VigieError('VIGIE_ERR_RATE_LIMITED', `Too many requests; retry in ${context.after}`, {
        httpStatus: context.statusCode,
        retriable: true,
      });
      return withStatusCode(error);
    },
  });

  // Refusals before the body is read; after the rate limit (a route-level onRequest hook).
  app.addHook('preParsing', async (request, reply) => {
    const identity = request.vigieIdentity;
    if (identity.kind === 'open') return;
    if (identity.kind === 'refused') {
      const message =
        identity.reason === 'missing'
          ? 'An API key is required (Authorization: Bearer <key>)'
          : 'Invalid API key (unknown, revoked or expired)';
      return refuse(reply, 401, 'VIGIE_ERR_UNAUTHENTICATED', message);
    }
    const role = identity.kind === 'key' ? identity.key.role : identity.role;
    const permission = request.routeOptions.config.permission;
    // No route matched: let the 404 through to an authenticated caller.
    if (request.routeOptions.url === undefined) return;
    if (!isPermission(permission))
      return refuse(reply, 403, 'VIGIE_ERR_FORBIDDEN', 'This route declares no permission and is denied');
    if (!roleAllows(role, permission))
      return refuse(reply, 403, 'VIGIE_ERR_FORBIDDEN', `Role ${role} does not allow ${permission}`);
  });

  // Streams are recorded as they start: a hijacked reply never reaches onSend.
  app.addHook('preHandler', async (request, reply) => {
    if (request.routeOptions.config.audit === 'stream') await writeAudit(request, reply.statusCode);
  });

  // The audit record is written before the response leaves; a failing sink fails the request.
  app.addHook('onSend', async (request, reply, payload) => {
    const audit = request.routeOptions.config.audit;
    // A stream refused before its handler (401, 403, 429) is recorded here like any other.
    if (audit === true || (audit === 'stream' && reply.statusCode >= 400))
      await writeAudit(request, reply.statusCode);
    return payload;
  });

  async function writeAudit(request: FastifyRequest, status: number): Promise<void> {
    const query = (request.query ?? {}) as Record<string, unknown>;
    const asked: AuditRecord['query'] = {};
    for (const name of ['q', 'from', 'to'] as const) {
      const value = query[name];
      if (typeof value === 'string') asked[name] = value;
    }
    const record: AuditRecord = {
      '@timestamp': new Date(options.now?.() ?? Date.now()).toISOString(),
      actor: auditActor(request.vigieIdentity),
      http: {
        method: request.method,
        route: request.routeOptions.url ?? request.url,
        status,
      },
      query: asked,
      source_ip: request.ip,
      request_id: String(request.id),
    };
    if (request.vigieResultCount !== undefined) record.result_count = request.vigieResultCount;
    try {
      await options.audit.write(record);
    } catch (err) {
      throw withStatusCode(new UnavailableError('audit log', err));
    }
  }

  if (options.keyRoutes ?? true) {
    registerKeyRoutes(app, keys);
    registerAuditRoutes(app, options.audit);
  }
}

/**
 * Vigie's access control as one fastify plugin: API keys and roles, default-deny on
 * `/api/*`, per-key rate limits, the audit log, security headers and CSP. Register it
 * before any route (`await app.register(accessControlPlugin, options)`), and declare on
 * each API route `config: { permission: 'search', audit: true }`.
 */
export const accessControlPlugin = fp(accessControl, { name: 'vigie-access-control', fastify: '5.x' });

/**
 * The one-liner for the server, before any route is registered (hooks and the rate
 * limiter only see routes added after them):
 *
 * ```ts
 * checkBindSafety(host, await keysFileHasKeys(keysFile)); // before listen
 * await registerAccessControl(app, { keysFile, host, audit: new FileAuditSink(path) });
 * app.get('/api/search', { config: { permission: 'search', audit: true } }, handler);
 * // in the handler: recordResultCount(request, hits.length)
 * ```
 *
 * Refusals answer `{ error: { code, message } }` (401 `VIGIE_ERR_UNAUTHENTICATED`, 403
 * `VIGIE_ERR_FORBIDDEN`); 429 and audit failures (503) are thrown as `VigieError`s with
 * `statusCode`, for the server's error handler.
 */
export async function registerAccessControl(
  app: FastifyInstance,
  options: AccessControlOptions,
): Promise<void> {
  await app.register(accessControlPlugin, options);
}
