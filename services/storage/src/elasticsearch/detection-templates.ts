import type { estypes } from '@elastic/elasticsearch';
import { keyword, type Mapping, object, singleIndexTemplate } from './templates.js';

const double: Mapping = { type: 'double' };
const date: Mapping = { type: 'date' };
const notIndexed: Mapping = { type: 'keyword', index: false, doc_values: false };

/** The anomalies index: the latest version of every anomaly, by id. */
export function anomaliesTemplate(prefix: string): estypes.IndicesPutIndexTemplateRequest {
  return singleIndexTemplate(`${prefix}-anomalies`, 'Anomalies raised by the Vigie processor.', {
    '@timestamp': date,
    id: keyword,
    kind: keyword,
    service: keyword,
    dimension: object({ field: keyword, value: keyword }),
    state: keyword,
    start: date,
    end: date,
    updated: date,
    score: { type: 'float' },
    severity: keyword,
    observed: double,
    expected: double,
    lower: double,
    upper: double,
    unit: keyword,
    windowMs: { type: 'long' },
    explanation: { type: 'text' },
    contributors: { type: 'flattened' },
    sampleEventIds: keyword,
    query: notIndexed,
    change: object({ service: keyword, version: keyword, at: date, source: keyword }),
  });
}

/** The metrics index: one document per closed bucket of a series, with its expected band. */
export function metricsTemplate(prefix: string): estypes.IndicesPutIndexTemplateRequest {
  return singleIndexTemplate(`${prefix}-metrics`, 'Bucket metrics of the detection series.', {
    '@timestamp': date,
    service: keyword,
    field: keyword,
    value: keyword,
    bucketMs: { type: 'long' },
    count: { type: 'long' },
    errors: { type: 'long' },
    errorRatio: double,
    status: object({
      '1xx': { type: 'long' },
      '2xx': { type: 'long' },
      '3xx': { type: 'long' },
      '4xx': { type: 'long' },
      '5xx': { type: 'long' },
    }),
    latency: object({ samples: { type: 'long' }, p50: double, p95: double, p99: double }),
    expected: object({
      errorRatio: double,
      errorRatioUpper: double,
      count: double,
      countLower: double,
      countUpper: double,
      p95: double,
      p95Lower: double,
      p95Upper: double,
      windowMs: { type: 'long' },
    }),
  });
}

/** The state index: detection snapshots by partition, kept whole and never searched. */
export function stateTemplate(prefix: string): estypes.IndicesPutIndexTemplateRequest {
  return singleIndexTemplate(`${prefix}-state`, 'Detection state snapshots of the processors.', {
    state: notIndexed,
    offset: keyword,
    savedAt: date,
  });
}
