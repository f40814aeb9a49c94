import { type Client, errors, type estypes } from '@elastic/elasticsearch';
import { ConflictError, UnavailableError } from '@vigie/common';

/** Turns connection failures, timeouts and 429/5xx answers into `UnavailableError`. */
export async function guardElasticsearch<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (isUnavailable(err)) throw new UnavailableError('Elasticsearch', err);
    throw err;
  }
}

function isUnavailable(err: unknown): boolean {
  return (
    err instanceof errors.ConnectionError ||
    err instanceof errors.TimeoutError ||
    err instanceof errors.NoLivingConnectionsError ||
    (err instanceof errors.ResponseError && (err.statusCode === 429 || (err.statusCode ?? 0) >= 500))
  );
}

function isConflict(err: unknown): boolean {
  return err instanceof errors.ResponseError && err.statusCode === 409;
}

/** Elasticsearch refuses larger pages (`index.max_result_window`). */
export const MAX_RESULT_WINDOW = 10_000;

/** A search of one index: exact filters only, built as objects (never from strings). */
export interface DocumentSearch {
  filter?: estypes.QueryDslQueryContainer[];
  sort: estypes.SortCombinations[];
  size: number;
}

/**
 * Reads and writes whole documents of the small alerting indices. Every write refreshes
 * the index before it resolves, so a list that follows sees it: alerting writes are few,
 * and an outbox entry or a silence invisible for a second would be a wrong answer.
 */
export class AlertDocuments {
  constructor(private readonly client: Client) {}

  /** The document by id, read in real time (no refresh needed). */
  async get<T>(index: string, id: string): Promise<T | undefined> {
    const response = await guardElasticsearch(() => this.client.get<T>({ index, id }, { ignore: [404] }));
    return response.found ? response._source : undefined;
  }

  async search<T>(index: string, search: DocumentSearch): Promise<T[]> {
    if (search.size <= 0) return [];
    const response = await guardElasticsearch(() =>
      this.client.search<T>({
        index,
        query: { bool: { filter: search.filter ?? [] } },
        sort: search.sort,
        size: Math.min(search.size, MAX_RESULT_WINDOW),
        allow_no_indices: true,
        ignore_unavailable: true,
      }),
    );
    return response.hits.hits.flatMap((hit) => (hit._source ? [hit._source] : []));
  }

  /** Creates or replaces by id. */
  async put(index: string, id: string, document: object): Promise<void> {
    await guardElasticsearch(() => this.client.index({ index, id, document, refresh: true }));
  }

  /** True when the document existed. */
  async remove(index: string, id: string): Promise<boolean> {
    const response = await guardElasticsearch(() =>
      this.client.delete({ index, id, refresh: true }, { ignore: [404] }),
    );
    return response.result === 'deleted';
  }

  /**
   * Writes `document` with version + 1 if the stored version is still `document.version`
   * (0: creates it, when `mayCreate`). The version lives in the document; the write is
   * conditional on the sequence number and primary term read with it, so of two writers
   * of one version exactly one wins and the other gets `ConflictError`.
   */
  async saveVersioned<T extends { id: string; version: number }>(
    index: string,
    document: T,
    what: string,
    mayCreate: boolean,
  ): Promise<T> {
    const next: T = { ...document, version: document.version + 1 };
    try {
      if (document.version === 0 && mayCreate) {
        await guardElasticsearch(() =>
          this.client.create({ index, id: document.id, document: next, refresh: true }),
        );
        return next;
      }
      const current = await guardElasticsearch(() =>
        this.client.get<{ version?: number }>(
          { index, id: document.id, _source_includes: ['version'] },
          { ignore: [404] },
        ),
      );
      if (!current.found || current._source?.version !== document.version) throw new ConflictError(what);
      await guardElasticsearch(() =>
        this.client.index({
          index,
          id: document.id,
          document: next,
          if_seq_no: current._seq_no,
          if_primary_term: current._primary_term,
          refresh: true,
        }),
      );
      return next;
    } catch (err) {
      if (isConflict(err)) throw new ConflictError(what);
      throw err;
    }
  }
}
