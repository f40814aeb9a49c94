import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '@vigie/common';
import { summarizeError } from '@vigie/common';
import { type SyslogFrame, SyslogFramer } from './framer.js';
import { LineBatcher } from './line-batcher.js';
import type { SyslogMetrics } from './metrics.js';
import { formatAddress, type ReceiverSettings, SYSLOG_DEFAULTS } from './options.js';

const SOURCE = 'syslog-tcp';

/** One open connection and what it still has to hand to the sink. */
interface Connection {
  socket: Socket;
  batcher: LineBatcher;
  /** Resolves when the connection closed and its messages were accepted. */
  finished: Promise<void>;
}

/**
 * The TCP side of the syslog source: one `SyslogFramer` and one `LineBatcher` per
 * connection, so each connection keeps its order and is paused on its own when the
 * sink pushes back. A paused connection is not timed out for idleness.
 */
export class TcpReceiver {
  private readonly server: Server;
  private readonly connections = new Set<Connection>();
  private readonly logger: Logger;
  private connectionCount = 0;

  constructor(
    private readonly settings: ReceiverSettings,
    private readonly metrics: SyslogMetrics,
  ) {
    this.logger = settings.options.logger;
    this.server = createServer({ noDelay: true }, (socket) => this.accept(socket));
    this.server.maxConnections = settings.options.maxConnections ?? SYSLOG_DEFAULTS.maxConnections;
    this.server.on('drop', () => metrics.refusedConnections.inc());
    this.server.on('error', (err) =>
      this.logger.error({ err: summarizeError(err) }, 'The syslog TCP listener failed.'),
    );
  }

  /** Listens on `host:port`; resolves with the port bound. */
  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const fail = (err: Error) => reject(err);
      this.server.once('error', fail);
      this.server.listen({ host, port }, () => {
        this.server.off('error', fail);
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  /**
   * Stops accepting, closes every connection and waits up to `timeoutMs` for what they
   * sent to be accepted by the sink. Returns how many messages were given up.
   */
  async close(timeoutMs: number): Promise<number> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const connection of this.connections) connection.socket.destroy();
    const finished = Promise.all([...this.connections].map((c) => c.finished));
    const timer = new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref());
    await Promise.race([finished, timer]);
    let lost = 0;
    for (const connection of this.connections) lost += connection.batcher.abort();
    await closed;
    return lost;
  }

  private accept(socket: Socket): void {
    const number = ++this.connectionCount;
    const stream = `tcp:${formatAddress(socket.remoteAddress)}:${socket.remotePort}#${number}`;
    const { options, hints } = this.settings;
    const idleTimeoutMs = options.idleTimeoutMs ?? SYSLOG_DEFAULTS.idleTimeoutMs;
    const framer = new SyslogFramer(options.maxLineBytes);
    const metrics = this.metrics;
    let sequence = 0;

    const batcher = new LineBatcher({
      ...options.batching,
      sink: options.sink,
      source: SOURCE,
      logger: this.logger,
      onPause: () => {
        metrics.pauses.inc();
        socket.pause();
        socket.setTimeout(0);
      },
      onResume: () => {
        socket.setTimeout(idleTimeoutMs);
        socket.resume();
      },
      onFailure: (_err, lines) => metrics.discarded.inc({ reason: 'sink_error' }, lines.length),
    });

    const deliver = (frames: SyslogFrame[]) => {
      if (frames.length === 0) return;
      const receivedAt = Date.now();
      metrics.messages.inc({ transport: 'tcp' }, frames.length);
      for (const frame of frames) {
        if (frame.truncated) metrics.truncated.inc({ transport: 'tcp' });
        batcher.add({
          text: frame.text,
          ...(frame.truncated ? { truncated: true } : {}),
          origin: { source: SOURCE, hostName: options.hostName, stream, sequence: sequence++ },
          receivedAt,
          hints,
        });
      }
    };

    let finish: () => void = () => {};
    const connection: Connection = {
      socket,
      batcher,
      finished: new Promise<void>((resolve) => {
        finish = resolve;
      }),
    };
    this.connections.add(connection);
    metrics.connections.inc();

    socket.setTimeout(idleTimeoutMs);
    socket.on('timeout', () => {
      this.logger.debug({ stream }, 'Closing an idle syslog TCP connection.');
      socket.destroy();
    });
    socket.on('data', (chunk: Buffer) => {
      metrics.bytes.inc({ transport: 'tcp' }, chunk.length);
      deliver(framer.push(chunk));
    });
    socket.on('error', (err) =>
      this.logger.debug({ err: summarizeError(err), stream }, 'A syslog TCP connection failed.'),
    );
    socket.on('close', () => {
      metrics.connections.dec();
      deliver(framer.end());
      void batcher.flush().finally(() => {
        this.connections.delete(connection);
        finish();
      });
    });
  }
}
