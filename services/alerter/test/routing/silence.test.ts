import type { Incident, Silence, SilenceMatcher } from '@vigie/common';
import { describe, expect, it } from 'vitest';
import { applyAnomaly } from '../../src/incidents/index.js';
import { silenceMatches } from '../../src/routing/index.js';
import { anomaly, iso, MINUTE, policy, T0 } from '../incidents/fixtures.js';

function incident(): Incident {
  let base = applyAnomaly(undefined, anomaly({ severity: 'critical' }), T0, policy).incident;
  base = applyAnomaly(base, anomaly({ id: 'a-latency', kind: 'latency' }), T0, policy).incident;
  return base;
}

function silence(...matchers: SilenceMatcher[]): Silence {
  return {
    id: 's-1',
    matchers,
    startsAt: iso(T0),
    endsAt: iso(T0 + 10 * MINUTE),
    createdBy: 'alice',
    createdAt: iso(T0),
    comment: '',
  };
}

const matches = (...matchers: SilenceMatcher[]) =>
  silenceMatches(silence(...matchers), incident(), T0 + MINUTE);

describe('silenceMatches', () => {
  it('matches each field by equality', () => {
    expect(matches({ field: 'service', value: 'checkout' })).toBe(true);
    expect(matches({ field: 'service', value: 'check' })).toBe(false);
    expect(matches({ field: 'environment', value: 'production' })).toBe(true);
    expect(matches({ field: 'severity', value: 'critical' })).toBe(true);
    expect(matches({ field: 'severity', value: 'warning' })).toBe(false);
    expect(matches({ field: 'group', value: 'availability' })).toBe(true);
    expect(matches({ field: 'labels.team', value: 'payments' })).toBe(true);
    expect(matches({ field: 'labels.tier', value: 'payments' })).toBe(false);
    expect(matches({ field: 'hostname', value: 'x' })).toBe(false);
  });

  it('kind matches any anomaly kind of the incident', () => {
    expect(matches({ field: 'kind', value: 'latency' })).toBe(true);
    expect(matches({ field: 'kind', value: 'error_spike' })).toBe(true);
    expect(matches({ field: 'kind', value: 'scan' })).toBe(false);
  });

  it('every matcher must match', () => {
    expect(
      matches({ field: 'service', value: 'checkout' }, { field: 'labels.team', value: 'payments' }),
    ).toBe(true);
    expect(matches({ field: 'service', value: 'checkout' }, { field: 'labels.team', value: 'search' })).toBe(
      false,
    );
  });

  it('regular expressions are anchored', () => {
    expect(matches({ field: 'service', value: 'check.*', isRegex: true })).toBe(true);
    expect(matches({ field: 'service', value: 'check', isRegex: true })).toBe(false);
    expect(matches({ field: 'service', value: 'out', isRegex: true })).toBe(false);
    expect(matches({ field: 'service', value: 'cart|checkout', isRegex: true })).toBe(true);
    // Without the group around the value, `^cart|checkout$` would match "checkout-old" too.
    expect(matches({ field: 'service', value: 'cart|check', isRegex: true })).toBe(false);
  });

  it('a broken expression matches nothing', () => {
    expect(matches({ field: 'service', value: '(', isRegex: true })).toBe(false);
  });

  it('applies from startsAt to endsAt (excluded), and never without matchers', () => {
    const s = silence({ field: 'service', value: 'checkout' });
    expect(silenceMatches(s, incident(), T0 - 1)).toBe(false);
    expect(silenceMatches(s, incident(), T0)).toBe(true);
    expect(silenceMatches(s, incident(), T0 + 10 * MINUTE)).toBe(false);
    expect(silenceMatches(silence(), incident(), T0 + MINUTE)).toBe(false);
  });
});
