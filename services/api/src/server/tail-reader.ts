import type { LogSearch, SearchCursor, SearchHit, SearchScope } from '@vigie/common';
import { cursorAfter } from '@vigie/common';

/** How the tail reads: every poll re-reads this far behind the newest event it sent. */
export interface TailReaderOptions {
  /** Events arriving up to this late (behind newer ones) are still sent; 10 s by default. */
  lateMs?: number;
  pageSize?: number;
  /** Pages read per poll at most, so one busy tail cannot hold the store. */
  maxPages?: number;
}

/**
 * The reading side of a live tail. Each `poll` reads the matching events from a little
 * behind the newest one already sent (sources reach the store out of order, by up to a
 * pipeline's latency) and returns those not sent yet. Events stamped before the tail
 * started are never sent. When a poll stops at its page limit, the next one continues
 * where it stopped instead of looking back, so a busy stream still moves forward.
 */
export class TailReader {
  private readonly lateMs: number;
  private readonly pageSize: number;
  private readonly maxPages: number;
  /** Ids sent, by event time, forgotten once older than the late window. */
  private readonly sent = new Map<string, number>();
  private newest: number;
  private resume: SearchCursor | undefined;

  constructor(
    private readonly search: LogSearch,
    private readonly scope: Pick<SearchScope, 'query' | 'fields'>,
    private readonly started: number,
    options: TailReaderOptions = {},
  ) {
    this.lateMs = options.lateMs ?? 10_000;
    this.pageSize = options.pageSize ?? 500;
    this.maxPages = options.maxPages ?? 4;
    this.newest = started;
  }

  /** The matching events not sent yet, oldest first; `now` bounds nothing but clock drift. */
  async poll(now: number): Promise<SearchHit[]> {
    const out: SearchHit[] = [];
    let after = this.resume;
    this.resume = undefined;
    const from = Math.max(this.started, this.newest - this.lateMs);
    for (let page = 0; page < this.maxPages; page++) {
      // Events up to a day ahead are sent: clocks of log sources drift.
      const result = await this.search.search({
        ...this.scope,
        from,
        to: now + 86_400_000,
        sort: 'asc',
        size: this.pageSize,
        after,
      });
      for (const hit of result.hits) {
        if (this.sent.has(hit.id)) continue;
        const time = hit.sort[0] ?? now;
        this.sent.set(hit.id, time);
        if (time > this.newest) this.newest = time;
        out.push(hit);
      }
      if (!result.next) break;
      after = cursorAfter(result.hits, after);
      if (page === this.maxPages - 1) this.resume = after;
    }
    for (const [id, time] of this.sent) if (time < this.newest - this.lateMs) this.sent.delete(id);
    return out;
  }
}
