import { describe, expect, it } from 'vitest';
import { applyAnomaly, tick } from '../../src/incidents/index.js';
import { anomaly, closed, Harness, iso, MINUTE, policy, T0 } from './fixtures.js';

describe('quiet and auto-resolve', () => {
  it('resolves once every anomaly has been closed for resolveAfterMs, not before', () => {
    let incident = applyAnomaly(undefined, anomaly(), T0, policy).incident;
    incident = applyAnomaly(incident, closed(anomaly(), T0 + 2 * MINUTE), T0 + 2 * MINUTE, policy).incident;
    expect(incident.quietSince).toBe(iso(T0 + 2 * MINUTE));
    expect(incident.timeline.map((e) => e.type)).toEqual(['opened', 'anomaly_closed', 'quiet']);
    const early = tick(incident, T0 + 7 * MINUTE - 1, policy);
    expect(early.changed).toBe(false);
    expect(early.incident).toBe(incident);
    const due = tick(incident, T0 + 7 * MINUTE, policy);
    expect(due.changed).toBe(true);
    expect(due.incident).toMatchObject({ status: 'resolved', resolvedAt: iso(T0 + 7 * MINUTE) });
    expect(due.incident.resolvedBy).toBeUndefined();
    expect(due.incident.quietSince).toBeUndefined();
    expect(due.incident.timeline.at(-1)?.type).toBe('resolved');
  });

  it('stays open while one of its anomalies is open', () => {
    let incident = applyAnomaly(undefined, anomaly(), T0, policy).incident;
    incident = applyAnomaly(incident, anomaly({ id: 'a-latency', kind: 'latency' }), T0, policy).incident;
    incident = applyAnomaly(incident, closed(anomaly(), T0 + MINUTE), T0 + MINUTE, policy).incident;
    expect(incident.quietSince).toBeUndefined();
    expect(tick(incident, T0 + 60 * MINUTE, policy).incident.status).toBe('open');
  });

  it('hysteresis: a new anomaly during the quiet period keeps the incident open without a new trigger', () => {
    const alerter = new Harness();
    alerter.feed(anomaly(), T0);
    alerter.feed(closed(anomaly(), T0 + MINUTE), T0 + MINUTE);
    alerter.reconcileAll(T0 + 4 * MINUTE);
    const incident = alerter.feed(anomaly({ id: 'a-errors-2', at: T0 + 5 * MINUTE }), T0 + 5 * MINUTE);
    expect(incident.quietSince).toBeUndefined();
    alerter.reconcileAll(T0 + 9 * MINUTE);
    expect(alerter.incidents.size).toBe(1);
    expect(incident.status).toBe('open');
    expect(incident.cycle).toBe(1);
    expect(alerter.actions()).toEqual(['trigger']);
  });
});

describe('reopening', () => {
  it('a new anomaly within groupWindowMs of the resolution reopens the incident as cycle 2, and pages again', () => {
    const alerter = new Harness();
    const first = alerter.feed(anomaly(), T0);
    alerter.feed(closed(anomaly(), T0 + MINUTE), T0 + MINUTE);
    alerter.reconcileAll(T0 + 6 * MINUTE);
    expect(alerter.incidents.get(first.id)?.status).toBe('resolved');
    const reopened = alerter.feed(
      anomaly({ id: 'a-errors-2', at: T0 + 10 * MINUTE, severity: 'info' }),
      T0 + 10 * MINUTE,
    );
    expect(reopened.id).toBe(first.id);
    expect(reopened).toMatchObject({ status: 'open', cycle: 2, severity: 'info' });
    expect(reopened.resolvedAt).toBeUndefined();
    expect(reopened.timeline.at(-1)).toMatchObject({ type: 'reopened', anomalyId: 'a-errors-2' });
    expect(alerter.actions()).toEqual(['trigger', 'resolve', 'trigger']);
    const ids = alerter.queued.map((q) => q.id);
    expect(new Set(ids).size).toBe(3);
    expect(ids[2]).toBe(`pager|${first.id}|trigger|2|info`);
  });

  it('after groupWindowMs a new anomaly opens a new incident', () => {
    const alerter = new Harness();
    const first = alerter.feed(anomaly(), T0);
    alerter.feed(closed(anomaly(), T0 + MINUTE), T0 + MINUTE);
    alerter.reconcileAll(T0 + 6 * MINUTE);
    const second = alerter.feed(anomaly({ id: 'a-errors-2', at: T0 + 22 * MINUTE }), T0 + 22 * MINUTE);
    expect(second.id).not.toBe(first.id);
    expect(second.cycle).toBe(1);
  });

  it('an update of a still-open anomaly does not reopen an incident a person resolved, unless it grows louder', () => {
    let incident = applyAnomaly(undefined, anomaly(), T0, policy).incident;
    incident = { ...incident, status: 'resolved', resolvedAt: iso(T0 + MINUTE), resolvedBy: 'alice' };
    incident = applyAnomaly(
      incident,
      anomaly({ at: T0 + 2 * MINUTE, start: iso(T0) }),
      T0 + 2 * MINUTE,
      policy,
    ).incident;
    expect(incident.status).toBe('resolved');
    incident = applyAnomaly(
      incident,
      anomaly({ at: T0 + 3 * MINUTE, start: iso(T0), severity: 'critical' }),
      T0 + 3 * MINUTE,
      policy,
    ).incident;
    expect(incident).toMatchObject({ status: 'open', cycle: 2, severity: 'critical' });
    expect(incident.resolvedBy).toBeUndefined();
  });
});

describe('flapping', () => {
  it('a series opening and closing 10 times in 30 minutes is one incident with one trigger', () => {
    const alerter = new Harness();
    for (let i = 0; i < 10; i++) {
      const start = T0 + i * 3 * MINUTE;
      // Detection gives each episode its own anomaly id.
      const episode = anomaly({ id: `a-flap-${i}`, at: start });
      alerter.feed(episode, start);
      alerter.reconcileAll(start + 30_000);
      alerter.feed(closed(episode, start + 90_000), start + 90_000);
      alerter.reconcileAll(start + 120_000);
    }
    expect(alerter.incidents.size).toBe(1);
    const [incident] = [...alerter.incidents.values()];
    expect(incident?.flapping).toBe(true);
    expect(incident?.timeline.filter((e) => e.type === 'flapping')).toHaveLength(1);
    expect(incident?.anomalies).toHaveLength(10);
    expect(alerter.actions()).toEqual(['trigger']);
  });

  it('flapping with gaps longer than the quiet period does not resolve and reopen over and over', () => {
    const alerter = new Harness();
    // Open 1 minute, closed 6: beyond resolveAfterMs (5 min), within groupWindowMs.
    for (let i = 0; i < 10; i++) {
      const start = T0 + i * 7 * MINUTE;
      const episode = anomaly({ id: `a-flap-${i}`, at: start });
      alerter.feed(episode, start);
      alerter.feed(closed(episode, start + MINUTE), start + MINUTE);
      for (let m = 2; m < 7; m++) alerter.reconcileAll(start + m * MINUTE);
    }
    expect(alerter.incidents.size).toBe(1);
    // Paged for the first episodes until flapping was detected (6 transitions), then never.
    expect(alerter.actions()).toEqual(['trigger', 'resolve', 'trigger', 'resolve', 'trigger']);
  });

  it('ends when the transitions in the window fall under the threshold, then the quiet incident resolves', () => {
    const alerter = new Harness();
    for (let i = 0; i < 4; i++) {
      const start = T0 + i * 2 * MINUTE;
      const episode = anomaly({ id: `a-flap-${i}`, at: start });
      alerter.feed(episode, start);
      alerter.feed(closed(episode, start + MINUTE), start + MINUTE);
    }
    const [id] = [...alerter.incidents.keys()];
    if (id === undefined) throw new Error('no incident');
    expect(alerter.incidents.get(id)?.flapping).toBe(true);
    alerter.reconcileAll(T0 + 30 * MINUTE);
    expect(alerter.incidents.get(id)).toMatchObject({ flapping: true, status: 'open' });
    // The third transition (at T0 + 2 min) leaves the 60-minute window: 5 remain, under 6.
    alerter.reconcileAll(T0 + 62 * MINUTE + 1);
    const settled = alerter.incidents.get(id);
    expect(settled).toMatchObject({ flapping: false, status: 'resolved' });
    expect(settled?.timeline.filter((e) => e.type === 'flapping').map((e) => e.text)).toEqual([
      'Flapping: 6 anomaly open/close transitions within 60 min; re-notification paused.',
      'Flapping ended: anomalies have settled.',
    ]);
    expect(alerter.actions()).toEqual(['trigger', 'resolve']);
  });
});

describe('flapping by event time', () => {
  it('a backlog of ordinary episodes read at once after downtime is not flapping', () => {
    const alerter = new Harness();
    const readAt = T0 + 5 * 60 * MINUTE;
    // Ten one-minute episodes, 25 minutes apart: each its own incident in real time.
    for (let i = 0; i < 10; i++) {
      const start = T0 + i * 25 * MINUTE;
      const episode = anomaly({ id: `a-old-${i}`, at: start });
      alerter.feed(episode, readAt);
      alerter.feed(closed(episode, start + MINUTE), readAt);
    }
    const [incident] = [...alerter.incidents.values()];
    expect(incident?.flapping).toBe(false);
    expect(incident?.transitions.length).toBeLessThan(policy.flapTransitions);
  });
});
