import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a local server received. */
export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export type Responder = (request: ReceivedRequest, response: ServerResponse) => void | Promise<void>;

/** A real HTTP server on a loopback address that records every request it gets. */
export class LocalServer {
  readonly requests: ReceivedRequest[] = [];
  private readonly server: Server;
  private readonly sockets = new Set<import('node:net').Socket>();
  respond: Responder;

  private constructor(respond: Responder) {
    this.respond = respond;
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const received = {
          method: req.method ?? '',
          path: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        };
        this.requests.push(received);
        void this.respond(received, res);
      });
    });
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  /** Listens on `host` (port 0: any free one). */
  static async start(
    respond: Responder = (_, res) => {
      res.end('ok');
    },
    host = '127.0.0.1',
    port = 0,
  ): Promise<LocalServer> {
    const local = new LocalServer(respond);
    await new Promise<void>((resolve, reject) => {
      local.server.once('error', reject);
      local.server.listen(port, host, () => resolve());
    });
    return local;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A JSON answer. */
export function answer(
  res: ServerResponse,
  status: number,
  headers: Record<string, string> = {},
  body = '{}',
) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(body);
}
