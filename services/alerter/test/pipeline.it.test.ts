import { PagerDutyPeer } from '@vigie/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { END, MINUTE, scenarioEvents } from '../../processor/test/support/checkout-scenario.js';
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

    const seen: Array<{ at: number; event: PagerDutyEvent }> = [];
    const events = scenarioEvents(AFTER_END);
    for (let i = 0; i < events.length; i += 2000) {
      await h.bus.publish(
        h.logsTopic,
        events
          .slice(i, i + 2000)
          .map((event) => ({ key: event.service.name, value: Buffer.from(JSON.stringify(event)) })),
      );
    }

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
});
