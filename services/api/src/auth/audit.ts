import { type Logger, pino } from 'pino';

/** One audited request: who asked what, when, and what came back. */
export interface AuditRecord {
  /** ISO 8601 time the request arrived. */
  '@timestamp': string;
  actor: {
    /** Key id, or null for the anonymous loopback user. */
    key_id: string | null;
    /** Key name, or `anonymous@loopback`. */
    name: string;
    role: string;
  };
  http: {
    method: string;
    /** The route pattern (`/api/events/:id/context`), not the raw url. */
    route: string;
    status: number;
  };
  /** The query parameters that say what was searched (absent ones are left out). */
  query: { q?: string; from?: string; to?: string };
  /** Hits or rows returned, when the route reported it (see `recordResultCount`). */
  result_count?: number;
  source_ip: string;
  request_id: string;
}

/**
 * Where audit records go. `write` resolves once the record is durable enough to answer
 * the request: the access-control plugin awaits it before the response is sent and
 * fails the request when it rejects. `close` is idempotent.
 */
export interface AuditSink {
  write(record: AuditRecord): Promise<void>;
  close(): Promise<void>;
}

/** Audit records as JSON lines in a file (mode 0600), written synchronously. */
export class PinoFileAuditSink implements AuditSink {
  private readonly destination: ReturnType<typeof pino.destination>;
  private readonly logger: Logger;
  private closed = false;

  constructor(
    /** File the records are appended to; created with its folder when missing. */
    readonly path: string,
  ) {
    // Synchronous writes: the record is in the file before the response leaves.
    this.destination = pino.destination({ dest: path, sync: true, mkdir: true, mode: 0o600 });
    this.logger = pino({ base: null, timestamp: false, messageKey: 'event' }, this.destination);
  }

  async write(record: AuditRecord): Promise<void> {
    this.logger.info(record, 'audit');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.destination.flushSync();
    this.destination.end();
  }
}

/** Sends each record to every sink (a file and an index, say); fails when any fails. */
export class FanOutAuditSink implements AuditSink {
  constructor(private readonly sinks: readonly AuditSink[]) {}

  async write(record: AuditRecord): Promise<void> {
    await Promise.all(this.sinks.map((sink) => sink.write(record)));
  }

  async close(): Promise<void> {
    await Promise.all(this.sinks.map((sink) => sink.close()));
  }
}
