import { generateTraffic, PagerDutyPeer } from '@vigie/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { CHECKOUT, END, MINUTE, scenarioEvents } from '../../processor/test/support/checkout-scenario.js';
import { AlerterHarness, pagerDutyReceiver } from './support/alerter-harness.js';

// End to end on the real pipeline: log events on Kafka → `vigie processor` detects the
// error spike → `vigie.anomalies` → `vigie alerter` → a PagerDuty peer that validates
// events as PagerDuty documents them.

const ROUTING_KEY = 'PipelineKeyPipelineKeyPipeline12';
/** Normal traffic after the spike, long enough for the detector to close its anomalies. */
const AFTER_END = END + 6 * MINUTE;

interface PagerDutyEvent {
  event_action: string;
  dedup_key?: string;
  payload?: { summary: string; severity: string; custom_details?: Record<string, unknown> };
  links?: Array<{ href: string }>;
}

describe('ingest → detect → alert on Kafka and Elasticsearch', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('an injected error spike pages PagerDuty within 10 s of its detection, and resolves after the spike ends', async () => {
    const peer = await new PagerDutyPeer({ routingKey: ROUTING_KEY }).start();
    cleanups.push(() => peer.stop());
    const h = new AlerterHarness({
      receivers: [pagerDutyReceiver(peer, ROUTING_KEY)],
      routes: [{ match: { service: ['checkout'] }, receivers: ['pd'], continue: false }],
      resolveAfterMs: 2000,
    });
    cleanups.push(() => h.close());
    await h.bus.ensureTopic(h.logsTopic, 3);
    await h.bus.ensureTopic(h.topic, 3);

    // When each anomaly reached the anomalies topic: the moment of detection.
    const detectedAt: number[] = [];
    const watcher = await h.bus.subscribe({
      topic: h.topic,
      groupId: `${h.group}-watch`,
      handleBatch: async (batch) => {
        for (const record of batch.records) detectedAt.push(record.timestamp);
      },
    });
    cleanups.push(() => watcher.stop());
    const seen: Array<{ at: number; event: PagerDutyEvent }> = [];
    const alerter = h.start('alerter');
    cleanups.push(async () => {
      if (!seen.some((entry) => entry.event.event_action === 'resolve'))
        console.log(alerter.stdout.slice(-5000));
    });
    const processor = h.start('processor', { VIGIE_PROCESSOR_GROUP_ID: `${h.group}-processor` });
    cleanups.push(async () => {
      if (!seen.some((entry) => entry.event.event_action === 'resolve'))
        console.log(processor.stdout.slice(-8000), processor.stderr.slice(-3000));
    });

    await h.publishEvents(scenarioEvents(AFTER_END));

    const received = () => {
      for (const request of peer.accepted.slice(seen.length))
        seen.push({ at: Date.now(), event: request.json as PagerDutyEvent });
      return Promise.resolve(seen);
    };
    await h.until('the PagerDuty trigger', received, (list) => list.length > 0, 180_000);
    const firstDetection = Math.min(...detectedAt);
    const trigger = seen[0];
    expect(trigger?.event.event_action).toBe('trigger');
    expect(trigger?.event.payload?.summary).toMatch(/checkout/);
    expect(trigger?.event.links?.[0]?.href).toContain('#/incidents?incident=');
    console.log(
      `PagerDuty trigger ${((trigger?.at ?? 0) - firstDetection) / 1000} s after the anomaly reached the topic`,
    );
    // Polled every 200 ms: the bound holds with that slack.
    expect((trigger?.at ?? Number.POSITIVE_INFINITY) - firstDetection).toBeLessThan(10_000);

    await h.until(
      'the PagerDuty resolve',
      received,
      (list) => list.some((entry) => entry.event.event_action === 'resolve'),
      240_000,
    );
    const incidents = await h.incidents();
    expect(incidents).toHaveLength(1);
    expect(incidents[0]?.status).toBe('resolved');
    const keys = new Set(seen.map((entry) => entry.event.dedup_key));
    expect([...keys]).toEqual([incidents[0]?.dedupKey]);
  }, 600_000);

  it('a series that keeps failing and recovering on the real pipeline stays one incident and stops paging once it is seen to flap', async () => {
    const peer = await new PagerDutyPeer({ routingKey: ROUTING_KEY }).start();
    cleanups.push(() => peer.stop());
    const h = new AlerterHarness({
      receivers: [pagerDutyReceiver(peer, ROUTING_KEY)],
      routes: [{ match: {}, receivers: ['pd'], continue: false }],
      resolveAfterMs: 1000,
      // Flapping once a series opened and closed twice within the hour.
      flapTransitions: 4,
    });
    cleanups.push(() => h.close());
    await h.bus.ensureTopic(h.logsTopic, 3);
    h.start('alerter');
    h.start('processor', { VIGIE_PROCESSOR_GROUP_ID: `${h.group}-processor` });

    // Live event times (flapping is judged over the last hour): a calm quarter of an
    // hour, then five episodes of 2 minutes at 20 % errors and 4 calm minutes, each
    // long enough for the detector to close its anomaly.
    const start = Math.floor((Date.now() - 50 * MINUTE) / 10_000) * 10_000;
    const baselineEnd = start + 16 * MINUTE;
    const episodes = [0, 1, 2, 3, 4].map((k) => ({
      from: baselineEnd + k * 6 * MINUTE,
      spikeMs: 2 * MINUTE,
    }));
    const lastEnd = baselineEnd + episodes.length * 6 * MINUTE;
    const events = [
      ...generateTraffic({
        seed: 7,
        start,
        durationMs: lastEnd - start,
        services: [CHECKOUT],
        incidents: episodes.map((e) => ({
          kind: 'error-ratio' as const,
          service: 'checkout',
          route: 'POST /api/checkout',
          from: e.from,
          to: e.from + e.spikeMs,
          errorRatio: 0.2,
        })),
        dailyAmplitude: 0,
      }),
    ];
    // One episode at a time, with more than the quiet period in between: without flapping
    // detection, each episode would resolve the incident and the next would page again.
    const cuts = [baselineEnd, ...episodes.map((e) => e.from + 6 * MINUTE)];
    let from = 0;
    for (const cut of cuts) {
      const to = events.findIndex((event) => Date.parse(event['@timestamp']) >= cut);
      const until = to === -1 ? events.length : to;
      await h.publishEvents(events.slice(from, until));
      from = until;
      await new Promise((resolve) => setTimeout(resolve, 4000));
    }
    const incidents = await h.until(
      'a flapping incident',
      () => h.incidents(),
      (list) => list.length > 0 && list.every((incident) => incident.flapping),
      120_000,
    );
    expect(incidents).toHaveLength(1);
    const [incident] = incidents;
    expect(new Set(incident?.anomalies.map((a) => a.id)).size).toBeGreaterThanOrEqual(3);
    // The first episode resolves and the second reopens (two transitions cannot tell a
    // flapping series yet); from its close on, the flapping incident neither resolves
    // nor pages. Without flapping detection, each of the 5 episodes is a cycle and a page.
    expect(incident?.cycle, 'pages for 5 episodes: at most the first two').toBeLessThanOrEqual(2);
    const triggers = peer.accepted
      .map((request) => request.json as PagerDutyEvent)
      .filter((event) => event.event_action === 'trigger');
    // One page per cycle, plus at most one escalation.
    expect(triggers.length).toBeGreaterThanOrEqual(1);
    expect(triggers.length).toBeLessThanOrEqual(3);
  }, 600_000);
});
