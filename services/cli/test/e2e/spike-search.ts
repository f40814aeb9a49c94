import type { Anomaly, LogEvent } from '@vigie/common';
import { waitFor } from '@vigie/testkit';
import { expect } from 'vitest';
import type { VigieAll } from './vigie-all.js';

const timeOf = (event: LogEvent) => Date.parse(event['@timestamp']);
const isError = (event: LogEvent) => event.log?.level === 'error' || event.log?.level === 'fatal';
const isServerError = (event: LogEvent) => (event.http?.response?.status_code ?? 0) >= 500;
/** Each generated request has its own trace id: the sorted list names the events exactly. */
const traceIds = (events: LogEvent[]) => events.map((event) => event.trace?.id ?? '(none)').sort();

/** What the search step found, for the run's summary. */
export interface SpikeSearchFigures {
  eventsInWindow: number;
  errorsInWindow: number;
}

/**
 * What an SRE paged for `anomaly` sees through the search API, checked against the events
 * `sent`: within the anomaly's window (start to end, or to its latest update while open),
 * the error lines of its service found by a service + level query are exactly those sent;
 * the anomaly's own drill-down query finds exactly the failed requests of its route; the
 * histogram and the top routes of the error lines count the same.
 */
export async function expectSearchShowsSpike(
  vigie: VigieAll,
  anomaly: Anomaly,
  sent: LogEvent[],
): Promise<SpikeSearchFigures> {
  const windowStart = Date.parse(anomaly.start);
  const windowEnd = Date.parse(anomaly.end ?? anomaly.updated);
  const from = new Date(windowStart).toISOString();
  const to = new Date(windowEnd).toISOString();
  const inWindow = sent.filter(
    (event) =>
      event.service.name === anomaly.service && timeOf(event) >= windowStart && timeOf(event) <= windowEnd,
  );
  const errors = inWindow.filter(isError);
  expect(errors.length, 'the window holds the spike').toBeGreaterThan(20);

  // The anomaly can be raised while the end of its window is still on its way to the
  // store (on Kafka + Elasticsearch the processor indexes in batches behind the intake):
  // what is searchable catches up with what was acknowledged, then must equal it exactly.
  const histogramOf = (q: string) =>
    vigie.get<{ total: number; buckets: { levels: Record<string, number> }[] }>('/api/histogram', {
      q,
      from,
      to,
      interval: '10s',
    });
  await waitFor(
    "the window's events indexed",
    () => histogramOf(`service.name:"${anomaly.service}"`),
    (histogram) => histogram.total >= inWindow.length,
    60_000,
    500,
  );

  const byLevel = `service.name:"${anomaly.service}" AND log.level:error`;
  const found = await vigie.searchAll(byLevel, from, to);
  expect(found.total).toBe(errors.length);
  expect(traceIds(found.events)).toEqual(traceIds(errors));

  const route = anomaly.dimension.value;
  const failedOnRoute = inWindow.filter(
    (event) => event.url?.path === route && (isError(event) || isServerError(event)),
  );
  const drilledDown = await vigie.searchAll(anomaly.query, from, to);
  expect(drilledDown.total).toBe(failedOnRoute.length);
  expect(traceIds(drilledDown.events)).toEqual(traceIds(failedOnRoute));

  const histogram = await histogramOf(`service.name:"${anomaly.service}"`);
  expect(histogram.total).toBe(inWindow.length);
  expect(histogram.buckets.reduce((sum, bucket) => sum + (bucket.levels.error ?? 0), 0)).toBe(errors.length);

  const routes = await vigie.get<{ total: number; values: { value: string; count: number }[] }>(
    '/api/fields/url.path/top',
    { q: byLevel, from, to },
  );
  expect(routes.total).toBe(errors.length);
  expect(routes.values[0]).toEqual({
    value: route,
    count: errors.filter((event) => event.url?.path === route).length,
  });
  return { eventsInWindow: inWindow.length, errorsInWindow: errors.length };
}
