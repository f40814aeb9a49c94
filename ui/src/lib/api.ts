// Typed client of the search API (/tmp contract: services/api). Every call takes the
// query as data (URLSearchParams), never by concatenating user text into a URL.

/** A stored log event as the API returns it: ECS fields, nested, content untrusted. */
export interface LogEvent {
  '@timestamp': string;
  message: string;
  log?: { level?: string; file?: { path?: string }; offset?: number };
  service?: { name?: string; version?: string; environment?: string };
  host?: { name?: string };
  [field: string]: unknown;
}

/** One search hit. `highlight` fragments mark hits with \u0001 (start) and \u0002 (end). */
export interface Hit {
  id: string;
  index?: string;
  event: LogEvent;
  highlight?: Record<string, string[]>;
  sort?: unknown[];
}

export interface SearchResponse {
  total: { value: number; relation: 'eq' | 'gte' };
  events: Hit[];
  next: string | null;
  took_ms: number;
}

export interface HistogramBucket {
  start: string;
  count: number;
  levels: Record<string, number>;
}

export interface HistogramResponse {
  interval_ms: number;
  buckets: HistogramBucket[];
  total: number;
}

export interface FieldInfo {
  name: string;
  type: 'keyword' | 'text' | 'long' | 'double' | 'date' | 'ip' | 'boolean';
  searchable: boolean;
}

export interface TopValues {
  field: string;
  total: number;
  other: number;
  values: { value: string | number | boolean; count: number }[];
}

export interface EventRef {
  id: string;
  event: LogEvent;
}

export interface ContextResponse {
  source: { kind: 'file' | 'container' | 'syslog' | 'stream' | 'time'; description: string };
  anchor: EventRef;
  before: EventRef[];
  after: EventRef[];
}

export type Severity = 'info' | 'warning' | 'critical';

/** The anomaly record (services/common/src/schema/anomaly.ts), as served. */
export interface Anomaly {
  id: string;
  kind: string;
  service: string;
  dimension: { field?: string; value?: string };
  state: 'open' | 'closed';
  start: string;
  end?: string;
  updated: string;
  score: number;
  severity: Severity;
  observed: number;
  expected: number;
  lower: number;
  upper: number;
  unit: string;
  windowMs: number;
  explanation: string;
  contributors: { field: string; value: string; observed: number; expected: number; share: number }[];
  sampleEventIds: string[];
  query: string;
  change?: { service: string; version: string; at: number; source: 'logs' | 'deploy' };
}

/** One point of a series against its expected band. */
export interface BandPoint {
  t: string;
  observed: number;
  expected?: number | null;
  lower?: number | null;
  upper?: number | null;
}

export interface AnomalyDetail {
  anomaly: Anomaly;
  series: { points: BandPoint[]; metric: string };
}

export interface ServiceSummary {
  name: string;
  version: string | null;
  volume: BandPoint[];
  error_ratio: BandPoint[];
  p95_ms: BandPoint[];
  open_anomalies: number;
}

/** One route of GET /api/performance, slowest p95 first. */
export interface RoutePerformance {
  service: string;
  /** Route template, value-like path segments as `:id`. */
  route: string;
  requests: number;
  /** Request-weighted mean of the 10 s buckets' p95: an estimate, not an exact percentile. */
  p95_ms: number;
  previous_p95_ms: number | null;
  /** (p95 - previous) / previous; null without a previous week. */
  change: number | null;
}

/** Where a query error sits in the query text (0-based offsets, 1-based line/column). */
export interface ErrorPosition {
  start: number;
  end: number;
  line: number;
  column: number;
}

/** An error answered by the API (`{ error: { code, message, position? } }`) or the network. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    readonly position?: ErrorPosition,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The time range and query shared by most calls. */
export interface QueryScope {
  q: string;
  from: string;
  to: string;
}

export type Params = Record<string, string | number | boolean | undefined | null>;

function toSearchParams(params: Params): URLSearchParams {
  const out = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') continue;
    out.set(key, String(value));
  }
  return out;
}

/** The API key sent with every request, and what to do when the API asks for one. */
let apiKey: string | null = null;
let onUnauthorized: () => void = () => {};

/**
 * Sets the key sent as `Authorization: Bearer …` (null: none, for the keyless loopback
 * mode) and the callback run when the API answers 401.
 */
export function useApiKey(key: string | null, unauthorized: () => void): void {
  apiKey = key;
  onUnauthorized = unauthorized;
}

function headers(accept: string): Record<string, string> {
  return apiKey ? { accept, authorization: `Bearer ${apiKey}` } : { accept };
}

/** The ApiError of a failed answer (and the key prompt on 401). */
async function failure(response: Response): Promise<ApiError> {
  if (response.status === 401) onUnauthorized();
  let body: { error?: { code?: string; message?: string; position?: ErrorPosition } } = {};
  try {
    body = await response.json();
  } catch {
    // Not JSON (a proxy error page): the status line says enough.
  }
  return new ApiError(
    body.error?.message ?? `${response.status} ${response.statusText}`,
    response.status,
    body.error?.code ?? 'VIGIE_ERR_HTTP',
    body.error?.position,
  );
}

/** GET of a JSON answer; parameters go through URLSearchParams. */
export async function getJson<T>(path: string, params: Params = {}, signal?: AbortSignal): Promise<T> {
  const query = toSearchParams(params).toString();
  const response = await fetch(query ? `${path}?${query}` : path, {
    headers: headers('application/json'),
    signal,
  });
  if (!response.ok) throw await failure(response);
  return (await response.json()) as T;
}

/** GET of a text answer (a Markdown export). */
export async function getText(path: string): Promise<string> {
  const response = await fetch(path, { headers: headers('text/markdown, text/plain') });
  if (!response.ok) throw await failure(response);
  return response.text();
}

/** POST, PUT or DELETE with a JSON body; the JSON answer (undefined for 204). */
export async function sendJson<T>(
  method: 'POST' | 'PUT' | 'DELETE',
  path: string,
  body?: object,
): Promise<T> {
  const response = await fetch(path, {
    method,
    headers: body
      ? { ...headers('application/json'), 'content-type': 'application/json' }
      : headers('application/json'),
    ...(body && { body: JSON.stringify(body) }),
  });
  if (!response.ok) throw await failure(response);
  return (response.status === 204 ? undefined : await response.json()) as T;
}

/** GET /api/search. */
export function search(
  scope: QueryScope,
  options: { size?: number; sort?: 'asc' | 'desc'; searchAfter?: string | null } = {},
  signal?: AbortSignal,
): Promise<SearchResponse> {
  return getJson<SearchResponse>(
    '/api/search',
    {
      ...scope,
      size: options.size ?? 100,
      sort: options.sort ?? 'desc',
      search_after: options.searchAfter,
      highlight: true,
    },
    signal,
  );
}

/** GET /api/histogram with the automatic interval. */
export function histogram(scope: QueryScope, signal?: AbortSignal): Promise<HistogramResponse> {
  return getJson<HistogramResponse>('/api/histogram', { ...scope, interval: 'auto' }, signal);
}

/** GET /api/fields. */
export function fields(scope: QueryScope, signal?: AbortSignal): Promise<{ fields: FieldInfo[] }> {
  return getJson('/api/fields', { ...scope }, signal);
}

/** GET /api/fields/:name/top. */
export function topValues(
  scope: QueryScope,
  field: string,
  size = 10,
  signal?: AbortSignal,
): Promise<TopValues> {
  return getJson(`/api/fields/${encodeURIComponent(field)}/top`, { ...scope, size }, signal);
}

/** GET /api/events/:id/context. */
export function context(id: string, before = 20, after = 20, signal?: AbortSignal): Promise<ContextResponse> {
  return getJson(`/api/events/${encodeURIComponent(id)}/context`, { before, after }, signal);
}

/** GET /api/anomalies. */
export function anomalies(
  filter: {
    from: string;
    to: string;
    service?: string;
    kind?: string;
    severity?: string;
    state?: string;
    size?: number;
  },
  signal?: AbortSignal,
): Promise<{ anomalies: Anomaly[] }> {
  return getJson('/api/anomalies', { ...filter }, signal);
}

/** GET /api/anomalies/:id. */
export function anomaly(id: string, signal?: AbortSignal): Promise<AnomalyDetail> {
  return getJson(`/api/anomalies/${encodeURIComponent(id)}`, {}, signal);
}

/** GET /api/services. */
export function services(
  range: { from: string; to: string },
  signal?: AbortSignal,
): Promise<{ services: ServiceSummary[] }> {
  return getJson('/api/services', { ...range }, signal);
}

/** GET /api/performance. */
export function routePerformance(
  range: { from: string; to: string; service?: string; limit?: number },
  signal?: AbortSignal,
): Promise<{ from: string; to: string; routes: RoutePerformance[] }> {
  return getJson('/api/performance', { ...range }, signal);
}

/** Reads Server-Sent Events frames from a response body, calling `onFrame(event, data)`. */
async function readEvents(
  body: ReadableStream<Uint8Array>,
  onFrame: (event: string, data: string) => void,
): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer = (buffer + decoder.decode(value, { stream: true })).replace(/\r\n?/g, '\n');
    for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of frame.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      if (data.length > 0) onFrame(event, data.join('\n'));
    }
  }
}

/** Wait before reconnecting a dropped live tail. */
const TAIL_RETRY_MS = 2000;

/**
 * Opens the live tail (GET /api/tail, Server-Sent Events) and calls `onEvents` with each
 * batch of new matching events, reconnecting when the stream drops. Read with fetch
 * rather than EventSource, which cannot send the API key. Returns the function that
 * closes it.
 */
export function tail(
  q: string,
  onEvents: (events: EventRef[]) => void,
  onError: () => void,
  onOpen: () => void = () => {},
): () => void {
  const query = toSearchParams({ q }).toString();
  const controller = new AbortController();
  const { signal } = controller;
  const run = async () => {
    while (!signal.aborted) {
      try {
        const response = await fetch(query ? `/api/tail?${query}` : '/api/tail', {
          headers: headers('text/event-stream'),
          signal,
        });
        if (response.status === 401) return onUnauthorized();
        if (!response.ok || !response.body)
          throw new ApiError(`live tail: ${response.status}`, response.status, 'VIGIE_ERR_HTTP');
        onOpen();
        await readEvents(response.body, (event, data) => {
          if (event !== 'events') return;
          const parsed = JSON.parse(data) as { events?: EventRef[] };
          if (Array.isArray(parsed.events)) onEvents(parsed.events);
        });
      } catch {
        if (signal.aborted) return;
        onError();
      }
      await new Promise((resolve) => setTimeout(resolve, TAIL_RETRY_MS));
    }
  };
  void run();
  return () => controller.abort();
}
