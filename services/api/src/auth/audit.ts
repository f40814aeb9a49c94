import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname } from 'node:path';

/** One audited request: who asked what, when, and what came back. */
export interface AuditRecord {
  /** ISO 8601 time the answer was ready (the record is written just before it is sent). */
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

/**
 * Audit records as JSON lines in a file (mode 0600, opened for append), each written
 * with one synchronous write: it is in the file before the response leaves, and a failed
 * write (disk full) rejects instead of being lost.
 */
export class FileAuditSink implements AuditSink {
  private fd: number | undefined;

  constructor(
    /** File the records are appended to; created with its folder when missing. */
    readonly path: string,
  ) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    this.fd = openSync(path, 'a', 0o600);
  }

  async write(record: AuditRecord): Promise<void> {
    if (this.fd === undefined) throw new Error('audit file is closed');
    writeSync(this.fd, `${JSON.stringify(record)}\n`);
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
      records.push(JSON.parse(line) as AuditRecord);
    }
    return records;
  }

  async close(): Promise<void> {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    closeSync(fd);
  }
}

/** The former name of `FileAuditSink`. */
export const PinoFileAuditSink = FileAuditSink;

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
