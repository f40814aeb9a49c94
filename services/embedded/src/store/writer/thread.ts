import { Worker } from 'node:worker_threads';
import type { WriteOutcome } from '@vigie/common';
import { UnavailableError, workerEntry } from '@vigie/common';
import type { LogRow } from '../log-rows.js';
import type { LogWriterData, LogWriterMessage, LogWriterRequest } from './protocol.js';

interface Pending {
  resolve: (outcomes: WriteOutcome[]) => void;
  reject: (err: Error) => void;
}

/**
 * The main thread's handle on the log writer thread. Writing logs (SQLite inserts and
 * FTS5 indexing) is the costliest step of the all-in-one pipeline; on its own thread it
 * runs on the second core while the event loop parses, detects and serves searches. A
 * write resolves once its transaction committed, so an acknowledged batch is as durable
 * as when written inline. A thread that dies fails its pending writes as unavailable (the
 * processor retries them) and is started again on the next write.
 */
export class LogWriterThread {
  private worker: Worker | undefined;
  private ready: Promise<void> | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;

  constructor(private readonly path: string) {}

  async write(rows: Array<LogRow | WriteOutcome>): Promise<WriteOutcome[]> {
    if (this.closed) throw new UnavailableError('The SQLite log writer (closed)');
    const worker = this.start();
    await this.ready;
    const id = this.nextId++;
    return new Promise<WriteOutcome[]>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ type: 'write', id, rows } satisfies LogWriterRequest);
    });
  }

  /** Ends the thread once the writes already sent are done. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const worker = this.worker;
    if (!worker) return;
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    worker.postMessage({ type: 'close' } satisfies LogWriterRequest);
    await exited;
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const { entry, eval: isCode } = workerEntry(import.meta.url, 'worker');
    const worker = new Worker(entry, {
      eval: isCode,
      workerData: { path: this.path } satisfies LogWriterData,
    });
    this.worker = worker;
    let failStart: (err: Error) => void = () => {};
    this.ready = new Promise<void>((resolve, reject) => {
      failStart = reject;
      worker.once('error', (err) => {
        if (this.worker === worker) this.worker = undefined;
        reject(new UnavailableError('The SQLite log writer', err));
      });
      worker.on('message', (message: LogWriterMessage) => {
        if (message.type === 'ready') return resolve();
        const waiting = this.pending.get(message.id);
        this.pending.delete(message.id);
        if (message.type === 'written') waiting?.resolve(message.outcomes);
        else waiting?.reject(new UnavailableError('The SQLite store', new Error(message.message)));
      });
    });
    // Handled here so that an unobserved start-up failure is not an unhandled rejection.
    this.ready.catch(() => {});
    worker.on('exit', (code) => {
      if (this.worker === worker) this.worker = undefined;
      const cause = new Error(`the log writer thread exited with code ${code}`);
      failStart(new UnavailableError('The SQLite log writer', cause));
      for (const waiting of this.pending.values())
        waiting.reject(new UnavailableError('The SQLite store', cause));
      this.pending.clear();
    });
    return worker;
  }
}
