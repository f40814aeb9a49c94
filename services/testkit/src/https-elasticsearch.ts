import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TestCertificates } from './test-ca.js';

/** What the fake server was sent. */
export interface SeenRequest {
  method: string | undefined;
  path: string | undefined;
  authorization: string | undefined;
}

/**
 * An https server on 127.0.0.1 answering like Elasticsearch's cluster health (with its
 * product header), or with its 401 when `status` is 401, and recording every request's
 * Authorization header: the local Elasticsearch has no security module, so this is where
 * a client's credentials and CA handling are checked.
 */
export class HttpsElasticsearchStandIn {
  readonly seen: SeenRequest[] = [];
  /** Status of the next answers: 200, or 401 for refused credentials. */
  status: 200 | 401 = 200;

  private constructor(
    private readonly server: Server,
    /** `https://127.0.0.1:<port>` */
    readonly url: string,
  ) {}

  /** Listens with the server certificate of `certificates`, on a free port. */
  static async start(certificates: TestCertificates): Promise<HttpsElasticsearchStandIn> {
    const server = createServer({
      key: await readFile(certificates.keyFile),
      cert: await readFile(certificates.certFile),
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const standIn = new HttpsElasticsearchStandIn(
      server,
      `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    );
    server.on('request', (request, response) => {
      standIn.seen.push({
        method: request.method,
        path: request.url,
        authorization: request.headers.authorization,
      });
      const body =
        standIn.status === 200
          ? { cluster_name: 'stand-in', status: 'green' }
          : { error: { type: 'security_exception', reason: 'unable to authenticate user' }, status: 401 };
      response.writeHead(standIn.status, {
        'content-type': 'application/json',
        'x-elastic-product': 'Elasticsearch',
      });
      response.end(JSON.stringify(body));
    });
    return standIn;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
