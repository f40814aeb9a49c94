import { describe, expect, it } from 'vitest';
import { applyAnomaly, dedupKeyOf, groupOf, pickIncident } from '../../src/incidents/index.js';
import { anomaly, closed, Harness, iso, MINUTE, policy, T0 } from './fixtures.js';

describe('groupOf', () => {
  it('puts availability, security and rule kinds in their families', () => {
    expect(
      ['error_spike', 'latency', 'volume_high', 'volume_low', 'new_pattern'].map((k) => groupOf(k as never)),
    ).toEqual(Array(5).fill('availability'));
    expect(['brute_force', 'password_spraying', 'scan'].map((k) => groupOf(k as never))).toEqual(
      Array(3).fill('security'),
    );
    expect(groupOf('log_rule')).toBe('rule');
  });
});

describe('applyAnomaly: a new incident', () => {
  it('opens with a deterministic id equal to its dedup key, the policy labels and one timeline entry', () => {
    const first = applyAnomaly(undefined, anomaly(), T0, policy);
    const again = applyAnomaly(undefined, anomaly(), T0 + 5 * MINUTE, policy);
    expect(first.changed).toBe(true);
    expect(first.incident.id).toMatch(/^vigie-[0-9a-f]{32}$/);
    expect(first.incident.id).toBe(again.incident.id);
    expect(first.incident.dedupKey).toBe(first.incident.id);
    expect(first.incident).toMatchObject({
      service: 'checkout',
      environment: 'production',
      group: 'availability',
      title: 'Error spike on checkout',
      status: 'open',
      severity: 'warning',
      cycle: 1,
      openedAt: iso(T0),
      labels: { team: 'payments' },
      flapping: false,
      version: 0,
    });
    expect(first.incident.timeline).toEqual([
      {
        at: iso(T0),
        type: 'opened',
        text: 'Opened by Error spike: observed 0.2 ratio, expected 0.01',
        anomalyId: 'a-errors',
        severity: 'warning',
      },
    ]);
  });

  it('derives different keys for another service, group or first anomaly', () => {
    const base = dedupKeyOf(anomaly());
    expect(dedupKeyOf(anomaly({ service: 'cart' }))).not.toBe(base);
    expect(dedupKeyOf(anomaly({ kind: 'scan' }))).not.toBe(base);
    expect(dedupKeyOf(anomaly({ id: 'a-other' }))).not.toBe(base);
  });

  it('keeps the template text of a new pattern (its contributor, as detection writes it) and caps contributors', () => {
    const template = { field: 'template', value: 'user <*> failed', observed: 4, expected: 0, share: 1 };
    const others = Array.from({ length: 30 }, (_, i) => ({
      field: 'url.path',
      value: `/p${i}`,
      observed: 1,
      expected: 0,
      share: 0.03,
    }));
    const { incident } = applyAnomaly(
      undefined,
      anomaly({
        kind: 'new_pattern',
        dimension: { field: 'template', value: 't-42' },
        contributors: [template, ...others],
      }),
      T0,
      policy,
    );
    expect(incident.anomalies[0]?.template).toBe('user <*> failed');
    expect(incident.anomalies[0]?.contributors).toHaveLength(10);
  });

  it('does not open an incident for a close it never saw open', () => {
    const { changed, incident } = applyAnomaly(
      undefined,
      closed(anomaly(), T0 + MINUTE),
      T0 + MINUTE,
      policy,
    );
    expect(changed).toBe(false);
    expect(incident.status).toBe('resolved');
  });
});

describe('applyAnomaly: grouping', () => {
  it('an error spike and a latency anomaly on one service make one incident', () => {
    const alerter = new Harness();
    alerter.feed(anomaly(), T0);
    const incident = alerter.feed(
      anomaly({
        id: 'a-latency',
        kind: 'latency',
        unit: 'ms',
        observed: 900,
        expected: 120,
        at: T0 + MINUTE,
      }),
      T0 + MINUTE,
    );
    expect(alerter.incidents.size).toBe(1);
    expect(incident.anomalies.map((a) => a.id)).toEqual(['a-errors', 'a-latency']);
    expect(incident.title).toBe('Error spike and latency on checkout');
    expect(incident.timeline.map((e) => e.type)).toEqual(['opened', 'anomaly_opened']);
    expect(alerter.actions()).toEqual(['trigger']);
  });

  it('keeps security and availability anomalies of one service apart, and other services apart', () => {
    const alerter = new Harness();
    alerter.feed(anomaly(), T0);
    alerter.feed(anomaly({ id: 'a-scan', kind: 'scan' }), T0);
    alerter.feed(anomaly({ id: 'a-cart', service: 'cart' }), T0);
    expect([...alerter.incidents.values()].map((i) => `${i.service}/${i.group}`).sort()).toEqual([
      'cart/availability',
      'checkout/availability',
      'checkout/security',
    ]);
  });

  it('prefers the incident holding the anomaly, then the active one, then a recently resolved one', () => {
    const holding = applyAnomaly(undefined, anomaly({ id: 'a-1' }), T0, policy).incident;
    const other = {
      ...applyAnomaly(undefined, anomaly({ id: 'a-2' }), T0, policy).incident,
      updatedAt: iso(T0 + MINUTE),
    };
    expect(pickIncident(anomaly({ id: 'a-1' }), [other, holding], T0, policy)).toBe(holding);
    expect(pickIncident(anomaly({ id: 'a-3' }), [holding, other], T0, policy)).toBe(other);
    const resolved = { ...holding, status: 'resolved' as const, resolvedAt: iso(T0) };
    expect(pickIncident(anomaly({ id: 'a-3' }), [resolved], T0 + 14 * MINUTE, policy)).toBe(resolved);
    expect(pickIncident(anomaly({ id: 'a-3' }), [resolved], T0 + 15 * MINUTE, policy)).toBeUndefined();
    expect(pickIncident(anomaly({ id: 'a-3', kind: 'brute_force' }), [holding], T0, policy)).toBeUndefined();
  });
});

describe('applyAnomaly: versions', () => {
  it('the same anomaly version replayed changes nothing', () => {
    const opened = applyAnomaly(undefined, anomaly(), T0, policy).incident;
    const replay = applyAnomaly(opened, anomaly(), T0 + 10 * MINUTE, policy);
    expect(replay.changed).toBe(false);
    expect(replay.incident).toBe(opened);
  });

  it('an older version arriving late changes nothing; at equal time a close wins over an open', () => {
    const opened = applyAnomaly(undefined, anomaly(), T0, policy).incident;
    const updated = applyAnomaly(
      opened,
      anomaly({ at: T0 + 2 * MINUTE, start: iso(T0) }),
      T0 + 2 * MINUTE,
      policy,
    ).incident;
    expect(
      applyAnomaly(updated, anomaly({ at: T0 + MINUTE, start: iso(T0) }), T0 + 3 * MINUTE, policy).changed,
    ).toBe(false);
    const close = closed(anomaly({ start: iso(T0) }), T0 + 2 * MINUTE);
    const closedIncident = applyAnomaly(updated, close, T0 + 3 * MINUTE, policy);
    expect(closedIncident.changed).toBe(true);
    const openAtSameTime = anomaly({ at: T0 + 2 * MINUTE, start: iso(T0) });
    expect(applyAnomaly(closedIncident.incident, openAtSameTime, T0 + 4 * MINUTE, policy).changed).toBe(
      false,
    );
  });

  it('successive updates of one anomaly share one timeline entry with the latest figures', () => {
    let incident = applyAnomaly(undefined, anomaly(), T0, policy).incident;
    for (let m = 1; m <= 5; m++) {
      incident = applyAnomaly(
        incident,
        anomaly({ at: T0 + m * MINUTE, start: iso(T0), observed: 0.2 + m / 100 }),
        T0 + m * MINUTE,
        policy,
      ).incident;
    }
    expect(incident.timeline.map((e) => e.type)).toEqual(['opened', 'anomaly_updated']);
    expect(incident.timeline[1]?.text).toBe('Error spike: observed 0.25 ratio, expected 0.01');
    expect(incident.anomalies[0]?.observed).toBe(0.25);
    expect(incident.updatedAt).toBe(iso(T0 + 5 * MINUTE));
  });
});

describe('applyAnomaly: severity', () => {
  it('escalates to the loudest open anomaly with a timeline entry, and never goes down while open', () => {
    let incident = applyAnomaly(undefined, anomaly(), T0, policy).incident;
    incident = applyAnomaly(
      incident,
      anomaly({ at: T0 + MINUTE, start: iso(T0), severity: 'critical' }),
      T0 + MINUTE,
      policy,
    ).incident;
    expect(incident.severity).toBe('critical');
    expect(incident.timeline.at(-1)).toMatchObject({
      type: 'escalated',
      text: 'Escalated from warning to critical',
      severity: 'critical',
    });
    incident = applyAnomaly(
      incident,
      anomaly({ at: T0 + 2 * MINUTE, start: iso(T0), severity: 'info' }),
      T0 + 2 * MINUTE,
      policy,
    ).incident;
    incident = applyAnomaly(
      incident,
      anomaly({ id: 'a-latency', kind: 'latency', severity: 'info' }),
      T0 + 2 * MINUTE,
      policy,
    ).incident;
    expect(incident.severity).toBe('critical');
  });
});
