import type { Feedback, Silence } from '@vigie/common';
import { describe, expect, it } from 'vitest';
import { applyAnomaly, applyMuting, nextNotification } from '../../src/incidents/index.js';
import { anomaly, closed, iso, MINUTE, policy, T0 } from './fixtures.js';

const open = () =>
  applyAnomaly(undefined, anomaly({ dimension: { field: 'url.path', value: '/pay' } }), T0, policy).incident;

function silence(overrides: Partial<Silence> = {}): Silence {
  return {
    id: 's-maintenance',
    matchers: [{ field: 'service', value: 'checkout' }],
    startsAt: iso(T0 - MINUTE),
    endsAt: iso(T0 + 30 * MINUTE),
    createdBy: 'alice',
    createdAt: iso(T0 - MINUTE),
    comment: 'DB upgrade',
    ...overrides,
  };
}

function feedback(overrides: Partial<Feedback> = {}): Feedback {
  return {
    id: 'f-1',
    anomalyId: 'a-old',
    verdict: 'false_alarm',
    service: 'checkout',
    kind: 'error_spike',
    dimension: { field: 'url.path', value: '/pay' },
    createdAt: iso(T0 - 60 * MINUTE),
    expiresAt: iso(T0 + 60 * MINUTE),
    createdBy: 'bob',
    comment: '',
    ...overrides,
  };
}

describe('applyMuting: silences', () => {
  it('a matching silence mutes the incident until it ends, then it triggers', () => {
    const silenced = applyMuting(open(), [silence()], [], T0);
    expect(silenced.silencedBy).toBe('s-maintenance');
    expect(silenced.timeline.at(-1)).toMatchObject({
      type: 'silenced',
      text: 'Silenced by s-maintenance (by alice): DB upgrade',
    });
    expect(nextNotification(silenced)).toBeUndefined();
    expect(applyMuting(silenced, [silence()], [], T0 + MINUTE)).toBe(silenced);
    const after = applyMuting(silenced, [silence()], [], T0 + 30 * MINUTE);
    expect(after.silencedBy).toBeUndefined();
    expect(after.timeline.at(-1)).toMatchObject({
      type: 'silenced',
      text: 'Silence s-maintenance no longer applies',
    });
    expect(nextNotification(after)).toBe('trigger');
  });

  it('a silence for another service or not yet started does not mute', () => {
    expect(
      applyMuting(open(), [silence({ matchers: [{ field: 'service', value: 'cart' }] })], [], T0).silencedBy,
    ).toBeUndefined();
    expect(applyMuting(open(), [silence({ startsAt: iso(T0 + MINUTE) })], [], T0).silencedBy).toBeUndefined();
  });

  it('keeps the silence that mutes it while it applies, whatever the order of the list', () => {
    const first = applyMuting(open(), [silence()], [], T0);
    expect(applyMuting(first, [silence({ id: 's-other' }), silence()], [], T0).silencedBy).toBe(
      's-maintenance',
    );
  });
});

describe('applyMuting: feedback', () => {
  it('feedback on the service, kind and dimension of every open anomaly suppresses the incident', () => {
    const suppressed = applyMuting(open(), [], [feedback()], T0);
    expect(suppressed.suppressedBy).toBe('f-1');
    expect(suppressed.timeline.at(-1)?.text).toBe(
      `Suppressed: bob marked this as a false alarm until ${iso(T0 + 60 * MINUTE)}`,
    );
    expect(nextNotification(suppressed)).toBeUndefined();
  });

  it('another dimension, kind or service, or expired feedback, does not suppress', () => {
    expect(
      applyMuting(open(), [], [feedback({ dimension: { field: 'url.path', value: '/cart' } })], T0)
        .suppressedBy,
    ).toBeUndefined();
    expect(applyMuting(open(), [], [feedback({ dimension: {} })], T0).suppressedBy).toBeUndefined();
    expect(applyMuting(open(), [], [feedback({ kind: 'latency' })], T0).suppressedBy).toBeUndefined();
    expect(applyMuting(open(), [], [feedback({ service: 'cart' })], T0).suppressedBy).toBeUndefined();
    expect(applyMuting(open(), [], [feedback({ expiresAt: iso(T0) })], T0).suppressedBy).toBeUndefined();
  });

  it('one open anomaly nobody vouched for lifts the suppression', () => {
    const suppressed = applyMuting(open(), [], [feedback()], T0);
    const withLatency = applyAnomaly(
      suppressed,
      anomaly({ id: 'a-latency', kind: 'latency' }),
      T0 + MINUTE,
      policy,
    ).incident;
    const lifted = applyMuting(withLatency, [], [feedback()], T0 + MINUTE);
    expect(lifted.suppressedBy).toBeUndefined();
    expect(nextNotification(lifted)).toBe('trigger');
  });

  it('a quiet incident keeps its suppression (nothing open to judge), a resolved one is left alone', () => {
    const suppressed = applyMuting(open(), [], [feedback()], T0);
    const quiet = applyAnomaly(
      suppressed,
      closed(anomaly({ dimension: { field: 'url.path', value: '/pay' } }), T0 + MINUTE),
      T0 + MINUTE,
      policy,
    ).incident;
    expect(applyMuting(quiet, [], [], T0 + MINUTE)).toBe(quiet);
    const resolved = { ...quiet, status: 'resolved' as const };
    expect(applyMuting(resolved, [silence()], [], T0 + MINUTE)).toBe(resolved);
  });
});
