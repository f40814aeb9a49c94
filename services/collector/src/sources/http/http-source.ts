import type { AddressInfo } from 'node:net';
import type { Component } from '@vigie/common';
import { ConfigError } from '@vigie/common';
import type { FastifyInstance } from 'fastify';
import { buildHttpApp } from './app.js';
import { isLoopback } from './auth.js';
import type { HttpSourceOptions } from './options.js';

/**
 * Receives events over HTTP: Vigie's `/ingest`, OTLP/HTTP logs, the Elasticsearch
 * `_bulk` API and the Loki push API, on one port with `/health`. `start()` refuses a
 * non-loopback address without a token; `stop()` stops accepting, lets requests in
 * flight finish (their events reach the sink or their client gets an error), and is
 * idempotent and safe without `start()`.
 */
export class HttpSource implements Component {
  private app: FastifyInstance | undefined;
  private bound: { host: string; port: number } | undefined;

  constructor(private readonly options: HttpSourceOptions) {}

  /** Listens; throws a `ConfigError` when the listener would be open to the network with no token. */
  async start(): Promise<void> {
    if (this.app !== undefined) return;
    const { host, port, token } = this.options;
    if (!isLoopback(host) && (token === undefined || token === '')) {
      throw new ConfigError(
        `collector.http.host is ${host}, which other machines can reach: set collector.http.token, or listen on 127.0.0.1`,
      );
    }
    const app = buildHttpApp(this.options);
    try {
      await app.listen({ host, port });
    } catch (err) {
      await app.close();
      throw err;
    }
    const address = app.server.address() as AddressInfo;
    this.app = app;
    this.bound = { host: address.address, port: address.port };
    this.options.logger
      .child({ component: 'http-source' })
      .info(
        { host: address.address, port: address.port, token: token !== undefined },
        'HTTP source listening.',
      );
  }

  /** Where the listener is bound (the real port when 0 was asked); throws before `start()`. */
  address(): { host: string; port: number } {
    if (this.bound === undefined) throw new Error('HttpSource.address() called before start()');
    return { ...this.bound };
  }

  /** Closes the listener after the requests in flight; idempotent. */
  async stop(): Promise<void> {
    const app = this.app;
    this.app = undefined;
    this.bound = undefined;
    if (app !== undefined) await app.close();
  }
}
