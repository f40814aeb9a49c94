import type { RawLine, SourceContext } from '../../model.js';
import type { BatchingOptions } from './line-batcher.js';

/** Settings of the syslog source (from the collector config's `syslog` section). */
export interface SyslogSourceOptions extends SourceContext {
  /** Address both listeners bind to; the config default is 127.0.0.1. */
  host: string;
  /** Port of the UDP and TCP listeners (config default 5514); 0 picks a free port for each. */
  port: number;
  /** service.name hint for messages; the parser prefers the message's APP-NAME/TAG. */
  service?: string;
  /** Longer messages are cut to this many bytes and flagged truncated. */
  maxLineBytes: number;
  /** TCP connections open at once; more are refused. Default 1000. */
  maxConnections?: number;
  /** A TCP connection that sends nothing for this long is closed. Default 5 minutes. */
  idleTimeoutMs?: number;
  /** UDP messages waiting for the pipeline before new ones are dropped. Default 10,000. */
  udpQueueSize?: number;
  /** How long `stop()` waits for accepted messages to reach the sink. Default 5 s. */
  stopTimeoutMs?: number;
  /** Batching and retry settings. */
  batching?: BatchingOptions;
}

/** Defaults of the optional settings. */
export const SYSLOG_DEFAULTS = {
  maxConnections: 1000,
  idleTimeoutMs: 5 * 60 * 1000,
  udpQueueSize: 10_000,
  stopTimeoutMs: 5000,
} as const;

/** What the TCP and UDP receivers share. */
export interface ReceiverSettings {
  /** The source's settings, with its own child logger. */
  options: SyslogSourceOptions;
  /** Hints of every message: the `syslog` format and the configured service. */
  hints: NonNullable<RawLine['hints']>;
}

/** `addr` as written before `:port`: IPv6 addresses in brackets. */
export function formatAddress(address: string | undefined): string {
  if (address === undefined) return 'unknown';
  return address.includes(':') ? `[${address}]` : address;
}
