// The whole view lives in the URL hash (`#/search?q=…&from=…&to=…&event=…&tail=1`), so a
// link restores the same view, and the server needs no fallback route for deep links.

/** The pages of the UI. */
export type Page = 'services' | 'search' | 'anomalies' | 'security' | 'incidents';

const PAGES: readonly Page[] = ['services', 'search', 'anomalies', 'security', 'incidents'];

/** Parameters a page reads from the URL. Absent means the page default. */
export interface RouteParams {
  q?: string;
  from?: string;
  to?: string;
  /** Selected event id on Search, selected anomaly id on Anomalies. */
  event?: string;
  anomaly?: string;
  /** `1` when live tail is on. */
  tail?: string;
  service?: string;
  /** Anomaly kind the Anomalies list is filtered to. */
  kind?: string;
  /**
   * Tab of the Services page (`overview`, `performance`), Incidents (`silences`, `deliveries`)
   * or Anomalies (`review`).
   */
  tab?: string;
  /** Event whose context view is open. */
  context?: string;
  /** Selected incident (notification links use `#/incidents?incident=<id>`). */
  incident?: string;
  /** Incident list filters: status (or `active`), severity, opened since, shortest duration. */
  status?: string;
  severity?: string;
  since?: string;
  duration?: string;
}

const PARAM_KEYS: readonly (keyof RouteParams)[] = [
  'q',
  'from',
  'to',
  'event',
  'anomaly',
  'tail',
  'service',
  'kind',
  'tab',
  'context',
  'incident',
  'status',
  'severity',
  'since',
  'duration',
];

/** Reads `#/page?params` into a page and its parameters; unknown pages fall back to Services. */
export function parseHash(hash: string): { page: Page; params: RouteParams } {
  const body = hash.replace(/^#\/?/, '');
  const queryAt = body.indexOf('?');
  const path = queryAt === -1 ? body : body.slice(0, queryAt);
  const search = new URLSearchParams(queryAt === -1 ? '' : body.slice(queryAt + 1));
  const page = (PAGES as readonly string[]).includes(path) ? (path as Page) : 'services';
  const params: RouteParams = {};
  for (const key of PARAM_KEYS) {
    const value = search.get(key);
    if (value !== null && value !== '') params[key] = value;
  }
  return { page, params };
}

/** Writes a page and its parameters as a hash (`#/search?q=…`). */
export function formatHash(page: Page, params: RouteParams): string {
  const search = new URLSearchParams();
  for (const key of PARAM_KEYS) {
    const value = params[key];
    if (value !== undefined && value !== '') search.set(key, value);
  }
  const query = search.toString();
  return query ? `#/${page}?${query}` : `#/${page}`;
}
