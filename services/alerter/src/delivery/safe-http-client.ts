import type { IncomingHttpHeaders } from 'node:http';
import { Agent, request as undiciRequest } from 'undici';
import type { HttpRequestSpec } from '../receivers/types.js';
import { AddressPolicy } from './address-policy.js';
import { DeliveryError } from './delivery-error.js';
import { createPinnedConnector, type HostLookup, systemLookup } from './pinned-connector.js';

/** A receiver's answer, its body cut at `maxResponseBytes`. Header names are lower case. */
export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Sends notification requests to receivers, guarded against server-side request
 * forgery. `send` resolves with any HTTP answer (the receiver judges it) and rejects
 * with a `DeliveryError` when there is none.
 */
export interface SafeHttpClient {
  send(request: HttpRequestSpec, timeoutMs: number): Promise<HttpResponse>;
  /** Closes kept-alive connections; idempotent. */
  close(): Promise<void>;
}

export interface SafeHttpClientOptions {
  /** Allow `http:` URLs; only `https:` otherwise. */
  allowHttp: boolean;
  /** CIDRs reachable although private, loopback or link-local (see `AddressPolicy`). */
  allowedNetworks: readonly string[];
  /** Name resolution; the system resolver by default (tests inject their own). */
  lookup?: HostLookup;
  /** Extra trusted certificate authorities. */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Default 10 s; each of resolution and handshake. */
  connectTimeoutMs?: number;
  /** Default 64 KiB: receivers answer with short JSON; more is read and dropped. */
  maxResponseBytes?: number;
}

/** Redirect hops followed (307/308 to the same origin only). */
export const MAX_REDIRECTS = 3;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * The delivery HTTP client. Every connection goes through the pinned connector (see
 * `createPinnedConnector`): the address is checked when the socket is opened, whatever
 * the URL's spelling of it. Redirects are never followed blindly: 307 and 308 (which
 * keep the method and body) are followed up to `MAX_REDIRECTS` hops within the same
 * origin (scheme, host, port), each new connection checked again; any other redirect,
 * or one to another origin, fails with `redirect_refused`, because the body and the
 * headers carry the receiver's secrets (routing keys, tokens) and must not be handed to
 * a host the operator did not configure.
 */
export function createSafeHttpClient(options: SafeHttpClientOptions): SafeHttpClient {
  const policy = new AddressPolicy(options.allowedNetworks);
  const maxResponseBytes = options.maxResponseBytes ?? 64 * 1024;
  const agent = new Agent({
    connect: createPinnedConnector({
      policy,
      lookup: options.lookup ?? systemLookup,
      connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
      ...(options.ca === undefined ? {} : { ca: options.ca }),
    }),
  });
  let closed = false;

  async function exchange(url: URL, spec: HttpRequestSpec, signal: AbortSignal): Promise<HttpResponse> {
    try {
      const response = await undiciRequest(url, {
        dispatcher: agent,
        method: spec.method,
        headers: spec.headers,
        body: spec.body,
        signal,
      });
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of response.body as AsyncIterable<Buffer>) {
        if (size < maxResponseBytes) chunks.push(chunk.subarray(0, maxResponseBytes - size));
        size += chunk.length;
      }
      return {
        status: response.statusCode,
        headers: flattenHeaders(response.headers),
        body: Buffer.concat(chunks).toString('utf8'),
      };
    } catch (err) {
      throw toDeliveryError(err, url.hostname, signal);
    }
  }

  return {
    async send(spec, timeoutMs) {
      const signal = AbortSignal.timeout(timeoutMs);
      let url = parseTarget(spec.url, options.allowHttp);
      for (let hops = 0; ; hops++) {
        const response = await exchange(url, spec, signal);
        if (!REDIRECT_STATUSES.has(response.status)) return response;
        const host = url.hostname;
        if (response.status !== 307 && response.status !== 308) {
          throw new DeliveryError('redirect_refused', host, `${response.status} changes the method`);
        }
        let next: URL;
        try {
          next = new URL(response.headers.location ?? '', url);
        } catch {
          throw new DeliveryError('redirect_refused', host, 'invalid Location');
        }
        if (next.origin !== url.origin) {
          throw new DeliveryError('redirect_refused', host, `to another origin (${next.hostname})`);
        }
        if (hops + 1 > MAX_REDIRECTS) throw new DeliveryError('too_many_redirects', host);
        url = next;
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await agent.close();
    },
  };
}

/**
 * Parses a receiver URL. The WHATWG parser turns every IPv4 spelling (2130706433,
 * 0177.0.0.1, 0x7f.1, 127.1) into a dotted quad and IPv6 ones into their short form,
 * so the connector sees either an address or a name to resolve, never a disguise.
 */
function parseTarget(text: string, allowHttp: boolean): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new DeliveryError('invalid_url', '');
  }
  if (url.protocol === 'https:' || (allowHttp && url.protocol === 'http:')) return url;
  throw new DeliveryError('insecure_scheme', url.hostname, `${url.protocol.replace(':', '')} not allowed`);
}

function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);
const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NODATA']);

/** Maps whatever undici or the socket threw to a log-safe error naming the host and a code only. */
function toDeliveryError(err: unknown, host: string, signal: AbortSignal): DeliveryError {
  if (err instanceof DeliveryError) return err;
  const name = err instanceof Error ? err.name : '';
  const rawCode = (err as { code?: unknown } | null)?.code;
  const code = typeof rawCode === 'string' ? rawCode : undefined;
  if (signal.aborted || name === 'AbortError' || name === 'TimeoutError' || TIMEOUT_CODES.has(code ?? '')) {
    return new DeliveryError('timeout', host);
  }
  if (code !== undefined && DNS_CODES.has(code)) return new DeliveryError('dns_failed', host, code);
  if (
    code !== undefined &&
    /^(ERR_TLS|ERR_SSL|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|HOSTNAME_)/.test(code)
  ) {
    return new DeliveryError('tls_failed', host, code);
  }
  if (code === 'UND_ERR_INVALID_ARG') return new DeliveryError('invalid_url', host, code);
  return new DeliveryError('connection_failed', host, code);
}
