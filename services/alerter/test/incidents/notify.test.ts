import type { Incident } from '@vigie/common';
import { describe, expect, it } from 'vitest';
import {
  acknowledge,
  applyAnomaly,
  nextNotification,
  outboxId,
  resolveByUser,
} from '../../src/incidents/index.js';
import { anomaly, Harness, MINUTE, policy, T0 } from './fixtures.js';

function opened(): Incident {
  return applyAnomaly(undefined, anomaly(), T0, policy).incident;
}

function told(incident: Incident): Incident {
  return {
    ...incident,
    notified: { status: incident.status, severity: incident.severity, cycle: incident.cycle },
  };
}

describe('nextNotification', () => {
  it('triggers a new incident once', () => {
    const incident = opened();
    expect(nextNotification(incident)).toBe('trigger');
    expect(nextNotification(told(incident))).toBeUndefined();
  });

  it('escalation warning → critical triggers again under a different outbox id', () => {
    const alerter = new Harness();
    const first = alerter.feed(anomaly(), T0);
    alerter.feed(
      anomaly({ at: T0 + MINUTE, start: new Date(T0).toISOString(), severity: 'critical' }),
      T0 + MINUTE,
    );
    expect(alerter.actions()).toEqual(['trigger', 'trigger']);
    expect(alerter.queued.map((q) => q.id)).toEqual([
      `pager|${first.id}|trigger|1|warning`,
      `pager|${first.id}|trigger|1|critical`,
    ]);
  });

  it('an acknowledged incident is acknowledged once and does not page again when it grows louder', () => {
    const acked = acknowledge(told(opened()), 'alice', '', T0 + MINUTE);
    expect(nextNotification(acked)).toBe('acknowledge');
    const louder = applyAnomaly(
      told(acked),
      anomaly({ at: T0 + 2 * MINUTE, start: new Date(T0).toISOString(), severity: 'critical' }),
      T0 + 2 * MINUTE,
      policy,
    ).incident;
    expect(louder).toMatchObject({ status: 'acknowledged', severity: 'critical' });
    expect(nextNotification(louder)).toBeUndefined();
  });

  it('resolves only what was triggered in this cycle', () => {
    const triggered = told(opened());
    expect(nextNotification(resolveByUser(triggered, 'alice', '', T0 + MINUTE))).toBe('resolve');
    expect(nextNotification(resolveByUser(opened(), 'alice', '', T0 + MINUTE))).toBeUndefined();
    const resolvedAndTold = told(resolveByUser(triggered, 'alice', '', T0 + MINUTE));
    expect(nextNotification(resolvedAndTold)).toBeUndefined();
    // Acknowledging something never triggered (it was silenced) tells receivers nothing.
    expect(
      nextNotification(acknowledge({ ...opened(), silencedBy: 's-1' }, 'alice', '', T0)),
    ).toBeUndefined();
  });

  it('muted incidents are not triggered; they are once the muting ends, and a muted page still resolves', () => {
    expect(nextNotification({ ...opened(), silencedBy: 's-1' })).toBeUndefined();
    expect(nextNotification({ ...opened(), suppressedBy: 'f-1' })).toBeUndefined();
    const triggered = told(opened());
    const silencedLater = { ...resolveByUser(triggered, 'alice', '', T0 + MINUTE), silencedBy: 's-1' };
    expect(nextNotification(silencedLater)).toBe('resolve');
    const louderWhileSilenced = { ...triggered, severity: 'critical' as const, silencedBy: 's-1' };
    expect(nextNotification(louderWhileSilenced)).toBeUndefined();
  });

  it('a flapping incident triggers its cycle once, not on escalation', () => {
    const flapping = { ...opened(), flapping: true };
    expect(nextNotification(flapping)).toBe('trigger');
    expect(nextNotification({ ...told(flapping), severity: 'critical' })).toBeUndefined();
  });

  it('a reopened incident (new cycle) triggers again', () => {
    const reopened = { ...told(opened()), cycle: 2 };
    expect(nextNotification(reopened)).toBe('trigger');
  });
});

describe('outboxId', () => {
  it('is the same for the same receiver, incident, action, cycle and severity', () => {
    const incident = opened();
    expect(outboxId('pd', incident, 'trigger')).toBe(`pd|${incident.dedupKey}|trigger|1|warning`);
    expect(outboxId('pd', { ...incident }, 'trigger')).toBe(outboxId('pd', incident, 'trigger'));
    expect(outboxId('slack', incident, 'trigger')).not.toBe(outboxId('pd', incident, 'trigger'));
    expect(outboxId('pd', incident, 'resolve')).not.toBe(outboxId('pd', incident, 'trigger'));
    expect(outboxId('pd', { ...incident, cycle: 2 }, 'trigger')).not.toBe(
      outboxId('pd', incident, 'trigger'),
    );
  });
});
