import { createServer, request as httpRequest, type Server } from 'node:http';

/** One request that went through the proxy to Elasticsearch, with its answer. */
export interface RecordedExchange {
  method: string;
  path: string;
  requestBody: string;
  status: number;
  responseBody: string;
}

/** A running recording proxy. */
export interface RecordingProxy {
  /** Give this to the store as its Elasticsearch url. */
  url: string;
  /** Every exchange so far, in the order the answers arrived. */
  readonly exchanges: RecordedExchange[];
  close(): Promise<void>;
}

/**
 * An HTTP pass-through on 127.0.0.1 in front of the real Elasticsearch that keeps every
 * request and response body, so a test can see exactly what the store sent (and got) on
 * the wire without mocking or reaching into the store's client. The store must not
 * compress its bodies (ElasticsearchStore does not).
 */
export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const upstream = new URL(target);
  const exchanges: RecordedExchange[] = [];
  const server: Server = createServer((incoming, outgoing) => {
    const requestChunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => requestChunks.push(chunk));
    incoming.on('end', () => {
      const requestBody = Buffer.concat(requestChunks);
      const forwarded = httpRequest(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: incoming.method,
          path: incoming.url,
          headers: { ...incoming.headers, host: upstream.host },
        },
        (answer) => {
          const responseChunks: Buffer[] = [];
          outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.on('data', (chunk: Buffer) => {
            responseChunks.push(chunk);
            outgoing.write(chunk);
          });
          answer.on('end', () => {
            exchanges.push({
              method: incoming.method ?? '',
              path: incoming.url ?? '',
              requestBody: requestBody.toString('utf8'),
              status: answer.statusCode ?? 0,
              responseBody: Buffer.concat(responseChunks).toString('utf8'),
            });
            outgoing.end();
          });
        },
      );
      forwarded.on('error', (err) => outgoing.destroy(err));
      forwarded.end(requestBody);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the proxy has no TCP address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    exchanges,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
