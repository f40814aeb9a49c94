import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { summarizeError } from '@vigie/common';
import { BoundedBytes } from './bounded-bytes.js';
import { LineBatcher } from './line-batcher.js';
import type { SyslogMetrics } from './metrics.js';
import { formatAddress, type ReceiverSettings, SYSLOG_DEFAULTS } from './options.js';

const SOURCE = 'syslog-udp';
const LF = 0x0a;
const CR = 0x0d;
const NUL = 0x00;
/**
 * Senders whose sequence counters are kept. Source addresses of UDP are free to forge,
 * so the map is bounded: the sender heard from least recently is forgotten, and its
 * counter starts again at 0 if it comes back.
 */
const MAX_SENDERS = 10_000;
/** Text the UDP queue may hold besides its message count (UTF-16 code units). */
const MAX_QUEUE_CHARS = 32 * 1024 * 1024;
/** Kernel receive buffer asked for, to ride out short bursts while the queue drains. */
const RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024;

/**
 * The UDP side of the syslog source (RFC 5426: one message per datagram).
 *
 * UDP cannot push back: a sender never learns that the collector is slow. Messages wait
 * in a bounded queue (`udpQueueSize`, default 10,000, and 32 Mi characters) while the sink is slow or refuses
 * batches; once that queue is full, new datagrams are dropped and counted in
 * `vigie_discarded_events_total{reason="udp_queue_full"}`. The kernel can also drop
 * datagrams before they reach the collector (receive buffer full), which no counter
 * here can see. Use TCP when every message matters.
 */
export class UdpReceiver {
  private readonly socket: Socket;
  private readonly batcher: LineBatcher;
  private readonly sequences = new Map<string, number>();
  private readonly queueSize: number;
  private closed = false;

  constructor(
    private readonly settings: ReceiverSettings,
    private readonly metrics: SyslogMetrics,
  ) {
    const { options } = settings;
    this.queueSize = options.udpQueueSize ?? SYSLOG_DEFAULTS.udpQueueSize;
    this.socket = createSocket(isIPv6(options.host) ? 'udp6' : 'udp4');
    this.socket.on('message', (message, remote) => this.receive(message, remote));
    this.socket.on('error', (err) =>
      options.logger.error({ err: summarizeError(err) }, 'The syslog UDP listener failed.'),
    );
    this.batcher = new LineBatcher({
      ...options.batching,
      sink: options.sink,
      source: SOURCE,
      logger: options.logger,
      maxPending: Number.POSITIVE_INFINITY,
      onFailure: (_err, lines) => metrics.discarded.inc({ reason: 'sink_error' }, lines.length),
    });
  }

  /** Binds to `host:port`; resolves with the port bound. */
  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const fail = (err: Error) => reject(err);
      this.socket.once('error', fail);
      this.socket.bind({ address: host, port }, () => {
        this.socket.off('error', fail);
        try {
          this.socket.setRecvBufferSize(RECEIVE_BUFFER_BYTES);
        } catch {
          // The system caps the buffer (net.core.rmem_max); its default size still works.
        }
        resolve(this.socket.address().port);
      });
    });
  }

  /**
   * Stops receiving and waits up to `timeoutMs` for queued messages to be accepted by
   * the sink. Returns how many messages were given up.
   */
  async close(timeoutMs: number, bound: boolean): Promise<number> {
    if (this.closed) return 0;
    this.closed = true;
    if (bound) await new Promise<void>((resolve) => this.socket.close(() => resolve()));
    const timer = new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref());
    await Promise.race([this.batcher.flush(), timer]);
    return this.batcher.abort();
  }

  private receive(message: Buffer, remote: RemoteInfo): void {
    const metrics = this.metrics;
    metrics.messages.inc({ transport: 'udp' });
    metrics.bytes.inc({ transport: 'udp' }, message.length);
    let end = message.length;
    while (end > 0 && isTrailer(message[end - 1] as number)) end--;
    if (end === 0) return;
    if (this.batcher.pendingCount >= this.queueSize || this.batcher.pendingChars >= MAX_QUEUE_CHARS) {
      metrics.discarded.inc({ reason: 'udp_queue_full' });
      return;
    }
    const bytes = new BoundedBytes(this.settings.options.maxLineBytes);
    bytes.append(message, 0, end);
    const { text, truncated } = bytes.take();
    if (truncated) metrics.truncated.inc({ transport: 'udp' });
    const sender = `${formatAddress(remote.address)}:${remote.port}`;
    this.batcher.add({
      text,
      ...(truncated ? { truncated: true } : {}),
      origin: {
        source: SOURCE,
        hostName: this.settings.options.hostName,
        stream: `udp:${sender}`,
        sequence: this.nextSequence(sender),
      },
      receivedAt: Date.now(),
      hints: this.settings.hints,
    });
  }

  private nextSequence(sender: string): number {
    const sequence = this.sequences.get(sender) ?? 0;
    // Delete then set: the Map's insertion order becomes least-recently-heard first.
    this.sequences.delete(sender);
    this.sequences.set(sender, sequence + 1);
    if (this.sequences.size > MAX_SENDERS) {
      const oldest = this.sequences.keys().next().value;
      if (oldest !== undefined) this.sequences.delete(oldest);
    }
    return sequence;
  }
}

function isTrailer(byte: number): boolean {
  return byte === LF || byte === CR || byte === NUL;
}
