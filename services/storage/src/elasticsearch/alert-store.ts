import type { Client, estypes } from '@elastic/elasticsearch';
import type {
  AlertRule,
  AlertStore,
  AttemptFilter,
  DeliveryAttempt,
  Feedback,
  FeedbackFilter,
  Incident,
  IncidentFilter,
  Logger,
  OutboxEntry,
  Silence,
} from '@vigie/common';
import { UnavailableError } from '@vigie/common';
import { AlertDocuments, guardElasticsearch, MAX_RESULT_WINDOW } from './alert-documents.js';
import { alertIndices, alertTemplates } from './alert-store-templates.js';
import { itemOutcome } from './bulk-outcome.js';
import { createElasticsearchClient, type ElasticsearchConnection } from './client.js';

/** How to reach Elasticsearch; the indices are `<indexPrefix>-incidents`, `-outbox`, ... */
export interface ElasticsearchAlertStoreOptions extends ElasticsearchConnection {
  indexPrefix: string;
  /** Where to report what the store handles itself (entries it failed to lease). */
  logger?: Logger;
}

const DEFAULT_LIMIT = 100;
/** Lists without a `limit` (silences, feedback, rules) stop there. */
const UNFILTERED_LIMIT = 1000;
const BULK_FILTER = ['errors', 'items.*.status', 'items.*.error', 'items.*._id'];

type Query = estypes.QueryDslQueryContainer;
const term = (field: string, value: string | boolean): Query => ({ term: { [field]: value } });
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * `AlertStore` on Elasticsearch: one small index per kind of record. Incidents and
 * outbox entries are written conditionally (sequence number and primary term), outbox
 * entries are created only if absent, and a claim is a conditional update per entry, so
 * two dispatchers never hold one entry. Every write is visible to reads when it resolves.
 */
export class ElasticsearchAlertStore implements AlertStore {
  private readonly client: Client;
  private readonly documents: AlertDocuments;
  private readonly index: ReturnType<typeof alertIndices>;
  private closed = false;

  constructor(private readonly options: ElasticsearchAlertStoreOptions) {
    this.client = createElasticsearchClient(options);
    this.documents = new AlertDocuments(this.client);
    this.index = alertIndices(options.indexPrefix);
  }

  async setupAlerting(): Promise<void> {
    for (const template of alertTemplates(this.options.indexPrefix)) {
      await guardElasticsearch(() => this.client.indices.putIndexTemplate(template));
    }
  }

  getIncident(id: string): Promise<Incident | undefined> {
    return this.documents.get<Incident>(this.index.incidents, id);
  }

  listIncidents(filter: IncidentFilter = {}): Promise<Incident[]> {
    const query: Query[] = [];
    if (filter.service !== undefined) query.push(term('service', filter.service));
    if (filter.status === 'active') query.push({ terms: { status: ['open', 'acknowledged'] } });
    else if (filter.status !== undefined) query.push(term('status', filter.status));
    if (filter.since !== undefined) query.push({ range: { updatedAt: { gte: iso(filter.since) } } });
    return this.documents.search<Incident>(this.index.incidents, {
      filter: query,
      sort: [{ updatedAt: 'desc' }, { id: 'asc' }],
      size: filter.limit ?? DEFAULT_LIMIT,
    });
  }

  saveIncident(incident: Incident): Promise<Incident> {
    return this.documents.saveVersioned(this.index.incidents, incident, `Incident ${incident.id}`, true);
  }

  async enqueue(entries: OutboxEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const operations = entries.flatMap((entry) => [
      { create: { _index: this.index.outbox, _id: entry.id } },
      { ...entry, version: 1 },
    ]);
    const response = await guardElasticsearch(() =>
      this.client.bulk({ operations, refresh: true, filter_path: BULK_FILTER }),
    );
    if (!response.errors) return;
    // 409: the entry is queued already, which is what a replay expects.
    const failures = response.items.filter((item) => (item.create?.status ?? 0) !== 409);
    const outcomes = failures
      .map((item) => itemOutcome(item))
      .flatMap((outcome) => (outcome.status === 'ok' ? [] : [outcome]));
    const first = outcomes[0];
    if (!first) return;
    if (first.status === 'retry') throw new UnavailableError('Elasticsearch', new Error(first.reason));
    throw new Error(`Elasticsearch refused ${outcomes.length} outbox entries: ${first.reason}`);
  }

  async claimDue(now: number, owner: string, leaseMs: number, limit: number): Promise<OutboxEntry[]> {
    if (limit <= 0) return [];
    const due = await guardElasticsearch(() =>
      this.client.search<OutboxEntry>({
        index: this.index.outbox,
        query: {
          bool: {
            filter: [
              term('status', 'pending'),
              { range: { nextAttemptAt: { lte: now } } },
              {
                bool: {
                  should: [
                    { bool: { must_not: { exists: { field: 'leaseUntil' } } } },
                    { range: { leaseUntil: { lte: now } } },
                  ],
                  minimum_should_match: 1,
                },
              },
            ],
          },
        },
        sort: [{ nextAttemptAt: 'asc' }, { id: 'asc' }],
        size: Math.min(limit, MAX_RESULT_WINDOW),
        seq_no_primary_term: true,
        allow_no_indices: true,
        ignore_unavailable: true,
      }),
    );
    const leased: OutboxEntry[] = [];
    const operations: object[] = [];
    for (const hit of due.hits.hits) {
      if (!hit._source || hit._seq_no === undefined || hit._primary_term === undefined) continue;
      const entry = { ...hit._source, leaseOwner: owner, leaseUntil: now + leaseMs };
      entry.version = hit._source.version + 1;
      leased.push(entry);
      operations.push(
        {
          index: {
            _index: this.index.outbox,
            _id: entry.id,
            if_seq_no: hit._seq_no,
            if_primary_term: hit._primary_term,
          },
        },
        entry,
      );
    }
    if (leased.length === 0) return [];
    const response = await guardElasticsearch(() =>
      this.client.bulk({ operations, refresh: true, filter_path: BULK_FILTER }),
    );
    if (!response.errors) return leased;
    // Entries another dispatcher leased first (409) are theirs; the rest are ours.
    const won = leased.filter((_, i) => itemOutcome(response.items[i] ?? {}).status === 'ok');
    const failed = response.items.filter((item) => ![200, 201, 409].includes(item.index?.status ?? 0));
    if (failed.length > 0) {
      const outcome = itemOutcome(failed[0] ?? {});
      // Entries not leased stay pending: the next claim takes them again.
      this.options.logger?.warn(
        { failed: failed.length, reason: outcome.status === 'ok' ? undefined : outcome.reason },
        'Could not lease some due outbox entries.',
      );
      if (won.length === 0)
        throw new UnavailableError('Elasticsearch', new Error('claiming outbox entries failed'));
    }
    return won;
  }

  updateOutbox(entry: OutboxEntry): Promise<OutboxEntry> {
    return this.documents.saveVersioned(this.index.outbox, entry, `Outbox entry ${entry.id}`, false);
  }

  getOutbox(id: string): Promise<OutboxEntry | undefined> {
    return this.documents.get<OutboxEntry>(this.index.outbox, id);
  }

  listOutbox(
    filter: { incidentId?: string; status?: OutboxEntry['status']; limit?: number } = {},
  ): Promise<OutboxEntry[]> {
    const query: Query[] = [];
    if (filter.incidentId !== undefined) query.push(term('incidentId', filter.incidentId));
    if (filter.status !== undefined) query.push(term('status', filter.status));
    return this.documents.search<OutboxEntry>(this.index.outbox, {
      filter: query,
      sort: [{ createdAt: 'desc' }, { id: 'asc' }],
      size: filter.limit ?? DEFAULT_LIMIT,
    });
  }

  recordAttempt(attempt: DeliveryAttempt): Promise<void> {
    return this.documents.put(this.index.deliveries, attempt.id, attempt);
  }

  listAttempts(filter: AttemptFilter = {}): Promise<DeliveryAttempt[]> {
    const query: Query[] = [];
    if (filter.receiver !== undefined) query.push(term('receiver', filter.receiver));
    if (filter.incidentId !== undefined) query.push(term('incidentId', filter.incidentId));
    return this.documents.search<DeliveryAttempt>(this.index.deliveries, {
      filter: query,
      sort: [{ at: 'desc' }, { id: 'asc' }],
      size: filter.limit ?? DEFAULT_LIMIT,
    });
  }

  saveSilence(silence: Silence): Promise<void> {
    return this.documents.put(this.index.silences, silence.id, silence);
  }

  listSilences(filter: { activeAt?: number } = {}): Promise<Silence[]> {
    const query: Query[] = [];
    if (filter.activeAt !== undefined) {
      const at = iso(filter.activeAt);
      query.push({ range: { startsAt: { lte: at } } }, { range: { endsAt: { gt: at } } });
    }
    return this.documents.search<Silence>(this.index.silences, {
      filter: query,
      sort: [{ createdAt: 'desc' }, { id: 'asc' }],
      size: UNFILTERED_LIMIT,
    });
  }

  deleteSilence(id: string): Promise<boolean> {
    return this.documents.remove(this.index.silences, id);
  }

  saveFeedback(feedback: Feedback): Promise<void> {
    return this.documents.put(this.index.feedback, feedback.id, feedback);
  }

  listFeedback(filter: FeedbackFilter = {}): Promise<Feedback[]> {
    const query: Query[] = [];
    if (filter.activeAt !== undefined) query.push({ range: { expiresAt: { gt: iso(filter.activeAt) } } });
    if (filter.createdFrom !== undefined || filter.createdTo !== undefined)
      query.push({
        range: {
          createdAt: {
            ...(filter.createdFrom !== undefined && { gte: iso(filter.createdFrom) }),
            ...(filter.createdTo !== undefined && { lte: iso(filter.createdTo) }),
          },
        },
      });
    if (filter.service !== undefined) query.push(term('service', filter.service));
    if (filter.anomalyId !== undefined) query.push(term('anomalyId', filter.anomalyId));
    return this.documents.search<Feedback>(this.index.feedback, {
      filter: query,
      sort: [{ createdAt: 'desc' }, { id: 'asc' }],
      size: UNFILTERED_LIMIT,
    });
  }

  saveRule(rule: AlertRule): Promise<void> {
    return this.documents.put(this.index.rules, rule.id, rule);
  }

  /** By name, then id. */
  listRules(): Promise<AlertRule[]> {
    return this.documents.search<AlertRule>(this.index.rules, {
      sort: [{ name: 'asc' }, { id: 'asc' }],
      size: UNFILTERED_LIMIT,
    });
  }

  getRule(id: string): Promise<AlertRule | undefined> {
    return this.documents.get<AlertRule>(this.index.rules, id);
  }

  deleteRule(id: string): Promise<boolean> {
    return this.documents.remove(this.index.rules, id);
  }

  /** Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.client.close();
  }
}
