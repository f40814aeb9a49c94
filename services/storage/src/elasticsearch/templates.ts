import type { estypes } from '@elastic/elasticsearch';

/**
 * Index templates Vigie installs at start-up. Log indices are daily, named after event
 * time (`<prefix>-logs-2026.11.28`), and searched through the `<prefix>-logs` alias.
 * Daily indices chosen by a time that is stable for a given record make every write
 * idempotent: a replay after a crash lands in the same index with the same id and
 * overwrites, where a data stream's rollover could let it land twice. Names are made
 * and read in `log-indices.ts`; `retention.ts` deletes whole days.
 */

/** One field's mapping. */
export type Mapping = estypes.MappingProperty;

/** A keyword field (long values are kept in _source, not indexed). */
export const keyword: Mapping = { type: 'keyword', ignore_above: 1024 };
/** An object field with these properties. */
export const object = (properties: Record<string, Mapping>): Mapping => ({ properties });

/** Mapping of the log event (the ECS subset of `LogEventSchema`). */
export const LOG_PROPERTIES: Record<string, Mapping> = {
  '@timestamp': { type: 'date' },
  message: { type: 'text' },
  log: object({
    level: keyword,
    logger: keyword,
    file: object({ path: keyword }),
    offset: { type: 'long' },
    syslog: object({
      priority: { type: 'integer' },
      facility: object({ code: { type: 'integer' }, name: keyword }),
      severity: object({ code: { type: 'integer' }, name: keyword }),
      hostname: keyword,
      appname: keyword,
      procid: keyword,
      msgid: keyword,
      version: keyword,
      structured_data: { type: 'flattened' },
    }),
  }),
  service: object({ name: keyword, environment: keyword, version: keyword }),
  host: object({ name: keyword }),
  container: object({ id: keyword, name: keyword }),
  http: object({
    request: object({ method: keyword, referrer: { type: 'keyword', ignore_above: 2048 } }),
    response: object({ status_code: { type: 'integer' }, body: object({ bytes: { type: 'long' } }) }),
    version: keyword,
  }),
  url: object({
    path: { type: 'keyword', ignore_above: 2048 },
    query: { type: 'keyword', ignore_above: 2048 },
  }),
  user_agent: object({ original: { type: 'keyword', ignore_above: 2048 } }),
  process: object({ pid: { type: 'long' }, name: keyword }),
  event: object({
    duration: { type: 'long' },
    // Kept in _source for the drill-down, not indexed: it can be as large as a line.
    original: { type: 'keyword', index: false, doc_values: false },
    ingested: { type: 'date' },
    dataset: keyword,
    sequence: { type: 'long' },
    action: keyword,
    category: keyword,
    outcome: keyword,
  }),
  trace: object({ id: keyword }),
  span: object({ id: keyword }),
  error: object({
    type: keyword,
    message: { type: 'text' },
    stack_trace: { type: 'text' },
  }),
  source: object({ ip: { type: 'ip' } }),
  user: object({ name: keyword }),
  // Labels as one flattened field: each key is searchable and aggregatable as
  // `labels.<key>` (keyword semantics), and a new key costs no mapping update. Mapping
  // every key as its own keyword field made Elasticsearch spend over 10 s of mapping
  // updates on one bulk with 3,000 new keys, and grows without bound.
  labels: { type: 'flattened', ignore_above: 1024 },
  // The long tail of fields: one mapped field whatever the number of distinct keys.
  attributes: { type: 'flattened', ignore_above: 1024 },
  vigie: object({
    truncated: { type: 'boolean' },
    parse_error: keyword,
    timestamp_fallback: { type: 'boolean' },
    source: keyword,
    stream: keyword,
    redactions: { type: 'integer' },
  }),
};

/** The template of daily log indices. */
export function logsTemplate(
  prefix: string,
  totalFieldsLimit: number,
  primaryShards = 1,
): estypes.IndicesPutIndexTemplateRequest {
  return {
    name: `${prefix}-logs`,
    index_patterns: [`${prefix}-logs-*`],
    priority: 200,
    template: {
      aliases: { [`${prefix}-logs`]: {} },
      settings: {
        'index.number_of_shards': primaryShards,
        'index.auto_expand_replicas': '0-1',
        'index.refresh_interval': '1s',
        'index.mapping.ignore_malformed': true,
        'index.mapping.total_fields.limit': totalFieldsLimit,
        // Past the limit, new dynamic fields stay in _source instead of failing the document.
        'index.mapping.total_fields.ignore_dynamic_beyond_limit': true,
      },
      mappings: {
        // Fields outside the schema are normalised into `attributes`; anything else that
        // slips through is kept in _source, never mapped, never a reason to reject. So
        // the mapped field count is fixed by this template, whatever producers send.
        dynamic: false,
        properties: LOG_PROPERTIES,
      },
    },
    _meta: { managed_by: 'vigie', description: 'Vigie log events, one index per UTC day.' },
  };
}

/** A template for one index (not time-partitioned) named `name`. */
export function singleIndexTemplate(
  name: string,
  description: string,
  properties: Record<string, Mapping>,
): estypes.IndicesPutIndexTemplateRequest {
  return {
    name,
    index_patterns: [name],
    priority: 200,
    template: {
      settings: { 'index.number_of_shards': 1, 'index.auto_expand_replicas': '0-1' },
      mappings: { dynamic: false, properties },
    },
    _meta: { managed_by: 'vigie', description },
  };
}

/** The template of the dead-letter index: inputs that could not be stored, with the reason. */
export function deadLetterTemplate(prefix: string): estypes.IndicesPutIndexTemplateRequest {
  return singleIndexTemplate(
    `${prefix}-deadletter`,
    'Inputs Vigie could not index, kept raw with the reason.',
    {
      '@timestamp': { type: 'date' },
      reason: keyword,
      detail: { type: 'text' },
      origin: keyword,
      original: { type: 'text', index: false },
    },
  );
}
