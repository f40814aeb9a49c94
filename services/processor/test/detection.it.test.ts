import type { Anomaly } from '@vigie/common';
import { DetectionEngine } from '@vigie/detect';
import { uniqueName, waitFor } from '@vigie/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DetectionHarness,
  INCIDENT_AT,
  isCheckoutSpike,
  MINUTE,
  START,
  scenarioEvents,
} from './support/checkout-scenario.js';

const RESTART_AT = START + 14 * MINUTE;

describe('detection in the processor, on real Kafka and Elasticsearch', () => {
  const harnesses: DetectionHarness[] = [];
  afterAll(async () => {
    await Promise.all(harnesses.map((h) => h.close()));
  });
  function harness(): DetectionHarness {
    const created = new DetectionHarness();
    harnesses.push(created);
    return created;
  }

  it('raises the error spike after a restart right before it: the baselines come back from the snapshot', async () => {
    const h = harness();
    const events = scenarioEvents();
    const before = events.filter((e) => Date.parse(e['@timestamp']) < RESTART_AT);
    const after = events.slice(before.length);

    // The control: an engine that starts cold at the restart point has no baseline yet
    // and stays quiet, so only restored state can catch the spike below.
    const cold = new DetectionEngine();
    for (const [i, event] of after.entries()) cold.ingest({ id: `c${i}`, event });
    expect(cold.drain().anomalies.filter(isCheckoutSpike)).toEqual([]);

    await h.bus.ensureTopic(h.topic, 3);
    await h.produce(before);
    const first = h.processor();
    await h.indexed(before.length);
    expect(await first.kill('SIGTERM')).toBe(0);
    expect(await h.savedState(), 'a detection snapshot was saved on stop').toBeDefined();

    await h.produce(after);
    const second = h.processor();
    const opsUrl = await second.opsUrl();
    await h.indexed(events.length);
    const spike = (await h.checkoutSpikes())[0] as Anomaly;
    // `updated` moves on with the anomaly; its start is the window that opened it.
    expect(Math.abs(Date.parse(spike.start) - INCIDENT_AT)).toBeLessThanOrEqual(30_000);
    expect(spike.contributors[0]).toMatchObject({ field: 'url.path', value: '/api/checkout' });
    expect(spike.explanation).toContain('/api/checkout');
    expect(spike.sampleEventIds.length).toBeGreaterThan(0);
    const page = await (await fetch(`${opsUrl}/metrics`)).text();
    expect(page).toMatch(/vigie_detection_state_restores_total\{[^}]*outcome="restored"[^}]*\} [1-9]/);

    // The same record went to the anomalies topic for the alerter.
    const published = await readAnomalies(h);
    expect(published.some((a) => a.id === spike.id)).toBe(true);
    expect(await second.kill('SIGTERM')).toBe(0);
  });

  it('after a SIGKILL between two snapshots, replays what the group committed past the snapshot: the spike stays one anomaly', async () => {
    const h = harness();
    const events = scenarioEvents();
    const firstPart = events.filter((e) => Date.parse(e['@timestamp']) < RESTART_AT);
    // The second part holds the start of the spike; the third its rest.
    const secondEnd =
      firstPart.length +
      events.slice(firstPart.length).findIndex((e) => Date.parse(e['@timestamp']) >= INCIDENT_AT + 90_000);
    const secondPart = events.slice(firstPart.length, secondEnd);
    const thirdPart = events.slice(secondEnd);
    // Snapshots only on stop: the state saved stays at the end of the first part.
    const noPeriodicSnapshot = { VIGIE_DETECTION_SNAPSHOT_SECONDS: '3600' };

    await h.bus.ensureTopic(h.topic, 3);
    await h.produce(firstPart);
    const first = h.processor(noPeriodicSnapshot);
    await h.indexed(firstPart.length);
    expect(await first.kill('SIGTERM')).toBe(0);
    const snapshot = await h.savedState();

    await h.produce(secondPart);
    const second = h.processor(noPeriodicSnapshot);
    await h.indexed(firstPart.length + secondPart.length);
    const [opened] = await h.checkoutSpikes();
    // Killed after committing the second part, with the state saved still at the first.
    // Offsets are committed after indexing: on a loaded machine a kill as soon as the
    // events are searchable could come first, and the next process would simply read
    // the second part again (no replay to test).
    await h.committedAll();
    await second.kill('SIGKILL');
    expect((await h.savedState())?.offset).toBe(snapshot?.offset);

    await h.produce(thirdPart);
    const third = h.processor();
    const opsUrl = await third.opsUrl();
    await h.indexed(events.length);
    // Without the replay, the third process would not know the spike was open and
    // would open a second anomaly for it, starting with the third part.
    await waitFor(
      'the spike updated by the third process',
      async () => {
        await h.store.refresh();
        return (await h.store.getAnomaly((opened as Anomaly).id))?.updated ?? '';
      },
      (updated) => Date.parse(updated) >= INCIDENT_AT + 2 * MINUTE,
      120_000,
      1000,
    ).catch((err: unknown) => {
      console.log(
        third.stdout
          .split('\n')
          .filter((l) => /eplay|Detection|nomaly|artition/.test(l))
          .join('\n'),
      );
      throw err;
    });
    const spikes = await h.checkoutSpikes();
    expect(spikes.map((a) => a.id)).toEqual([(opened as Anomaly).id]);
    expect(Math.abs(Date.parse((opened as Anomaly).start) - INCIDENT_AT)).toBeLessThanOrEqual(30_000);
    const page = await (await fetch(`${opsUrl}/metrics`)).text();
    expect(page).toMatch(/vigie_detection_replays_total\{[^}]*\} [1-9]/);
    expect(await third.kill('SIGTERM')).toBe(0);
  }, 300_000);

  async function readAnomalies(h: DetectionHarness): Promise<Anomaly[]> {
    const found: Anomaly[] = [];
    const subscription = await h.bus.subscribe({
      topic: h.anomaliesTopic,
      groupId: uniqueName('reader'),
      fromBeginning: true,
      handleBatch: async (batch) => {
        for (const record of batch.records) found.push(JSON.parse(record.value.toString()) as Anomaly);
      },
    });
    await waitFor(
      'anomaly records on the topic',
      async () => found.length,
      (n) => n > 0,
      60_000,
      500,
    );
    await subscription.stop();
    return found;
  }
});
