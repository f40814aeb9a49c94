import { describe, expect, it } from 'vitest';
import { quietVerdict, type Verdict } from '../../src/detectors/verdict.js';
import { AnomalyTracker, type Candidate, TRACKER_DEFAULTS } from '../../src/tracker.js';

function candidate(time: number, score: number, anomalous = score >= 0.5): Candidate {
  const verdict: Verdict = {
    ...quietVerdict('ratio', 30_000),
    score,
    anomalous,
    observed: score,
    expected: 0.01,
  };
  return {
    kind: 'error_spike',
    service: 'api',
    dimension: { field: 'url.path', value: '/orders' },
    verdict,
    time,
  };
}

describe('anomaly tracker', () => {
  const tracker = () => new AnomalyTracker(() => ({ explanation: 'x', query: 'service.name:"api"' }));

  it('opens once, updates while it lasts, closes after a run of normal windows', () => {
    const t = tracker();
    const start = Date.parse('2026-01-05T10:00:00Z');
    const opened = t.apply(candidate(start, 0.8));
    expect(opened).toMatchObject({ state: 'open', severity: 'warning', start: '2026-01-05T09:59:30.000Z' });
    // Still anomalous for a while: no new anomaly, one update a minute at most.
    const updates = [];
    for (let i = 1; i <= 12; i++) {
      const record = t.apply(candidate(start + i * 10_000, 0.8 + i * 0.001));
      if (record) updates.push(record);
    }
    expect(updates.every((u) => u.id === opened?.id && u.state === 'open')).toBe(true);
    expect(updates.length).toBe(2);
    // A flapping window (below the open score, above the close score) keeps it open.
    expect(t.apply(candidate(start + 130_000, 0.3, false))).toBeUndefined();
    expect(t.isOpen('error_spike', 'api', { field: 'url.path', value: '/orders' })).toBe(true);
    // Back to normal for closeAfter windows: closed, same id.
    let closed: unknown;
    for (let i = 0; i < TRACKER_DEFAULTS.closeAfter; i++) {
      closed = t.apply(candidate(start + 140_000 + i * 10_000, 0)) ?? closed;
    }
    expect(closed).toMatchObject({ id: opened?.id, state: 'closed' });
    expect(t.all()).toEqual([]);
  });

  it('reports a rise in severity at once', () => {
    const t = tracker();
    const start = Date.parse('2026-01-05T10:00:00Z');
    t.apply(candidate(start, 0.55));
    expect(t.apply(candidate(start + 10_000, 0.95))).toMatchObject({ severity: 'critical' });
  });

  it('gives the same id to the same anomaly on a replay and survives a snapshot', () => {
    const a = tracker();
    const b = tracker();
    const time = Date.parse('2026-01-05T10:00:00Z');
    const first = a.apply(candidate(time, 0.7));
    expect(b.apply(candidate(time, 0.7))?.id).toBe(first?.id);
    const restored = tracker();
    restored.restore(JSON.parse(JSON.stringify(a.snapshot())));
    expect(restored.isOpen('error_spike', 'api', { field: 'url.path', value: '/orders' })).toBe(true);
  });
});
