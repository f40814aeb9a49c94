import type { Client, estypes } from '@elastic/elasticsearch';
import { Counter, Gauge, type Logger, type Registry, summarizeError } from '@vigie/common';
import { createElasticsearchClient, type ElasticsearchConnection } from './client.js';
import { DAY_MS, LogIndexRouter, parseLogIndexName } from './log-indices.js';
import {
  type LogIndexStats,
  type LogRetentionPolicy,
  longestMaxAgeDays,
  type PlannedDeletion,
  planLogRetention,
} from './retention-plan.js';

/** What the retention job needs: the connection, the prefix, the policy and its schedule. */
export interface ElasticsearchRetentionOptions extends ElasticsearchConnection {
  indexPrefix: string;
  retention: LogRetentionPolicy & { intervalMinutes: number };
  logger: Logger;
  /** Where the `vigie_retention_*` metrics are registered; none when absent. */
  registry?: Registry;
}

/** What one pass did. */
export interface RetentionPassResult {
  /** Log indices this pass deleted (those another processor deleted first are left out). */
  deleted: PlannedDeletion[];
  /** Primary store bytes of the log indices left. */
  remainingBytes: number;
  /** Dead letters, bucket metrics and closed anomalies deleted for being older than every log kept. */
  deletedDocuments: { deadLetters: number; metrics: number; anomalies: number };
}

/** Documents deleted by one bulk request of a pass. */
const DELETE_PAGE_SIZE = 1000;
/** Bulk deletions per index and pass: what is left waits for the next pass. */
const MAX_DELETE_PAGES = 20;

/**
 * Deletes whole daily log indices past the configured age and size (see
 * `planLogRetention`), and dead letters, bucket metrics and closed anomalies past the
 * longest age. Several processors may run it at the same time: each deletes indices by
 * exact name, and an index another one deleted first is simply found gone (404).
 */
export class ElasticsearchRetention {
  private readonly client: Client;
  private readonly prefix: string;
  private readonly router: LogIndexRouter;
  private readonly log: Logger;
  private readonly metrics?: ReturnType<typeof retentionMetrics>;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = false;

  constructor(private readonly options: ElasticsearchRetentionOptions) {
    this.client = createElasticsearchClient(options);
    this.prefix = options.indexPrefix;
    this.router = new LogIndexRouter(this.prefix, Object.keys(options.retention.environments));
    this.log = options.logger.child({ component: 'elasticsearch-retention' });
    if (options.registry) this.metrics = retentionMetrics(options.registry);
  }

  /** One pass at `now` (epoch ms). Throws when Elasticsearch cannot be listed; deletions already done stay done. */
  async runOnce(now = Date.now()): Promise<RetentionPassResult> {
    const indices = await this.listLogIndices();
    const plan = planLogRetention(indices, this.options.retention, now);
    const deleted: PlannedDeletion[] = [];
    // Each deletion is reported as it is done, so a pass failing half-way still accounts for it.
    for (const index of plan) {
      if (!(await this.deleteIndex(index.index))) continue;
      deleted.push(index);
      this.log.info(
        {
          index: index.index,
          day: new Date(index.day).toISOString().slice(0, 10),
          environment: index.environment,
          bytes: index.bytes,
          reason: index.reason,
        },
        'Retention deleted a log index.',
      );
      this.metrics?.indices.inc({ reason: index.reason });
      this.metrics?.bytes.inc({ reason: index.reason }, index.bytes);
    }
    const gone = new Set(plan.map((index) => index.index));
    const remainingBytes = indices
      .filter((index) => !gone.has(index.index))
      .reduce((sum, index) => sum + index.bytes, 0);
    this.metrics?.remaining.set(remainingBytes);
    const deletedDocuments = await this.deleteOldDocuments(
      now - longestMaxAgeDays(this.options.retention) * DAY_MS,
    );
    return { deleted, remainingBytes, deletedDocuments };
  }

  /**
   * Runs a pass about every `intervalMinutes` (±10 %, so processors started together
   * drift apart), one at a time, the first one an interval after the start (as the
   * embedded store's retention). A failed pass is logged and counted; the next runs anyway.
   */
  start(): void {
    if (this.stopped || this.timer) return;
    const pass = () => {
      this.running = this.runOnce()
        .catch((err: unknown) => {
          this.metrics?.failures.inc();
          this.log.warn({ err: summarizeError(err) }, 'Retention pass failed; trying again later.');
        })
        .finally(() => {
          this.running = undefined;
          if (!this.stopped) schedule();
        });
    };
    const schedule = () => {
      const interval = this.options.retention.intervalMinutes * 60_000;
      this.timer = setTimeout(pass, interval * (0.9 + Math.random() * 0.2));
      this.timer.unref();
    };
    schedule();
  }

  /** Stops the schedule, waits for a pass under way and closes the client; idempotent. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    await this.client.close();
  }

  private async listLogIndices(): Promise<LogIndexStats[]> {
    const stats = await this.client.indices.stats({
      index: `${this.prefix}-logs-*`,
      metric: 'store',
      expand_wildcards: 'open',
    });
    const listed: LogIndexStats[] = [];
    for (const [index, stat] of Object.entries(stats.indices ?? {})) {
      const parsed = parseLogIndexName(this.prefix, index);
      if (!parsed) continue;
      const environment =
        parsed.segment === undefined ? undefined : this.router.environmentOf(parsed.segment);
      listed.push({
        index,
        day: parsed.day,
        // An environment removed from the configuration: its indices follow the defaults.
        ...(environment !== undefined && { environment }),
        bytes: stat.primaries?.store?.size_in_bytes ?? 0,
      });
    }
    return listed;
  }

  /** Deletes one index by its exact name; false when it was already gone. */
  private async deleteIndex(index: string): Promise<boolean> {
    const response = await this.client.indices.delete({ index }, { ignore: [404], meta: true });
    return response.statusCode !== 404;
  }

  private async deleteOldDocuments(cutoff: number): Promise<RetentionPassResult['deletedDocuments']> {
    const before: estypes.QueryDslRangeQuery = { lt: cutoff, format: 'epoch_millis' };
    const [deadLetters, metrics, anomalies] = await Promise.all([
      this.deleteMatching(`${this.prefix}-deadletter`, { range: { '@timestamp': before } }),
      this.deleteMatching(`${this.prefix}-metrics`, { range: { '@timestamp': before } }),
      // An open anomaly is kept however old: it is still going on.
      this.deleteMatching(`${this.prefix}-anomalies`, {
        bool: { filter: [{ term: { state: 'closed' } }, { range: { updated: before } }] },
      }),
    ]);
    if (deadLetters + metrics + anomalies > 0)
      this.log.info(
        { deadLetters, metrics, anomalies, before: new Date(cutoff).toISOString() },
        'Retention deleted old dead letters and detection records.',
      );
    this.metrics?.documents.inc({ kind: 'dead_letter' }, deadLetters);
    this.metrics?.documents.inc({ kind: 'metric' }, metrics);
    this.metrics?.documents.inc({ kind: 'anomaly' }, anomalies);
    return { deadLetters, metrics, anomalies };
  }

  /**
   * Deletes the documents of `index` matching `query`, by id, a page at a time: a
   * search and a bulk delete rather than `_delete_by_query`, which needs the reindex
   * module that a slimmed-down cluster may lack. At most `MAX_DELETE_PAGES` pages a pass.
   */
  private async deleteMatching(index: string, query: estypes.QueryDslQueryContainer): Promise<number> {
    let deleted = 0;
    for (let page = 0; page < MAX_DELETE_PAGES; page++) {
      const found = await this.client.search({
        index,
        query,
        size: DELETE_PAGE_SIZE,
        _source: false,
        allow_no_indices: true,
        ignore_unavailable: true,
      });
      const operations = found.hits.hits.flatMap((hit) =>
        hit._id === undefined ? [] : [{ delete: { _index: hit._index, _id: hit._id } }],
      );
      if (operations.length === 0) break;
      // Refreshed, so the next page's search no longer sees what this one deleted.
      const response = await this.client.bulk({ operations, refresh: true });
      deleted += response.items.filter((item) => item.delete?.result === 'deleted').length;
      if (operations.length < DELETE_PAGE_SIZE) break;
    }
    return deleted;
  }
}

function retentionMetrics(registry: Registry) {
  return {
    indices: new Counter({
      name: 'vigie_retention_deleted_indices_total',
      help: 'Daily log indices deleted by retention, by reason (max_age, max_bytes, environment_max_bytes).',
      labelNames: ['reason'],
      registers: [registry],
    }),
    bytes: new Counter({
      name: 'vigie_retention_deleted_bytes_total',
      help: 'Primary store bytes of the log indices deleted by retention, by reason.',
      labelNames: ['reason'],
      registers: [registry],
    }),
    documents: new Counter({
      name: 'vigie_retention_deleted_documents_total',
      help: 'Dead letters, bucket metrics and closed anomalies deleted by retention, by kind.',
      labelNames: ['kind'],
      registers: [registry],
    }),
    remaining: new Gauge({
      name: 'vigie_retention_log_bytes',
      help: 'Primary store bytes of the log indices after the last retention pass.',
      registers: [registry],
    }),
    failures: new Counter({
      name: 'vigie_retention_failures_total',
      help: 'Retention passes that failed (Elasticsearch unreachable or refusing).',
      registers: [registry],
    }),
  };
}
