import type { DeadLetter, LogEvent, LogStore, StoredLog, WriteOutcome } from '@vigie/common';
import { UnavailableError } from '@vigie/common';

/** Faults a `MemoryStore` can play, to test what sits above a store. */
export interface MemoryStoreFaults {
  /** The next N write requests fail as a whole (storage down). */
  unavailableWrites?: number;
  /** Documents answered with `retry` that many times before they are accepted. */
  retryTimes?: Map<string, number>;
  /** Log events refused for good, with the reason (dead letters are always accepted). */
  reject?: Map<string, string>;
}

/**
 * An in-memory `LogStore`: the test double of the storage port. It passes the same
 * contract suite as the real stores, and can play faults.
 */
export class MemoryStore implements LogStore {
  readonly logs = new Map<string, StoredLog>();
  readonly deadLetters = new Map<string, DeadLetter>();
  /** Number of write requests received, successful or not. */
  writeRequests = 0;

  constructor(readonly faults: MemoryStoreFaults = {}) {}

  async healthcheck(): Promise<void> {}
  async setup(): Promise<void> {}
  async refresh(): Promise<void> {}
  async close(): Promise<void> {}

  async writeLogs(logs: StoredLog[]): Promise<WriteOutcome[]> {
    return this.write(logs, (log) => this.logs.set(log.id, structuredClone(log)), this.faults.reject);
  }

  async writeDeadLetters(letters: DeadLetter[]): Promise<WriteOutcome[]> {
    return this.write(letters, (letter) => this.deadLetters.set(letter.id, { ...letter }), undefined);
  }

  async countLogs(filter: { serviceName?: string } = {}): Promise<number> {
    if (!filter.serviceName) return this.logs.size;
    return [...this.logs.values()].filter((log) => log.event.service.name === filter.serviceName).length;
  }

  async getLog(id: string): Promise<LogEvent | undefined> {
    return this.logs.get(id)?.event;
  }

  async listDeadLetters(limit: number): Promise<DeadLetter[]> {
    return [...this.deadLetters.values()].sort((a, b) => b.timestamp - a.timestamp).slice(0, limit);
  }

  private write<T extends { id: string }>(
    docs: T[],
    save: (doc: T) => void,
    reject: Map<string, string> | undefined,
  ): WriteOutcome[] {
    this.writeRequests++;
    if ((this.faults.unavailableWrites ?? 0) > 0) {
      this.faults.unavailableWrites = (this.faults.unavailableWrites ?? 0) - 1;
      throw new UnavailableError('MemoryStore');
    }
    return docs.map((doc): WriteOutcome => {
      const rejection = reject?.get(doc.id);
      if (rejection !== undefined) return { status: 'rejected', reason: rejection };
      const retries = this.faults.retryTimes?.get(doc.id) ?? 0;
      if (retries > 0) {
        this.faults.retryTimes?.set(doc.id, retries - 1);
        return { status: 'retry', reason: 'es_rejected_execution_exception: queue full' };
      }
      save(doc);
      return { status: 'ok' };
    });
  }
}
