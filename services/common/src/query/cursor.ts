import type { SearchCursor, SearchHit } from '../ports/log-search.js';

/**
 * The cursor after a page: the time of its last hit, and the ids of every hit of that
 * millisecond returned so far (this page's and, when the page did not leave that
 * millisecond, the previous cursor's). Stores read it as "strictly past `time`, or at
 * `time` and not one of `ids`", which neither repeats nor skips ties.
 */
export function cursorAfter(
  hits: readonly SearchHit[],
  previous: SearchCursor | undefined,
): SearchCursor | undefined {
  const last = hits.at(-1);
  if (last === undefined) return undefined;
  const time = last.sort[0] ?? 0;
  const ids = hits.filter((hit) => hit.sort[0] === time).map((hit) => hit.id);
  if (previous !== undefined && previous.time === time) ids.unshift(...previous.ids);
  return { time, ids };
}
