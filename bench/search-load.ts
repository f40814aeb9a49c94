/**
 * The two load generators of `bench:search`: autocannon against the API, and the same
 * Elasticsearch requests sent directly with the client, each as a closed loop of
 * `connections` requests in flight, every latency kept so percentiles are exact.
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { Client } from '@elastic/elasticsearch';
import autocannon from 'autocannon';

/** Latencies of one load run. */
export interface LoadResult {
  /** Every request's latency, in ms. */
  latencies: number[];
  /** Completed requests per second. */
  rate: number;
  /** Requests that failed (non-2xx, errors, timeouts). */
  failures: number;
}

/** An Elasticsearch request as the API sent it. */
export interface CapturedRequest {
  method: string;
  path: string;
  querystring: Record<string, string>;
  body: string;
}

/** The p-th percentile (0-100) of latencies, nearest rank. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))] as number;
}

/** `connections` autocannon connections on `url` for `seconds`, each request on the path `pathOf()` gives. */
export async function loadApi(
  url: string,
  pathOf: () => string,
  connections: number,
  seconds: number,
): Promise<LoadResult> {
  const latencies: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        connections,
        duration: seconds,
        timeout: 30,
        requests: [{ method: 'GET', setupRequest: (request) => ({ ...request, path: pathOf() }) }],
      },
      (err, done) => (err ? reject(err) : resolve(done)),
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode < 300) latencies.push(responseTime);
    });
  });
  const failures = result.non2xx + result.errors + result.timeouts;
  return { latencies, rate: latencies.length / seconds, failures };
}

/**
 * `connections` closed loops sending `captured` straight to Elasticsearch for `seconds`,
 * each with the body `bodyOf()` gives (an object, as the store passes it: the client
 * serialises it for every request).
 */
export async function loadDirect(
  client: Client,
  captured: CapturedRequest,
  bodyOf: () => Record<string, unknown>,
  connections: number,
  seconds: number,
): Promise<LoadResult> {
  const latencies: number[] = [];
  let failures = 0;
  const deadline = performance.now() + seconds * 1000;
  const loop = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const body = bodyOf();
      const started = performance.now();
      try {
        await client.transport.request({
          method: captured.method,
          path: captured.path,
          querystring: captured.querystring,
          body,
        });
        latencies.push(performance.now() - started);
      } catch {
        failures++;
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: connections }, loop));
  return { latencies, rate: latencies.length / ((performance.now() - started) / 1000), failures };
}

/**
 * A pass-through proxy in front of Elasticsearch that keeps the searches going through
 * it (not the audit writes), so the direct side replays exactly what the API sent.
 */
export class CapturingProxy {
  readonly captured: CapturedRequest[] = [];
  private readonly server: Server;

  constructor(private readonly target: string) {
    this.server = createServer((incoming, outgoing) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => {
        const body = Buffer.concat(chunks);
        const url = new URL(incoming.url ?? '/', this.target);
        if (url.pathname.endsWith('/_search') && !url.pathname.includes('-audit')) {
          this.captured.push({
            method: incoming.method ?? 'GET',
            path: url.pathname,
            querystring: Object.fromEntries(url.searchParams),
            body: body.toString('utf8'),
          });
        }
        const upstream = httpRequest(
          url,
          { method: incoming.method, headers: incoming.headers },
          (answer) => {
            outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(outgoing);
          },
        );
        upstream.on('error', () => outgoing.destroy());
        upstream.end(body);
      });
    });
  }

  /** Listens on a free loopback port; resolves with the proxy's URL. */
  listen(): Promise<string> {
    return new Promise((resolve) => {
      this.server.listen(0, '127.0.0.1', () => {
        const address = this.server.address();
        resolve(`http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`);
      });
    });
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
