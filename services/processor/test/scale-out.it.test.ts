import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Anomaly, LogEvent } from '@vigie/common';
import { scrapeMetric, type VigieProcess, waitFor } from '@vigie/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { DetectionHarness } from './support/checkout-scenario.js';
import {
  FLEET_INCIDENTS,
  FLEET_SERVICES,
  FLEET_SIZE,
  fleetEvents,
  fleetService,
  referenceAnomalies,
} from './support/fleet-scenario.js';

const PARTITIONS = 12;
const BUCKET_MS = 10_000;
/** Snapshots every 2 s, so a partition that moves has a recent one; idle advance after 10 s. */
const PROCESSOR_ENV = {
  VIGIE_KAFKA_PARTITIONS: String(PARTITIONS),
  VIGIE_DETECTION_SNAPSHOT_SECONDS: '2',
  VIGIE_DETECTION_IDLE_SECONDS: '10',
  VIGIE_LOG_LEVEL: 'info',
};

describe('horizontal processors on real Kafka and Elasticsearch', () => {
  const harness = new DetectionHarness();
  afterAll(() => harness.close());

  it('three processors on 12 partitions, one SIGKILLed and one added mid-run: every event indexed once, every incident one anomaly, none twice', async () => {
    const started = Date.now();
    const lap = (what: string) =>
      console.log(`${((Date.now() - started) / 1000).toFixed(1)} s (${new Date().toISOString()}): ${what}`);
    const events = fleetEvents();
    const lastEventTime = Date.parse(events.at(-1)?.['@timestamp'] as string);
    // Each service alone in an engine that never stops: what the moving processors must match.
    const reference = referenceAnomalies(events);
    lap(`${events.length} events generated, ${reference.size} reference anomalies`);
    // The scenario itself: each incident raises its anomaly, and nothing else is raised.
    expect([...reference.values()].map((a) => `${a.service} ${a.kind}`).sort()).toEqual(
      FLEET_INCIDENTS.map((i) => `${i.incident.service} ${i.expected}`).sort(),
    );

    await harness.bus.ensureTopic(harness.topic, PARTITIONS);
    await publish(events);
    lap('published, keyed by service');

    const processors: VigieProcess[] = [0, 1, 2].map(() => harness.processor(PROCESSOR_ENV));
    const opsUrls = await Promise.all(processors.map((p) => p.opsUrl()));
    await untilIndexed(0.3 * FLEET_SIZE);
    const killed = processors[0] as VigieProcess;
    await killed.kill('SIGKILL');
    lap('processor 1 killed (SIGKILL)');
    await untilIndexed(0.55 * FLEET_SIZE);
    const added = harness.processor(PROCESSOR_ENV);
    processors.push(added);
    opsUrls.push(await added.opsUrl());
    lap('processor 4 added');

    await waitFor(
      'the group caught up',
      async () => [...(await harness.bus.consumerLag(harness.topic, harness.group)).values()],
      (lags) => lags.length === PARTITIONS && lags.every((lag) => lag === 0),
      240_000,
      500,
    );
    await harness.store.refresh();
    lap('group caught up');
    expect(await harness.store.countLogs()).toBe(FLEET_SIZE);

    const survivors = opsUrls.slice(1);
    const restored = await Promise.all(
      survivors.map((url) => scrapeMetric(url, 'vigie_detection_state_restores_total')),
    );
    // Partitions moved onto the survivors and the new member: their state came from snapshots.
    expect(restored.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);

    const stored = await harness.store.listAnomalies({ limit: 1000 });
    const log = () =>
      console.log(
        stored.map((a) => `${a.id} ${a.service} ${a.kind} ${a.dimension.value ?? ''} ${a.start}`).join('\n'),
      );
    // The silence every service falls into after the last event is real (the idle
    // advance): anything starting before it must be what the reference raised.
    const endOfData = lastEventTime - (lastEventTime % BUCKET_MS);
    const duringRun = stored.filter((a) => Date.parse(a.start) < endOfData);
    const afterRun = stored.filter((a) => Date.parse(a.start) >= endOfData);
    try {
      expect(afterRun.every((a) => a.kind === 'volume_low')).toBe(true);
      for (const { incident, expected } of FLEET_INCIDENTS) {
        const matching = duringRun.filter(
          (a) =>
            a.service === incident.service &&
            a.kind === expected &&
            Date.parse(a.start) >= incident.from - 3 * BUCKET_MS &&
            Date.parse(a.start) < incident.to,
        );
        expect(matching, `${expected} of ${incident.service}`).toHaveLength(1);
      }
      const incidentFree = new Set(
        Array.from({ length: FLEET_SERVICES }, (_, i) => fleetService(i)).filter(
          (name) => !FLEET_INCIDENTS.some((i) => i.incident.service === name),
        ),
      );
      expect(duringRun.filter((a) => incidentFree.has(a.service))).toEqual([]);
      expect(duringRun.map((a) => a.id).sort()).toEqual([...reference.keys()].sort());
      // Every replay asked after a move started where it was asked: no partition went on
      // with a hole in its series (the topic keeps everything here).
      const skipped = processors.flatMap((p, i) =>
        p.stdout.includes('no longer on the bus') ? [i + 1] : [],
      );
      expect(skipped, 'processors that went on without replayed records').toEqual([]);
    } catch (err) {
      log();
      for (const [i, p] of processors.entries()) {
        const file = join(tmpdir(), `${harness.group}-${i + 1}.log`);
        writeFileSync(file, p.stdout);
        console.log(`processor ${i + 1}'s output: ${file}`);
      }
      throw err;
    }
    lap(`${duringRun.length} anomalies during the run, as the reference; ${afterRun.length} after it`);
    const published = await readPublished(harness);
    expect(published.filter((a) => Date.parse(a.start) < endOfData).every((a) => reference.has(a.id))).toBe(
      true,
    );
  }, 600_000);

  /**
   * Publishes keyed by service, one chunk at a time: a partition's engine judges its
   * services on one event-time clock, so each partition must hold them in time order.
   */
  async function publish(events: readonly LogEvent[]): Promise<void> {
    for (let i = 0; i < events.length; i += 20_000) {
      const records = events.slice(i, i + 20_000).map((event) => ({
        key: event.service.name,
        value: Buffer.from(JSON.stringify(event)),
      }));
      await harness.bus.publish(harness.topic, records);
    }
  }

  async function untilIndexed(count: number): Promise<void> {
    await waitFor(
      `${count} events indexed`,
      async () => {
        await harness.store.refresh();
        return harness.store.countLogs();
      },
      (n) => n >= count,
      240_000,
      500,
    );
  }

  /** Every record on the anomalies topic (each anomaly has several: opened, updated, closed). */
  async function readPublished(h: DetectionHarness): Promise<Anomaly[]> {
    const total = [...(await h.bus.consumerLag(h.anomaliesTopic, 'nobody')).values()].reduce(
      (a, b) => a + b,
      0,
    );
    const found: Anomaly[] = [];
    const subscription = await h.bus.subscribe({
      topic: h.anomaliesTopic,
      groupId: `${h.group}-reader`,
      fromBeginning: true,
      handleBatch: async (batch) => {
        for (const record of batch.records) found.push(JSON.parse(record.value.toString()) as Anomaly);
      },
    });
    await waitFor(
      'the anomalies topic read',
      async () => found.length,
      (n) => n >= total,
      60_000,
      200,
    );
    await subscription.stop();
    return found;
  }
});
