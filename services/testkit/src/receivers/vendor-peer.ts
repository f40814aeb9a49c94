import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

// A local stand-in for an incident tool's HTTP API: each vendor subclass validates requests
// the way the vendor documents them and answers in the vendor's words. Tests can tell a
// peer to fail its next answers (429 with Retry-After, 5xx, or no answer at all) to
// exercise retries, and read back what it accepted.

/** One request as the peer received it. */
export interface PeerRequest {
  method: string;
  /** Path and query. */
  url: string;
  headers: Record<string, string>;
  body: string;
  /** The parsed JSON body, when it parsed. */
  json?: unknown;
}

/** The peer's answer. */
export interface PeerAnswer {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

/** What the next answers should be instead of the vendor's normal behaviour. */
export type PeerFault =
  | { kind: 'status'; status: number; retryAfter?: string; body?: string }
  /** Read the request, never answer (the client's timeout must fire). */
  | { kind: 'hang' };

const MAX_BODY = 2 * 1024 * 1024;

/** Base of the vendor peers: a node:http server on 127.0.0.1 and a free port. */
export abstract class VendorPeer {
  /** Requests the vendor would have accepted, in order. */
  readonly accepted: PeerRequest[] = [];
  /** Requests refused as invalid (with the answer given). */
  readonly refused: Array<{ request: PeerRequest; answer: PeerAnswer }> = [];
  private readonly faults: PeerFault[] = [];
  private readonly sockets = new Set<Socket>();
  private server: Server | undefined;
  private port = 0;

  /** Validates one request and answers like the vendor; `accept` records it as accepted. */
  protected abstract handle(request: PeerRequest): PeerAnswer & { accept: boolean };

  /** Base URL, e.g. http://127.0.0.1:41234 (no trailing slash). */
  get url(): string {
    if (!this.server) throw new Error('peer not started');
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    const server = createServer((req, res) => void this.onRequest(req, res));
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
    this.server = server;
    return this;
  }

  /** Idempotent; safe without start(). Drops hanging connections. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The next `count` requests get `fault` instead of the vendor's answer. */
  failNext(count: number, fault: PeerFault): void {
    for (let i = 0; i < count; i += 1) this.faults.push(fault);
  }

  /** Forgets the faults not yet used: the vendor answers normally again. */
  clearFaults(): void {
    this.faults.length = 0;
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY) {
        res.writeHead(413).end('Request Entity Too Large');
        req.destroy();
        return;
      }
      chunks.push(chunk as Buffer);
    }
    const body = Buffer.concat(chunks).toString('utf8');
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers[key] = Array.isArray(value) ? value.join(', ') : value;
    }
    const request: PeerRequest = { method: req.method ?? '', url: req.url ?? '/', headers, body };
    try {
      request.json = JSON.parse(body) as unknown;
    } catch {
      // Left undefined: the vendor decides how to refuse a body that is not JSON.
    }
    const fault = this.faults.shift();
    if (fault?.kind === 'hang') return;
    if (fault) {
      res.writeHead(fault.status, fault.retryAfter ? { 'retry-after': fault.retryAfter } : {});
      res.end(fault.body ?? '');
      return;
    }
    const answer = this.handle(request);
    if (answer.accept) this.accepted.push(request);
    else this.refused.push({ request, answer });
    res.writeHead(answer.status, answer.headers ?? {});
    res.end(answer.body);
  }
}

/** Collects validation errors with a path, the way vendors list them. */
export class Problems {
  readonly list: string[] = [];

  add(message: string): void {
    this.list.push(message);
  }

  get ok(): boolean {
    return this.list.length === 0;
  }

  /** A string of at most `max` characters (and at least `min`). */
  string(
    value: unknown,
    path: string,
    max: number,
    options: { required?: boolean; min?: number } = {},
  ): void {
    const required = options.required ?? false;
    const min = options.min ?? (required ? 1 : 0);
    if (value === undefined && !required) return;
    if (typeof value !== 'string') {
      this.add(`${path} must be a string`);
      return;
    }
    if (value.length < min) this.add(`${path} must not be empty`);
    if (value.length > max) this.add(`${path} is longer than ${max} characters (${value.length})`);
  }

  oneOf(value: unknown, path: string, allowed: readonly string[], required = false): void {
    if (value === undefined && !required) return;
    if (typeof value !== 'string' || !allowed.includes(value))
      this.add(`${path} must be one of ${allowed.join(', ')}`);
  }

  object(value: unknown, path: string, required = false): value is Record<string, unknown> {
    if (value === undefined && !required) return false;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.add(`${path} must be an object`);
      return false;
    }
    return true;
  }

  array(value: unknown, path: string, max: number, required = false): value is unknown[] {
    if (value === undefined && !required) return false;
    if (!Array.isArray(value)) {
      this.add(`${path} must be an array`);
      return false;
    }
    if (value.length > max) this.add(`${path} has more than ${max} items (${value.length})`);
    return true;
  }

  /** An absolute URL of one of the protocols. */
  url(
    value: unknown,
    path: string,
    protocols: readonly string[] = ['http:', 'https:'],
    required = false,
  ): void {
    if (value === undefined && !required) return;
    try {
      if (typeof value !== 'string' || !protocols.includes(new URL(value).protocol)) throw new Error();
    } catch {
      this.add(`${path} must be a ${protocols.join(' or ')} URL`);
    }
  }
}

/** Whether a Content-Type header is JSON. */
export function isJson(headers: Record<string, string>): boolean {
  return /^application\/json\b/i.test(headers['content-type'] ?? '');
}
