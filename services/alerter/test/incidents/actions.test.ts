import { describe, expect, it } from 'vitest';
import {
  acknowledge,
  applyAnomaly,
  comment,
  IncidentActionError,
  IncidentStateError,
  reopenByUser,
  resolveByUser,
  tick,
} from '../../src/incidents/index.js';
import { anomaly, closed, iso, MINUTE, policy, T0 } from './fixtures.js';

const open = () => applyAnomaly(undefined, anomaly(), T0, policy).incident;
const at = T0 + 3 * MINUTE;

describe('incident actions', () => {
  it('acknowledge records who and when, and is idempotent', () => {
    const acked = acknowledge(open(), 'alice', '  looking at the DB  ', at);
    expect(acked).toMatchObject({
      status: 'acknowledged',
      acknowledgedBy: 'alice',
      acknowledgedAt: iso(at),
      updatedAt: iso(at),
    });
    expect(acked.timeline.at(-1)).toEqual({
      at: iso(at),
      type: 'acknowledged',
      text: 'looking at the DB',
      actor: 'alice',
    });
    expect(acknowledge(acked, 'bob', '', at + MINUTE)).toBe(acked);
  });

  it('a resolved incident cannot be acknowledged (409)', () => {
    const resolved = resolveByUser(open(), 'alice', '', at);
    expect(() => acknowledge(resolved, 'bob', '', at)).toThrow(IncidentStateError);
    try {
      acknowledge(resolved, 'bob', '', at);
    } catch (err) {
      expect(err).toMatchObject({ code: 'VIGIE_ERR_INCIDENT_STATE', httpStatus: 409 });
    }
  });

  it('resolving by a user sets resolvedBy and is idempotent', () => {
    const resolved = resolveByUser(open(), 'alice', 'rolled back', at);
    expect(resolved).toMatchObject({ status: 'resolved', resolvedBy: 'alice', resolvedAt: iso(at) });
    expect(resolved.timeline.at(-1)).toMatchObject({ type: 'resolved', text: 'rolled back', actor: 'alice' });
    expect(resolveByUser(resolved, 'bob', '', at + MINUTE)).toBe(resolved);
  });

  it('comments are added with their author; empty ones are refused (400); long ones are cut', () => {
    const commented = comment(open(), 'alice', 'DB failover at 10:02', at);
    expect(commented.timeline.at(-1)).toEqual({
      at: iso(at),
      type: 'comment',
      text: 'DB failover at 10:02',
      actor: 'alice',
    });
    expect(() => comment(open(), 'alice', '   ', at)).toThrow(IncidentActionError);
    expect(comment(open(), 'alice', 'x'.repeat(5000), at).timeline.at(-1)?.text).toHaveLength(2000);
  });

  it('reopening by hand starts a new cycle; with every anomaly closed it resolves again after the quiet period', () => {
    let incident = applyAnomaly(open(), closed(anomaly(), T0 + MINUTE), T0 + MINUTE, policy).incident;
    incident = resolveByUser({ ...incident, acknowledgedAt: iso(T0), acknowledgedBy: 'x' }, 'alice', '', at);
    const reopened = reopenByUser(incident, 'bob', 'not fixed', at + MINUTE);
    expect(reopened).toMatchObject({ status: 'open', cycle: 2, quietSince: iso(at + MINUTE) });
    expect(reopened.resolvedBy).toBeUndefined();
    expect(reopened.acknowledgedBy).toBeUndefined();
    expect(reopenByUser(reopened, 'bob', '', at + 2 * MINUTE)).toBe(reopened);
    expect(tick(reopened, at + 6 * MINUTE, policy).incident.status).toBe('resolved');
  });

  it('do not change the incident they are given', () => {
    const incident = open();
    const snapshot = structuredClone(incident);
    acknowledge(incident, 'alice', 'x', at);
    resolveByUser(incident, 'alice', 'x', at);
    comment(incident, 'alice', 'x', at);
    expect(incident).toEqual(snapshot);
  });
});
