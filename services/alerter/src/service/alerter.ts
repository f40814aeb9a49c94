import type {
  AlertStore,
  Anomaly,
  BatchContext,
  LogBus,
  Logger,
  Readiness,
  RecordBatch,
  Subscription,
  VigieConfig,
} from '@vigie/common';
import { summarizeError, untilAvailable } from '@vigie/common';
import type { IncidentFlow } from './incident-flow.js';

/** A periodic job of the alerter (the outbox dispatcher, the rule evaluator). */
export interface BackgroundJob {
  start(): void;
  stop(): Promise<void>;
}

export interface AlerterOptions {
  config: VigieConfig;
  bus: LogBus;
  store: AlertStore;
  flow: IncidentFlow;
  /** Started once the store answers; stopped with the alerter. */
  jobs: BackgroundJob[];
  logger: Logger;
  /** Wall clock; tests pass their own. */
  now?: () => number;
  reconcileEveryMs?: number;
}

/**
 * The alerter role: reads `vigie.anomalies`, keeps incidents, and runs the jobs that
 * deliver notifications and evaluate log alert rules. Offsets of the anomalies topic are
 * committed only after the incidents and their outbox entries are stored, so a crash
 * replays the batch, which the flow recognises as already applied.
 */
export class Alerter {
  private subscription: Subscription | undefined;
  private reconcileTimer: NodeJS.Timeout | undefined;
  private reconciling: Promise<void> | undefined;
  private readonly stopController = new AbortController();
  private readonly now: () => number;
  private storeAvailable = false;

  constructor(private readonly options: AlerterOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Waits for the store and the bus (retrying, so start order does not matter), then joins the group. */
  async start(): Promise<void> {
    const { bus, store, config, logger } = this.options;
    await this.untilAvailable('storage', () => store.setupAlerting());
    this.storeAvailable = true;
    await this.untilAvailable('bus', async () => {
      await bus.healthcheck();
      await bus.ensureTopic(config.kafka.anomaliesTopic, config.kafka.partitions);
    });
    if (this.stopController.signal.aborted) return;
    for (const job of this.options.jobs) job.start();
    this.scheduleReconcile();
    this.subscription = await bus.subscribe({
      topic: config.kafka.anomaliesTopic,
      groupId: config.alerter.groupId,
      handleBatch: (batch, context) => this.handleBatch(batch, context),
    });
    logger.info({ topic: config.kafka.anomaliesTopic, group: config.alerter.groupId }, 'Alerter started.');
  }

  async stop(): Promise<void> {
    this.stopController.abort();
    clearTimeout(this.reconcileTimer);
    await this.subscription?.stop();
    this.subscription = undefined;
    await this.reconciling;
    await Promise.allSettled(this.options.jobs.map((job) => job.stop()));
  }

  async readiness(): Promise<Readiness> {
    const joined = this.subscription !== undefined;
    return {
      ready: joined && this.storeAvailable,
      checks: {
        bus: joined
          ? `joined, partitions [${this.subscription?.assignedPartitions().join(',')}]`
          : 'not joined',
        storage: this.storeAvailable ? 'ok' : 'unavailable',
      },
    };
  }

  private async handleBatch(batch: RecordBatch, _context: BatchContext): Promise<void> {
    const anomalies: Anomaly[] = [];
    for (const record of batch.records) {
      const anomaly = parseAnomaly(record.value);
      if (anomaly) anomalies.push(anomaly);
      else {
        // Kept visible rather than retried forever: a record that is not an anomaly
        // will never become one, and blocking the partition would stop all paging.
        this.options.logger.error(
          { partition: batch.partition, offset: record.offset, bytes: record.value.length },
          'Skipped a record of the anomalies topic that is not an anomaly.',
        );
      }
    }
    try {
      await this.options.flow.handleAnomalies(anomalies, this.now());
      this.storeAvailable = true;
    } catch (err) {
      this.storeAvailable = false;
      throw err;
    }
  }

  private scheduleReconcile(): void {
    if (this.stopController.signal.aborted) return;
    this.reconcileTimer = setTimeout(() => {
      this.reconciling = this.options.flow
        .reconcile(this.now())
        .then(() => {
          this.storeAvailable = true;
        })
        .catch((err) => {
          this.storeAvailable = false;
          this.options.logger.warn({ err: summarizeError(err) }, 'Reconcile pass failed; retrying.');
        })
        .finally(() => this.scheduleReconcile());
    }, this.options.reconcileEveryMs ?? 1000);
  }

  private untilAvailable(what: string, attempt: () => Promise<void>): Promise<void> {
    return untilAvailable(what, attempt, { signal: this.stopController.signal, logger: this.options.logger });
  }
}

function parseAnomaly(value: Buffer): Anomaly | undefined {
  try {
    const parsed = JSON.parse(value.toString('utf8')) as Partial<Anomaly>;
    const valid =
      typeof parsed.id === 'string' &&
      typeof parsed.kind === 'string' &&
      typeof parsed.service === 'string' &&
      (parsed.state === 'open' || parsed.state === 'closed') &&
      typeof parsed.updated === 'string';
    return valid ? (parsed as Anomaly) : undefined;
  } catch {
    return undefined;
  }
}
