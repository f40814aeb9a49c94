import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { createRegistry, type Registry } from '@vigie/common';
import { testLogger } from '@vigie/testkit';
import type { LineSink } from '../../../src/model.js';
import { SyslogSource, type SyslogSourceOptions } from '../../../src/sources/syslog/index.js';

/** A started syslog source on free ports, with fast batching and retries for tests. */
export async function startSyslog(
  sink: LineSink,
  overrides: Partial<SyslogSourceOptions> = {},
): Promise<{ source: SyslogSource; registry: Registry; tcp: number; udp: number }> {
  const registry = createRegistry();
  const source = new SyslogSource({
    host: '127.0.0.1',
    port: 0,
    service: 'edge',
    maxLineBytes: 1024,
    sink,
    logger: testLogger(),
    registry,
    hostName: 'collector-1',
    batching: { maxDelayMs: 5, initialRetryDelayMs: 5, maxRetryDelayMs: 40 },
    ...overrides,
  });
  await source.start();
  return { source, registry, ...source.addresses() };
}

/** An open TCP connection to `port`. */
export async function openTcp(port: number): Promise<Socket> {
  const socket = connect({ host: '127.0.0.1', port, noDelay: true });
  await once(socket, 'connect');
  return socket;
}

/**
 * Sends each chunk in its own write, a little apart so that the receiver reads them
 * separately, then closes the connection. Resolves with the local port used.
 */
export async function sendTcp(port: number, ...chunks: (string | Buffer)[]): Promise<number> {
  const socket = await openTcp(port);
  for (const [i, chunk] of chunks.entries()) {
    if (i > 0) await new Promise((resolve) => setTimeout(resolve, 15));
    socket.write(chunk);
  }
  const localPort = socket.localPort as number;
  socket.end();
  await once(socket, 'close');
  return localPort;
}

/** Sends each message as one datagram from one socket; resolves with its local port. */
export async function sendUdp(port: number, ...messages: (string | Buffer)[]): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  for (const message of messages) {
    await new Promise<void>((resolve, reject) =>
      socket.send(message, port, '127.0.0.1', (err) => (err ? reject(err) : resolve())),
    );
  }
  const local = socket.address().port;
  socket.close();
  return local;
}

/** Octet-counting frame (RFC 6587) of `message`. */
export const octetCounted = (message: string | Buffer): Buffer => {
  const bytes = Buffer.from(message);
  return Buffer.concat([Buffer.from(`${bytes.length} `), bytes]);
};
