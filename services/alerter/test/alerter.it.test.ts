import type { Anomaly } from '@vigie/common';
import { LocalAlertmanager, PagerDutyPeer } from '@vigie/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { AlerterHarness, closedAnomaly, openAnomaly, pagerDutyReceiver } from './support/alerter-harness.js';

// `vigie alerter` as a process on the real Kafka and Elasticsearch, delivering to a real
// Alertmanager and to a PagerDuty peer that validates events as PagerDuty documents them.

const ROUTING_KEY = 'R0ut1ngKeyR0ut1ngKeyR0ut1ngKey12';
const T0 = Date.parse('2026-11-28T10:00:00Z');

interface PagerDutyEvent {
  event_action: string;
  dedup_key?: string;
  routing_key: string;
  payload?: { severity: string };
}

const events = (peer: PagerDutyPeer) => peer.accepted.map((request) => request.json as PagerDutyEvent);

describe('vigie alerter on Kafka and Elasticsearch', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('a real Alertmanager receives the alert, readable through its API, and sees it resolve when the incident resolves', async () => {
    const alertmanager = await LocalAlertmanager.start();
    cleanups.push(() => alertmanager.stop());
    const h = new AlerterHarness({
      receivers: [
        { name: 'am', type: 'alertmanager', url: alertmanager.url, rateLimitPerMinute: 600, timeoutMs: 5000 },
      ],
      routes: [{ match: {}, receivers: ['am'], continue: false }],
      resolveAfterMs: 2000,
    });
    cleanups.push(() => h.close());
    h.start();
    const spike = openAnomaly('am-spike-1', 'checkout', T0);
    await h.publish([spike]);

    const [incident] = await h.until(
      'the incident',
      () => h.incidents(),
      (list) => list.length === 1,
    );
    const alerts = await h.until(
      'the alert in Alertmanager',
      () => alertmanager.alerts({ labels: { dedup_key: incident?.dedupKey ?? '' } }),
      (list) => list.length === 1,
    );
    expect(alerts[0]?.labels).toMatchObject({ service: 'checkout', severity: 'critical' });
    expect(alerts[0]?.generatorURL).toContain(`#/incidents?incident=${incident?.id}`);
    // Alertmanager sends no resolve for an alert it never notified about.
    await alertmanager.waitForNotified({ dedup_key: incident?.dedupKey ?? '' }, 'firing');

    await h.publish([closedAnomaly(spike, T0 + 120_000)]);
    await alertmanager.waitForNotified({ dedup_key: incident?.dedupKey ?? '' }, 'resolved');
    expect(await alertmanager.alerts({ labels: { dedup_key: incident?.dedupKey ?? '' } })).toEqual([]);
    const [resolved] = await h.incidents();
    expect(resolved?.status).toBe('resolved');
  });

  it('killed with SIGKILL between an anomaly and its delivery, delivers the notification exactly once after the restart', async () => {
    const peer = await new PagerDutyPeer({ routingKey: ROUTING_KEY }).start();
    cleanups.push(() => peer.stop());
    const h = new AlerterHarness({
      receivers: [pagerDutyReceiver(peer, ROUTING_KEY)],
      routes: [{ match: {}, receivers: ['pd'], continue: false }],
      resolveAfterMs: 600_000,
    });
    cleanups.push(() => h.close());
    // PagerDuty is down: the trigger waits in the outbox when the alerter dies.
    peer.failNext(100_000, { kind: 'status', status: 503 });
    const first = h.start();
    await h.publish([openAnomaly('kill-spike-1', 'payments', T0)]);
    const pending = await h.until(
      'a tried, undelivered trigger in the outbox',
      () => h.outbox(),
      (list) => list.some((entry) => entry.status === 'pending' && entry.attempts > 0),
    );
    expect(await first.kill('SIGKILL')).toBeNull();
    expect(peer.accepted).toHaveLength(0);

    peer.clearFaults();
    const second = h.start();
    await h.until(
      'the trigger delivered',
      async () => events(peer),
      (list) => list.length >= 1,
    );
    // A second alerter could only send it again by mistake: give it time to.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const triggers = events(peer).filter((event) => event.event_action === 'trigger');
    expect(triggers).toHaveLength(1);
    expect(triggers[0]?.dedup_key).toBe(pending[0]?.notification.dedupKey);
    const [entry] = await h.outbox();
    expect(entry?.status).toBe('delivered');
    expect(await second.kill('SIGTERM')).toBe(0);
  });

  it('a flapping series makes one incident and one page, not one per opening', async () => {
    const peer = await new PagerDutyPeer({ routingKey: ROUTING_KEY }).start();
    cleanups.push(() => peer.stop());
    const h = new AlerterHarness({
      receivers: [pagerDutyReceiver(peer, ROUTING_KEY)],
      routes: [{ match: {}, receivers: ['pd'], continue: false }],
      resolveAfterMs: 1000,
      flapTransitions: 4,
    });
    cleanups.push(() => h.close());
    h.start();
    // The series opened and closed ten times in the last 30 minutes of event time (live
    // data: flapping is judged against the wall clock), each opening under a new anomaly
    // id as the detector does.
    const since = Date.now() - 31 * 60_000;
    const episode = (i: number) => {
      const start = since + i * 3 * 60_000;
      const anomaly = openAnomaly(`flap-${i}`, 'search', start, { severity: 'warning' });
      return [anomaly, closedAnomaly(anomaly, start + 90_000)];
    };
    // The first two episodes come faster than the quiet period (1 s): the incident stays
    // open through them and their 4 transitions mark it flapping. Until then, a quiet
    // period between two episodes resolves it and the next one pages again, as it should.
    await h.publish([...episode(0), ...episode(1)]);
    for (let i = 2; i < 10; i++) {
      // Longer than the quiet period: without flapping detection each episode would
      // resolve the incident and the next one would page again.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const [opened, closed] = episode(i) as [Anomaly, Anomaly];
      await h.publish([opened]);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await h.publish([closed]);
    }
    await h.until(
      'the trigger delivered',
      async () => events(peer),
      (list) => list.length >= 1,
    );
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const incidents = await h.incidents();
    expect(incidents).toHaveLength(1);
    expect(incidents[0]?.flapping).toBe(true);
    expect(incidents[0]?.anomalies.length).toBe(10);
    expect(events(peer).filter((event) => event.event_action === 'trigger')).toHaveLength(1);
  });
});
