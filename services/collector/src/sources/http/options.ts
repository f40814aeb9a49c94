import type { SourceContext } from '../../model.js';

/** Settings of the HTTP source, plus what every source is given. */
export interface HttpSourceOptions extends SourceContext {
  /** Address to listen on; anything but loopback requires `token`. */
  host: string;
  /** Port to listen on; 0 picks a free one (see `HttpSource.address()`). */
  port: number;
  /** Larger bodies get 413, before and after decompression. */
  maxBodyBytes: number;
  /** Secret clients must present (Bearer, ApiKey or basic password); none on loopback only. */
  token?: string;
  /** service.name of events that name none. */
  defaultService: string;
}

/** Source ids of the routes, written to `vigie.source` and used as the sink's source name. */
export const SOURCE_IDS = {
  ingest: 'http',
  otlp: 'http-otlp',
  elasticsearch: 'http-elasticsearch',
  loki: 'http-loki',
  deploys: 'http-deploys',
} as const;
