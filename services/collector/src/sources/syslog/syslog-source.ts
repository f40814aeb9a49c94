import type { Component, Logger } from '@vigie/common';
import { type SyslogMetrics, syslogMetrics } from './metrics.js';
import { SYSLOG_DEFAULTS, type SyslogSourceOptions } from './options.js';
import { TcpReceiver } from './tcp-receiver.js';
import { UdpReceiver } from './udp-receiver.js';

/**
 * Receives syslog over UDP and TCP on one address, frames the messages (RFC 6587 for
 * TCP, one per datagram for UDP) and hands them, unparsed, to
 * `sink.submitLines('syslog-tcp' | 'syslog-udp', lines)` with the `syslog` format hint.
 *
 * Lifecycle: `start()` once, which binds both listeners or fails; `stop()` is
 * idempotent and safe without `start()`: it stops listening, closes the connections and
 * waits up to `stopTimeoutMs` for received messages to be accepted; messages still not
 * accepted then are counted in `vigie_discarded_events_total{reason="shutdown"}`.
 *
 * TCP pushes back: a connection whose batch the sink refuses is paused and the batch
 * retried, so nothing is lost. UDP cannot push back and drops past a bounded queue
 * (see `UdpReceiver`).
 */
export class SyslogSource implements Component {
  private readonly logger: Logger;
  private readonly metrics: SyslogMetrics;
  private tcp: TcpReceiver | undefined;
  private udp: UdpReceiver | undefined;
  private ports: { udp: number; tcp: number } | undefined;
  private starting: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;

  constructor(private readonly options: SyslogSourceOptions) {
    this.logger = options.logger.child({ component: 'syslog-source' });
    this.metrics = syslogMetrics(options.registry);
  }

  /** Binds the TCP and UDP listeners; rejects (and releases both) when either cannot bind. */
  start(): Promise<void> {
    if (this.starting !== undefined || this.stopping !== undefined) {
      return Promise.reject(new Error('SyslogSource.start() can only be called once.'));
    }
    this.starting = this.listen();
    return this.starting;
  }

  private async listen(): Promise<void> {
    const settings = {
      options: { ...this.options, logger: this.logger },
      hints: {
        format: 'syslog' as const,
        ...(this.options.service === undefined ? {} : { service: this.options.service }),
      },
    };
    const tcp = new TcpReceiver(settings, this.metrics);
    const udp = new UdpReceiver(settings, this.metrics);
    this.tcp = tcp;
    this.udp = udp;
    let tcpPort: number | undefined;
    try {
      tcpPort = await tcp.listen(this.options.host, this.options.port);
      const udpPort = await udp.listen(this.options.host, this.options.port);
      this.ports = { tcp: tcpPort, udp: udpPort };
    } catch (err) {
      if (tcpPort !== undefined) await tcp.close(0);
      await udp.close(0, false);
      this.tcp = undefined;
      this.udp = undefined;
      throw err;
    }
    this.logger.info(
      { host: this.options.host, tcpPort: this.ports.tcp, udpPort: this.ports.udp },
      'Receiving syslog.',
    );
  }

  /** Ports the listeners are bound to (useful with port 0). Throws before `start()`. */
  addresses(): { udp: number; tcp: number } {
    if (this.ports === undefined) throw new Error('SyslogSource is not listening.');
    return { ...this.ports };
  }

  /** Stops listening and hands on what was received (see the class comment). */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    // A stop during start waits for the listeners, so that none is left bound.
    await this.starting?.catch(() => {});
    const { tcp, udp, ports } = this;
    if (tcp === undefined || udp === undefined || ports === undefined) return;
    const timeoutMs = this.options.stopTimeoutMs ?? SYSLOG_DEFAULTS.stopTimeoutMs;
    const [tcpLost, udpLost] = await Promise.all([tcp.close(timeoutMs), udp.close(timeoutMs, true)]);
    this.ports = undefined;
    const lost = tcpLost + udpLost;
    if (lost > 0) {
      this.metrics.discarded.inc({ reason: 'shutdown' }, lost);
      this.logger.warn({ lost }, 'Syslog messages not accepted by the pipeline before shutdown.');
    }
    this.logger.info('Stopped receiving syslog.');
  }
}
