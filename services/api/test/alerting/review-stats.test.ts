import type { Feedback } from '@vigie/common';
import { describe, expect, it } from 'vitest';
import {
  latestVerdicts,
  NOISIEST_SCOPES,
  reviewDetectors,
} from '../../src/server/routes/alerting/review-stats.js';

const FROM = Date.UTC(2026, 10, 1);
const RANGE = { from: FROM, to: FROM + 86_400_000 };

let serial = 0;
function verdict(anomalyId: string, overrides: Partial<Feedback> = {}, minute = 60): Feedback {
  serial++;
  return {
    id: `fb-${String(serial).padStart(3, '0')}`,
    anomalyId,
    verdict: 'false_alarm',
    service: 'checkout',
    kind: 'error_spike',
    dimension: { field: 'url.path', value: '/cart' },
    createdAt: new Date(FROM + minute * 60_000).toISOString(),
    expiresAt: new Date(FROM + 7 * 86_400_000).toISOString(),
    createdBy: 'oncall',
    comment: '',
    ...overrides,
  };
}

describe('latestVerdicts', () => {
  it('keeps the newest verdict of each anomaly given in the range', () => {
    const first = verdict('a1', { verdict: 'false_alarm' }, 10);
    const changed = verdict('a1', { verdict: 'expected' }, 20);
    const before = verdict('a2', {}, -1);
    const after = verdict('a3', {}, 24 * 60 + 1);
    const atStart = verdict('a4', {}, 0);
    const atEnd = verdict('a5', {}, 24 * 60);
    expect(latestVerdicts([changed, first, before, after, atStart, atEnd], RANGE)).toEqual([
      changed,
      atStart,
      atEnd,
    ]);
  });

  it('breaks a tie of times by the greater id, whatever the order read', () => {
    const a = verdict('a1', { id: 'x-1', verdict: 'expected' }, 5);
    const b = verdict('a1', { id: 'x-2', verdict: 'false_alarm' }, 5);
    expect(latestVerdicts([a, b], RANGE)).toEqual([b]);
    expect(latestVerdicts([b, a], RANGE)).toEqual([b]);
  });
});

describe('reviewDetectors', () => {
  it('counts raised, reviewed, verdicts and rates per kind, log rules without a raised count', () => {
    const review = reviewDetectors(
      [
        { kind: 'error_spike', service: 'checkout', count: 6 },
        { kind: 'error_spike', service: 'payments', count: 2 },
        { kind: 'scan', service: 'edge', count: 3 },
      ],
      [
        verdict('e1'),
        verdict('e2', { verdict: 'expected' }),
        verdict('e3'),
        // Changed mind: only the newer verdict counts.
        verdict('e3', { verdict: 'expected' }, 90),
        verdict('r1', { kind: 'log_rule', service: 'auth' }),
        verdict('old', { kind: 'scan' }, -30),
      ],
      RANGE,
    );
    const byKind = new Map(review.kinds.map((k) => [k.kind, k]));
    expect(review.kinds.map((k) => k.kind)).toEqual([
      'error_spike',
      'latency',
      'volume_high',
      'volume_low',
      'new_pattern',
      'brute_force',
      'password_spraying',
      'scan',
      'log_rule',
    ]);
    expect(byKind.get('error_spike')).toEqual({
      kind: 'error_spike',
      raised: 8,
      reviewed: 3,
      expected: 2,
      falseAlarms: 1,
      falseAlarmRate: 1 / 3,
      reviewRate: 3 / 8,
    });
    expect(byKind.get('scan')).toMatchObject({ raised: 3, reviewed: 0, falseAlarmRate: null, reviewRate: 0 });
    expect(byKind.get('latency')).toMatchObject({
      raised: 0,
      reviewed: 0,
      falseAlarmRate: null,
      reviewRate: null,
    });
    expect(byKind.get('log_rule')).toEqual({
      kind: 'log_rule',
      raised: null,
      reviewed: 1,
      expected: 0,
      falseAlarms: 1,
      falseAlarmRate: 1,
      reviewRate: null,
    });
  });

  it('ranks scopes by false alarms, then verdicts, leaving out those with none', () => {
    const review = reviewDetectors(
      [],
      [
        verdict('a1', { service: 'api', dimension: { field: 'url.path', value: '/a' } }),
        verdict('a2', { service: 'api', dimension: { field: 'url.path', value: '/a' } }),
        verdict('a3', { service: 'api', dimension: { field: 'url.path', value: '/b' } }),
        verdict('a4', { service: 'api', dimension: { field: 'url.path', value: '/b' }, verdict: 'expected' }),
        verdict('a5', { service: 'web', dimension: {} }),
        verdict('a6', { service: 'quiet', verdict: 'expected' }),
        // Same service and dimension, another kind: another scope.
        verdict('a7', { service: 'api', kind: 'latency', dimension: { field: 'url.path', value: '/a' } }),
      ],
      RANGE,
    );
    expect(review.noisiestScopes).toEqual([
      {
        service: 'api',
        kind: 'error_spike',
        dimension: { field: 'url.path', value: '/a' },
        falseAlarms: 2,
        reviewed: 2,
      },
      {
        service: 'api',
        kind: 'error_spike',
        dimension: { field: 'url.path', value: '/b' },
        falseAlarms: 1,
        reviewed: 2,
      },
      {
        service: 'api',
        kind: 'latency',
        dimension: { field: 'url.path', value: '/a' },
        falseAlarms: 1,
        reviewed: 1,
      },
      { service: 'web', kind: 'error_spike', dimension: {}, falseAlarms: 1, reviewed: 1 },
    ]);
  });

  it(`lists at most ${NOISIEST_SCOPES} scopes, the noisiest`, () => {
    const feedback = Array.from({ length: 30 }, (_, i) =>
      Array.from({ length: i + 1 }, (_, j) =>
        verdict(`s${i}-${j}`, { service: `svc-${String(i).padStart(2, '0')}` }),
      ),
    ).flat();
    const scopes = reviewDetectors([], feedback, RANGE).noisiestScopes;
    expect(scopes).toHaveLength(NOISIEST_SCOPES);
    expect(scopes[0]).toMatchObject({ service: 'svc-29', falseAlarms: 30 });
    expect(scopes.at(-1)).toMatchObject({ service: 'svc-10', falseAlarms: 11 });
  });
});
