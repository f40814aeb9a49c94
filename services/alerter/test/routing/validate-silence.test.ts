import type { Silence, SilenceMatcher } from '@vigie/common';
import { describe, expect, it } from 'vitest';
import { validateSilence } from '../../src/routing/index.js';

function input(matchers: SilenceMatcher[], overrides: Partial<Silence> = {}): Silence {
  return {
    id: 's-1',
    matchers,
    startsAt: '2026-03-02T10:00:00+01:00',
    endsAt: '2026-03-02T11:00:00Z',
    createdBy: 'alice',
    createdAt: '2026-03-02T08:00:00Z',
    comment: 'maintenance',
    ...overrides,
  };
}

describe('validateSilence', () => {
  it('accepts a sound silence and writes its times in ISO 8601 UTC', async () => {
    const result = await validateSilence(
      input([
        { field: 'service', value: 'checkout|cart', isRegex: true },
        { field: 'labels.team', value: 'payments', isRegex: false },
      ]),
    );
    expect(result).toEqual({
      ok: true,
      silence: input(
        [
          { field: 'service', value: 'checkout|cart', isRegex: true },
          { field: 'labels.team', value: 'payments' },
        ],
        { startsAt: '2026-03-02T09:00:00.000Z', endsAt: '2026-03-02T11:00:00.000Z' },
      ),
    });
  });

  it('refuses expressions open to ReDoS, proven by recheck', async () => {
    const result = await validateSilence(input([{ field: 'service', value: '(a+)+b', isRegex: true }]));
    expect(result).toEqual({
      ok: false,
      errors: ['matchers[0].value: the expression can take super-linear time (ReDoS, exponential)'],
    });
    const polynomial = await validateSilence(
      input([{ field: 'service', value: '.*a.*a.*b', isRegex: true }]),
    );
    expect(polynomial.ok).toBe(false);
  }, 30_000);

  it('reports every problem at once', async () => {
    const result = await validateSilence(
      input(
        [
          { field: 'hostname', value: 'x' },
          { field: 'severity', value: 'urgent' },
          { field: 'kind', value: 'error-spike' },
          { field: 'service', value: '(', isRegex: true },
          { field: 'labels.team', value: 'x'.repeat(1001) },
        ],
        { startsAt: '2026-03-02T11:00:00Z', endsAt: '2026-03-02T10:00:00Z', comment: 'c'.repeat(2001) },
      ),
    );
    expect(result).toEqual({
      ok: false,
      errors: [
        'matchers[0].field: "hostname" is not service, environment, kind, severity, group or labels.<name>',
        'matchers[1].value: "urgent" is not one of info, warning, critical',
        'matchers[2].value: "error-spike" is not one of error_spike, latency, volume_high, volume_low, new_pattern, brute_force, password_spraying, scan, log_rule',
        'matchers[3].value: not a valid regular expression',
        'matchers[4].value: longer than 1000 characters',
        'endsAt: must be after startsAt',
        'comment: longer than 2000 characters',
      ],
    });
  });

  it('refuses a silence that would mute everything', async () => {
    expect(await validateSilence(input([]))).toEqual({
      ok: false,
      errors: ['matchers: at least one is needed'],
    });
    expect(await validateSilence(input([{ field: 'service', value: '.*', isRegex: true }]))).toEqual({
      ok: false,
      errors: ['matchers: at least one must not match an empty value (this silence would mute everything)'],
    });
    const tooMany = Array.from({ length: 21 }, () => ({ field: 'service', value: 'a' }));
    expect(await validateSilence(input(tooMany))).toEqual({ ok: false, errors: ['matchers: at most 20'] });
  });

  it('refuses dates it cannot read', async () => {
    const result = await validateSilence(
      input([{ field: 'service', value: 'a' }], { startsAt: 'soon', endsAt: 'later' }),
    );
    expect(result).toEqual({ ok: false, errors: ['startsAt: not a date', 'endsAt: not a date'] });
  });
});
