import type { LogEvent } from '@vigie/common';
import { NewPatternDetector, type NewPatternState } from './detectors/new-pattern.js';
import { type ActorState, SecurityDetector } from './detectors/security.js';
import { Breakdown, type BreakdownState } from './explain/breakdown.js';
import { ChangeLog } from './explain/changes.js';
import { routeTemplate } from './metrics/route.js';
import { type SeriesKey, SeriesState, type SeriesStateSnapshot } from './metrics/series-state.js';
import { type ChangeMarker, isError } from './model.js';
import type { DetectionOptions } from './options.js';

/** A service as kept in snapshots. */
export interface ServiceStateSnapshot {
  name: string;
  lastSeen: number;
  series: SeriesStateSnapshot[];
  breakdown: BreakdownState;
  patterns: NewPatternState;
  changes: { current?: string; markers: ChangeMarker[] };
  /** Security windows (failed logins, 4xx paths per actor); absent in older snapshots. */
  security?: ActorState[];
}

/** Everything detection keeps about one service. */
export class ServiceState {
  /** Series by key: '' for the service itself, `url.path\0route`, `host.name\0host`. */
  readonly series = new Map<string, SeriesState>();
  readonly breakdown: Breakdown;
  readonly patterns: NewPatternDetector;
  readonly security: SecurityDetector;
  readonly changes: ChangeLog;
  private readonly totalSeries: SeriesState;
  private readonly routes = new Map<string, SeriesState>();
  private readonly hosts = new Map<string, SeriesState>();
  /** Routes and hosts refused because the service already has `maxSeriesPerService`. */
  overflow = 0;

  constructor(
    readonly name: string,
    public lastSeen: number,
    private readonly options: DetectionOptions,
    snapshot?: ServiceStateSnapshot,
  ) {
    this.breakdown = new Breakdown(
      options.windowBuckets,
      options.breakdownHalfLifeBuckets,
      snapshot?.breakdown,
    );
    this.patterns = new NewPatternDetector(snapshot?.patterns, options.newPattern);
    this.security = new SecurityDetector(options.security, snapshot?.security);
    this.changes = new ChangeLog(snapshot?.changes);
    for (const series of snapshot?.series ?? []) {
      this.series.set(seriesId(series.key), new SeriesState(series.key, series.lastSeen, options, series));
    }
    if (!this.series.has('')) this.series.set('', new SeriesState({ service: name }, lastSeen, options));
    this.totalSeries = this.series.get('') as SeriesState;
  }

  /** The service-level series. */
  get total(): SeriesState {
    return this.series.get('') as SeriesState;
  }

  /** Forgets a route or host series (expired). */
  forget(id: string, series: SeriesState): void {
    this.series.delete(id);
    if (series.key.field === 'url.path') this.routes.delete(series.key.value ?? '');
    if (series.key.field === 'host.name') this.hosts.delete(series.key.value ?? '');
  }

  /** Counts one event into its buckets, breakdown, template miner and security windows. */
  add(id: string, event: LogEvent, time: number, bucketStart: number): void {
    this.lastSeen = time;
    this.changes.see(this.name, event.service.version, time);
    const error = isError(event);
    const route = event.url?.path !== undefined ? routeTemplate(event.url.path) : undefined;
    const host = event.host?.name;
    const total = this.totalSeries;
    total.lastSeen = time;
    total.bucket(bucketStart).add(id, event);
    const routeSeries = route !== undefined ? this.seriesFor('url.path', route, time) : undefined;
    const hostSeries = host !== undefined ? this.seriesFor('host.name', host, time) : undefined;
    routeSeries?.bucket(bucketStart).add(id, event);
    hostSeries?.bucket(bucketStart).add(id, event);

    const durationMs = event.event?.duration !== undefined ? event.event.duration / 1e6 : undefined;
    const slow = durationMs !== undefined && durationMs > total.latency.slowAboveMs;
    const breakdown = this.breakdown;
    // The series' own strings: a breakdown key outlives the event, and a fresh route
    // string per event would be promoted and dropped again every bucket.
    breakdown.add('url.path', routeSeries?.key.value ?? route, error, slow);
    breakdown.add('host.name', hostSeries?.key.value ?? host, error, slow);
    breakdown.add('http.response.status_code', event.http?.response?.status_code, error, slow);
    if (error) {
      breakdown.add('error.type', event.error?.type, error, slow);
      const template = this.patterns.addError(id, event, time);
      breakdown.add('template', template.template.slice(0, 200), error, slow);
    }
    this.security.add(id, event, time);
  }

  snapshot(): ServiceStateSnapshot {
    return {
      name: this.name,
      lastSeen: this.lastSeen,
      series: [...this.series.values()].map((s) => s.snapshot()),
      breakdown: this.breakdown.snapshot(),
      patterns: this.patterns.snapshot(),
      changes: this.changes.snapshot(),
      security: this.security.snapshot(),
    };
  }

  private seriesFor(field: 'url.path' | 'host.name', value: string, time: number): SeriesState | undefined {
    // By field, then value: no key string to build per event.
    const byValue = field === 'url.path' ? this.routes : this.hosts;
    let series = byValue.get(value);
    if (!series) {
      const key: SeriesKey = { service: this.name, field, value };
      const id = seriesId(key);
      series = this.series.get(id);
      if (series) byValue.set(value, series);
    }
    if (!series) {
      const key: SeriesKey = { service: this.name, field, value };
      const id = seriesId(key);
      if (this.series.size > this.options.maxSeriesPerService) {
        this.overflow++;
        return undefined;
      }
      series = new SeriesState(key, time, this.options);
      this.series.set(id, series);
      byValue.set(value, series);
    }
    series.lastSeen = time;
    return series;
  }
}

/** Map key of a series within its service. */
export function seriesId(key: SeriesKey): string {
  return key.field === undefined ? '' : `${key.field}\u0000${key.value}`;
}
