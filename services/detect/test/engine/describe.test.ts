import { describe, expect, it } from 'vitest';
import { quietVerdict } from '../../src/detectors/verdict.js';
import { drilldownQuery, explanation, longestConstantPart } from '../../src/explain/describe.js';
import type { Candidate } from '../../src/tracker.js';

function candidate(overrides: Partial<Candidate> = {}): Candidate {
  return {
    kind: 'error_spike',
    service: 'shop "api"',
    dimension: { field: 'url.path', value: '/orders/:id' },
    verdict: {
      ...quietVerdict('ratio', 30_000),
      describe: 'error ratio 8% against 0.5% expected',
      upper: 0.02,
    },
    time: Date.parse('2026-01-05T10:00:00Z'),
    ...overrides,
  };
}

describe('explanations and drill-down queries', () => {
  it('names a contributor only when it concentrates the excess', () => {
    const host = (share: number) => [{ field: 'host.name', value: 'api-2', observed: 9, expected: 1, share }];
    expect(explanation(candidate(), host(0.57))).toBe(
      'Error spike on shop "api" route /orders/:id: error ratio 8% against 0.5% expected.',
    );
    expect(explanation(candidate(), host(0.9), 'started 2 min after api 1.4.2 rolled out')).toBe(
      'Error spike on shop "api" route /orders/:id: error ratio 8% against 0.5% expected; 90% of the excess is host.name api-2; started 2 min after api 1.4.2 rolled out.',
    );
  });

  it('quotes values from logs and turns route templates into wildcards', () => {
    expect(drilldownQuery(candidate())).toBe(
      'service.name:"shop \\"api\\"" AND url.path:/orders/* AND (log.level:(error OR fatal) OR http.response.status_code >= 500)',
    );
    const latency = candidate({
      kind: 'latency',
      dimension: {},
      verdict: { ...quietVerdict('ms', 30_000), upper: 450 },
    });
    expect(drilldownQuery(latency)).toBe('service.name:"shop \\"api\\"" AND event.duration >= 450000000');
    const scan = candidate({ kind: 'scan', dimension: { field: 'source.ip', value: '198.51.100.23' } });
    expect(drilldownQuery(scan)).toBe(
      'source.ip:"198.51.100.23" AND (http.response.status_code:(401 OR 403 OR 404))',
    );
  });

  it('searches a new pattern by the longest constant part of its template', () => {
    expect(longestConstantPart('Timeout after <*> ms calling <*> upstream service')).toBe('upstream service');
    const query = drilldownQuery(
      candidate({ kind: 'new_pattern', dimension: { field: 'template', value: 't4' } }),
      'risk engine returned no score for payment <*>',
    );
    expect(query).toContain('message:"risk engine returned no score for payment"');
  });
});
