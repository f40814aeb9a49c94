import {
  ApiError,
  type FieldInfo,
  fields,
  type HistogramResponse,
  type Hit,
  histogram,
  type QueryScope,
  search,
  tail,
} from './api.js';

const PAGE_SIZE = 100;
/** Live tail keeps this many rows; older ones drop off the bottom. */
const TAIL_KEEP = 1000;

/** The results of one search scope (query and range): hits, histogram, fields, tail. */
export class SearchSession {
  hits = $state<Hit[]>([]);
  total = $state<{ value: number; relation: 'eq' | 'gte' } | null>(null);
  next = $state<string | null>(null);
  histogram = $state<HistogramResponse | null>(null);
  fields = $state<FieldInfo[]>([]);
  error = $state<ApiError | null>(null);
  loading = $state(false);
  loadingMore = $state(false);
  tailing = $state(false);

  private controller: AbortController | null = null;
  private stopTail: (() => void) | null = null;

  /** Runs a new search for `scope`, cancelling the one in flight. */
  async load(scope: QueryScope): Promise<void> {
    this.controller?.abort();
    const controller = new AbortController();
    this.controller = controller;
    this.loading = true;
    this.error = null;
    const { signal } = controller;
    try {
      const [result, counts, catalogue] = await Promise.all([
        search(scope, { size: PAGE_SIZE }, signal),
        histogram(scope, signal),
        fields(scope, signal).catch(() => ({ fields: [] as FieldInfo[] })),
      ]);
      if (signal.aborted) return;
      this.hits = result.events;
      this.total = result.total;
      this.next = result.next;
      this.histogram = counts;
      this.fields = catalogue.fields;
    } catch (error) {
      if (signal.aborted) return;
      this.hits = [];
      this.total = null;
      this.next = null;
      this.histogram = null;
      this.error = error instanceof ApiError ? error : new ApiError(String(error), 0, 'VIGIE_ERR_NETWORK');
    } finally {
      if (!signal.aborted) this.loading = false;
    }
  }

  /** Appends the next page after the last hit (the API's `next` cursor). */
  async loadMore(scope: QueryScope): Promise<void> {
    if (!this.next || this.loadingMore) return;
    this.loadingMore = true;
    try {
      const result = await search(scope, { size: PAGE_SIZE, searchAfter: this.next });
      const seen = new Set(this.hits.map((hit) => hit.id));
      this.hits = [...this.hits, ...result.events.filter((hit) => !seen.has(hit.id))];
      this.next = result.next;
    } catch (error) {
      this.error = error instanceof ApiError ? error : new ApiError(String(error), 0, 'VIGIE_ERR_NETWORK');
    } finally {
      this.loadingMore = false;
    }
  }

  /** Starts or stops the live tail of `q`; new events go on top, newest first. */
  setTail(on: boolean, q: string): void {
    this.stopTail?.();
    this.stopTail = null;
    // "Tailing" shows once the server streams: events indexed before that are not sent.
    this.tailing = false;
    if (!on) return;
    this.stopTail = tail(
      q,
      (events) => {
        const seen = new Set(this.hits.map((hit) => hit.id));
        const fresh = events.filter((ref) => !seen.has(ref.id)).reverse();
        this.hits = [...fresh, ...this.hits].slice(0, TAIL_KEEP);
      },
      () => {
        // The tail reconnects by itself; the toggle stays on, "tailing" waits for the stream.
        this.tailing = false;
      },
      () => {
        this.tailing = true;
      },
    );
  }

  /** Cancels everything in flight. */
  dispose(): void {
    this.controller?.abort();
    this.stopTail?.();
    this.stopTail = null;
  }
}
