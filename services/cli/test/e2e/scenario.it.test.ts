import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Anomaly, Incident, LogEvent } from '@vigie/common';
import { PagerDutyPeer, waitFor } from '@vigie/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import {
  END,
  INCIDENT_AT,
  isCheckoutSpike,
  MINUTE,
  START,
  scenarioEvents,
} from '../../../processor/test/support/checkout-scenario.js';
import {
  type EngineConfiguration,
  embeddedConfiguration,
  kafkaElasticsearchConfiguration,
} from './engine-configurations.js';
import { expectSearchShowsSpike } from './spike-search.js';
import { VigieAll } from './vigie-all.js';

// The user's path through `vigie all`, on each engine configuration: logs posted to the
// collector's HTTP intake → the processor finds the error spike → the search API finds
// the lines behind it → the alerter pages PagerDuty, and resolves once traffic is normal.
// The scenario is a history sent with its own event times (January 2026): a quiet quarter
// of an hour on `checkout`, 3 minutes at 20 % errors on POST /api/checkout, then calm.

const ROUTING_KEY = 'E2eScenarioKeyE2eScenarioKey1234';
/** Calm traffic after the spike, long enough for the detector to close its anomaly (3 minutes). */
const AFTER_END = END + 6 * MINUTE;
const EVENTS = scenarioEvents(AFTER_END);
const timeOf = (event: LogEvent) => Date.parse(event['@timestamp']);
/** Sent first: history and spike. The calm traffic after it is sent once the page is out. */
const UP_TO_SPIKE_END = EVENTS.filter((event) => timeOf(event) < END);
const AFTER_SPIKE = EVENTS.filter((event) => timeOf(event) >= END);
const RANGE = { from: new Date(START).toISOString(), to: new Date(AFTER_END).toISOString() };

interface PagerDutyEvent {
  event_action: string;
  dedup_key?: string;
  payload?: { summary: string };
  links?: Array<{ href: string }>;
}

/** The alerting section of the config file: PagerDuty for `checkout`, quick to resolve. */
function alerting(peer: PagerDutyPeer) {
  return {
    resolveAfterMs: 2000,
    receivers: [
      {
        name: 'pd',
        type: 'pagerduty',
        routingKey: ROUTING_KEY,
        url: peer.eventsUrl,
        rateLimitPerMinute: 600,
        timeoutMs: 5000,
      },
    ],
    routes: [{ match: { service: ['checkout'] }, receivers: ['pd'], continue: false }],
    delivery: {
      // The peer listens on loopback over http, which receivers refuse by default.
      allowHttp: true,
      allowedNetworks: ['127.0.0.1/32'],
      retryMinMs: 200,
      retryMaxMs: 1000,
      pollMs: 100,
      breakerCooldownMs: 500,
    },
  };
}

describe.each([embeddedConfiguration(), kafkaElasticsearchConfiguration()])(
  'vigie all end to end on $name',
  (configuration: EngineConfiguration) => {
    const dir = mkdtempSync(join(tmpdir(), 'vigie-e2e-'));
    const cleanups: Array<() => Promise<unknown>> = [];
    afterAll(async () => {
      for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
      await configuration.cleanup();
      rmSync(dir, { recursive: true, force: true });
    });

    it('ingests a history over HTTP, detects its error spike, finds the lines behind it, pages PagerDuty and resolves', async ({
      onTestFailed,
    }) => {
      const began = Date.now();
      const steps: string[] = [];
      const step = (name: string) => steps.push(`${name} at ${((Date.now() - began) / 1000).toFixed(1)} s`);

      const peer = await new PagerDutyPeer({ routingKey: ROUTING_KEY }).start();
      cleanups.push(() => peer.stop());
      const vigie = await VigieAll.start(configuration, dir, alerting(peer));
      cleanups.push(() => vigie.stop());
      onTestFailed(() => console.log(`Steps: ${steps.join(', ')}\n${vigie.outputTail()}`));
      expect(vigie.process.stdout).toContain(configuration.enginesLine);
      step('started');

      // Ingest: every POST acknowledged with all its events accepted (ingest() throws otherwise).
      await vigie.ingest(UP_TO_SPIKE_END);
      step(`ingested ${UP_TO_SPIKE_END.length} events`);

      // Detect: the spike on the route it hit, within the spike, and nothing before it.
      const spikeSearch = { ...RANGE, service: 'checkout', kind: 'error_spike' };
      const anomaly = (
        await waitFor(
          'the error spike in /api/anomalies',
          async () => (await vigie.get<{ anomalies: Anomaly[] }>('/api/anomalies', spikeSearch)).anomalies,
          (anomalies) => anomalies.some(isCheckoutSpike),
          60_000,
          250,
        )
      ).find(isCheckoutSpike) as Anomaly;
      step('anomaly listed');
      expect(anomaly).toMatchObject({ kind: 'error_spike', service: 'checkout', state: 'open' });
      expect(anomaly.dimension).toEqual({ field: 'url.path', value: '/api/checkout' });
      const windowStart = Date.parse(anomaly.start);
      expect(windowStart).toBeGreaterThanOrEqual(INCIDENT_AT - 30_000);
      expect(windowStart).toBeLessThan(END);
      expect(Date.parse(anomaly.updated)).toBeGreaterThanOrEqual(INCIDENT_AT);
      const everything = await vigie.get<{ anomalies: Anomaly[] }>('/api/anomalies', {
        ...RANGE,
        service: 'checkout',
      });
      for (const found of everything.anomalies)
        expect(
          Date.parse(found.start),
          `no anomaly in the quiet history: ${found.explanation}`,
        ).toBeGreaterThanOrEqual(INCIDENT_AT - 30_000);

      // Alert: PagerDuty paged for checkout, with a link to the incident.
      const trigger = (
        await waitFor(
          'the PagerDuty trigger',
          async () => peer.accepted.map((request) => request.json as PagerDutyEvent),
          (events) => events.length > 0,
          30_000,
          100,
        )
      )[0];
      step('paged');
      expect(trigger?.event_action).toBe('trigger');
      expect(trigger?.payload?.summary).toMatch(/checkout/);
      expect(trigger?.links?.[0]?.href).toContain('#/incidents?incident=');

      // Search: the lines behind the anomaly, exactly those sent (spike-search.ts).
      const figures = await expectSearchShowsSpike(vigie, anomaly, UP_TO_SPIKE_END);
      step('searched');

      // The spike is not over for Vigie until calm traffic shows it: still one open incident.
      const open = await vigie.get<{ incidents: Incident[] }>('/api/incidents', { service: 'checkout' });
      expect(open.incidents.map((incident) => [incident.status, incident.dedupKey])).toEqual([
        ['open', trigger?.dedup_key],
      ]);
      expect(peer.accepted.map((request) => (request.json as PagerDutyEvent).event_action)).not.toContain(
        'resolve',
      );

      // Calm traffic after the spike: the anomaly closes, the incident resolves, PagerDuty hears it.
      await vigie.ingest(AFTER_SPIKE);
      step(`ingested ${AFTER_SPIKE.length} more events`);
      const pages = await waitFor(
        'the PagerDuty resolve',
        async () => peer.accepted.map((request) => request.json as PagerDutyEvent),
        (events) => events.some((event) => event.event_action === 'resolve'),
        60_000,
        100,
      );
      step('resolved');
      expect(new Set(pages.map((event) => event.dedup_key))).toEqual(new Set([trigger?.dedup_key]));
      const incidents = await vigie.get<{ incidents: Incident[] }>('/api/incidents', { service: 'checkout' });
      expect(incidents.incidents.map((incident) => [incident.status, incident.dedupKey])).toEqual([
        ['resolved', trigger?.dedup_key],
      ]);
      const closed = await vigie.get<{ anomaly: Anomaly }>(
        `/api/anomalies/${encodeURIComponent(anomaly.id)}`,
      );
      expect(closed.anomaly.state).toBe('closed');
      expect(Date.parse(closed.anomaly.end ?? '')).toBeGreaterThanOrEqual(END);

      expect(await vigie.stop()).toBe(0);
      step('stopped');
      console.log(
        `vigie all on ${configuration.name}: ${steps.join(', ')}; ${vigie.retriedPosts} POSTs retried after 429/503; ` +
          `anomaly ${anomaly.start} to ${closed.anomaly.end}, ${figures.errorsInWindow} error lines ` +
          `of ${figures.eventsInWindow} in its window when paged`,
      );
    }, 150_000);
  },
);
