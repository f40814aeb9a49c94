import { open } from 'node:fs/promises';
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
  /** The latest records, newest first, when this sink can read back (serves GET /api/audit). */
  recent?(options: { limit: number }): Promise<AuditRecord[]>;
  close(): Promise<void>;
}

/** How much of the end of an audit file `recent` reads: enough for the 500 latest records. */
const TAIL_BYTES = 4 * 1024 * 1024;

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
    // One record per line, nothing else: no level, pid, hostname or message.
    this.logger = pino(
      { base: null, timestamp: false, messageKey: 'event', formatters: { level: () => ({}) } },
      this.destination,
    );
  }

  async write(record: AuditRecord): Promise<void> {
    this.logger.info(record, 'audit');
  }

  async recent(options: { limit: number }): Promise<AuditRecord[]> {
    const handle = await open(this.path, 'r');
    let text: string;
    try {
      const { size } = await handle.stat();
      const start = Math.max(0, size - TAIL_BYTES);
      const buffer = Buffer.alloc(size - start);
      await handle.read(buffer, 0, buffer.length, start);
      text = buffer.toString('utf8');
      // A cut first line is dropped rather than misread.
      if (start > 0) text = text.slice(text.indexOf('\n') + 1);
    } finally {
      await handle.close();
    }
    const records: AuditRecord[] = [];
    for (const line of text.split('\n').reverse()) {
      if (records.length >= options.limit) break;
      if (line.trim() === '') continue;
      const { event: _event, ...record } = JSON.parse(line) as AuditRecord & { event?: string };
      records.push(record);
    }
    return records;
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

  /** Reads from the first sink that can. */
  async recent(options: { limit: number }): Promise<AuditRecord[]> {
    const reader = this.sinks.find((sink) => sink.recent !== undefined);
    return reader?.recent ? reader.recent(options) : [];
  }

  async close(): Promise<void> {
    await Promise.all(this.sinks.map((sink) => sink.close()));
  }
}
