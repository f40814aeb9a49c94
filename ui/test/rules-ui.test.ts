import { sampleIncident } from '@vigie/testkit';
import { describe, expect, it } from 'vitest';
import {
  conditionText,
  failureText,
  labelsText,
  lastIncidents,
  parseLabels,
  splitWindow,
  windowMs,
  windowText,
} from '../src/components/rules/rule-format.js';
import type { Incident } from '../src/lib/alerting-api.js';
import { ApiError } from '../src/lib/api.js';

describe('Rules tab helpers', () => {
  it('shows a window in the largest unit that divides it, and refuses what the API would', () => {
    expect(splitWindow(300_000)).toEqual({ amount: 5, unit: 'm' });
    expect(splitWindow(7_200_000)).toEqual({ amount: 2, unit: 'h' });
    expect(windowText(90_000)).toBe('90s');
    expect(windowMs(10, 'm')).toBe(600_000);
    expect(windowMs(5, 's')).toBeNull();
    expect(windowMs(25, 'h')).toBeNull();
    expect(windowMs(1.5, 's')).toBeNull();
  });

  it('words conditions', () => {
    expect(conditionText({ type: 'above', threshold: 50 })).toBe('count > 50');
    expect(conditionText({ type: 'below', threshold: 0 })).toBe('count < 0');
    expect(conditionText({ type: 'anomalous' })).toBe('anomalous count');
  });

  it('reads labels one key=value a line, values keeping their own = signs, and names a bad line', () => {
    const labels = { team: 'payments', runbook: 'https://wiki.test/?a=b' };
    expect(parseLabels(labelsText(labels))).toEqual({ labels });
    expect(parseLabels('\n team = payments \n\n')).toEqual({ labels: { team: 'payments' } });
    expect(parseLabels('team=payments\noops')).toEqual({ error: 'Labels: "oops" is not key=value' });
    expect(parseLabels('=value')).toHaveProperty('error');
  });

  it('says who may manage rules on a 403, and passes other messages through', () => {
    expect(
      failureText(new ApiError('Role sre does not allow alert_rules', 403, 'VIGIE_ERR_FORBIDDEN')),
    ).toMatch(/^Only an admin can create, change or delete log alert rules/);
    expect(failureText(new ApiError('boom', 500, 'VIGIE_ERR_HTTP'))).toBe('boom');
  });

  it('finds the latest incident of each rule by the rule id its anomalies carry', () => {
    const ruleIncident = (i: number, ruleId: string, updatedAt: string): Incident => {
      const base = sampleIncident(i);
      const anomaly = base.anomalies[0];
      if (!anomaly) throw new Error('sampleIncident has no anomaly');
      return {
        ...base,
        id: `incident-${i}`,
        updatedAt,
        anomalies: [{ ...anomaly, kind: 'log_rule', dimension: { field: 'rule', value: ruleId } }],
      };
    };
    const detected: Incident = { ...sampleIncident(9), id: 'detected' };
    const byRule = lastIncidents([
      ruleIncident(1, 'r1', '2026-01-01T00:00:00Z'),
      ruleIncident(2, 'r1', '2026-01-02T00:00:00Z'),
      ruleIncident(3, 'r2', '2026-01-01T00:00:00Z'),
      detected,
    ]);
    expect(byRule.get('r1')?.id).toBe('incident-2');
    expect(byRule.get('r2')?.id).toBe('incident-3');
    expect(byRule.size).toBe(2);
  });
});
