import type { BucketMetric } from '@vigie/common';
import type { Verdict } from './detectors/verdict.js';
import { describeChange } from './explain/changes.js';
import { drilldownQuery, explanation } from './explain/describe.js';
import { MetricOutbox } from './metrics/metric.js';
import {
  type Anomaly,
  type AnomalyKind,
  type ChangeMarker,
  type Contributor,
  type DetectionInput,
  eventTime,
} from './model.js';
import { DETECTION_DEFAULTS, type DetectionOptions } from './options.js';
import { ServiceState, type ServiceStateSnapshot } from './service-state.js';
import { AnomalyTracker, type Candidate, type TrackedState } from './tracker.js';

/** Version of the engine snapshot format; restore refuses other versions. */
export const ENGINE_SNAPSHOT_VERSION = 1;

/** The whole detection state, as plain JSON. */
export interface EngineSnapshot {
  version: typeof ENGINE_SNAPSHOT_VERSION;
  /** Buckets starting before this are closed, epoch ms. */
  closedUpTo: number | null;
  maxTime: number | null;
  services: ServiceStateSnapshot[];
  open: TrackedState[];
}

/** What detection produced since the last `drain()`. */
export interface DetectionOutput {
  anomalies: Anomaly[];
  metrics: BucketMetric[];
}

/** Counters for the processor's metrics. */
export interface EngineStats {
  services: number;
  series: number;
  openAnomalies: number;
  lateEvents: number;
}

/**
 * Detection over a stream of log events, in event time: events are counted into
 * buckets per service, route and host; when the watermark (latest event time minus the
 * allowed lateness) passes a bucket, every series closes it and its detectors judge the
 * window; the tracker turns verdicts into anomalies. Pure: time comes from the events
 * (or `advanceTo`), and the state goes out as `snapshot()`.
 */
export class DetectionEngine {
  private readonly services = new Map<string, ServiceState>();
  private readonly tracker: AnomalyTracker;
  private closedUpTo: number | undefined;
  private maxTime: number | undefined;
  private lateEvents = 0;
  private outbox: DetectionOutput = { anomalies: [], metrics: [] };
  /** Metrics wait as numbers until drained (see `MetricOutbox`); `outbox.metrics` stays empty. */
  private readonly metrics = new MetricOutbox();

  constructor(
    private readonly options: DetectionOptions = DETECTION_DEFAULTS,
    snapshot?: EngineSnapshot,
  ) {
    this.tracker = new AnomalyTracker((candidate, start) => this.describe(candidate, start), options.tracker);
    if (!snapshot) return;
    if (snapshot.version !== ENGINE_SNAPSHOT_VERSION) {
      throw new Error(
        `detection snapshot version ${String(snapshot.version)} is not ${ENGINE_SNAPSHOT_VERSION}`,
      );
    }
    this.closedUpTo = snapshot.closedUpTo ?? undefined;
    this.maxTime = snapshot.maxTime ?? undefined;
    for (const service of snapshot.services) {
      this.services.set(service.name, new ServiceState(service.name, service.lastSeen, options, service));
    }
    this.tracker.restore(snapshot.open);
  }

  /** Counts one event; closes the buckets its time lets the watermark pass. */
  ingest(input: DetectionInput, time = eventTime(input.event)): void {
    if (!Number.isFinite(time)) return;
    const { bucketMs } = this.options;
    const bucketStart = time - (time % bucketMs);
    this.closedUpTo ??= bucketStart;
    if (bucketStart < this.closedUpTo) {
      this.lateEvents++;
      return;
    }
    const name = input.event.service.name;
    let service = this.services.get(name);
    if (!service) {
      service = new ServiceState(name, time, this.options);
      this.services.set(name, service);
    }
    service.add(input.id, input.event, time, bucketStart);
    if (this.maxTime === undefined || time > this.maxTime) {
      this.maxTime = time;
      this.advanceTo(time);
    }
  }

  /** Moves event time forward without an event (e.g. when every service is silent). */
  advanceTo(time: number): void {
    const { bucketMs, allowedLatenessMs } = this.options;
    if (this.closedUpTo === undefined) return;
    while (this.closedUpTo + bucketMs + allowedLatenessMs <= time) {
      this.closeBucket(this.closedUpTo);
      this.closedUpTo += bucketMs;
    }
  }

  /** A deploy marker posted to the API: anomalies soon after it say so. */
  addDeploy(marker: ChangeMarker): void {
    const service = this.services.get(marker.service);
    if (service) service.changes.add(marker);
    else {
      const created = new ServiceState(marker.service, marker.at, this.options);
      created.changes.add(marker);
      this.services.set(marker.service, created);
    }
  }

  /** Anomaly records and bucket metrics produced since the last call. */
  drain(): DetectionOutput {
    const out = this.outbox;
    this.outbox = { anomalies: [], metrics: [] };
    out.metrics = this.metrics.drain();
    return out;
  }

  /** Open anomalies. */
  openAnomalies(): Anomaly[] {
    return this.tracker.all();
  }

  /** Events that came after their bucket closed, since the engine started. */
  get lateEventCount(): number {
    return this.lateEvents;
  }

  stats(): EngineStats {
    let series = 0;
    for (const service of this.services.values()) series += service.series.size;
    return {
      services: this.services.size,
      series,
      openAnomalies: this.tracker.all().length,
      lateEvents: this.lateEvents,
    };
  }

  snapshot(): EngineSnapshot {
    return {
      version: ENGINE_SNAPSHOT_VERSION,
      closedUpTo: this.closedUpTo ?? null,
      maxTime: this.maxTime ?? null,
      services: [...this.services.values()].map((s) => s.snapshot()),
      open: this.tracker.snapshot(),
    };
  }

  private closeBucket(start: number): void {
    const { bucketMs, windowBuckets } = this.options;
    const end = start + bucketMs;
    for (const service of this.services.values()) {
      const candidates: Candidate[] = [];
      const name = service.name;
      const isOpen = (kind: AnomalyKind, field?: string, value?: string) =>
        this.tracker.isOpen(kind, name, field === undefined ? {} : { field, value });
      // Routes and hosts first: a spike on one route is reported on the route, not twice.
      const ordered = [...service.series.values()].sort(
        (a, b) => (b.key.field ? 1 : 0) - (a.key.field ? 1 : 0),
      );
      for (const series of ordered) {
        const { field, value } = series.key;
        const dimension = field === undefined ? {} : { field, value };
        const bucket = series.close(start, windowBuckets);
        const window = series.recent;
        const errorOpen = isOpen('error_spike', field, value);
        const errors = series.errorSpike.evaluate(window, bucketMs);
        if (!errorOpen && !errors.anomalous) series.errorSpike.learn(bucket);
        const latency = series.latency.evaluate(window, bucketMs, end, !isOpen('latency', field, value));
        candidates.push({ kind: 'error_spike', service: name, dimension, verdict: errors, time: end });
        candidates.push({ kind: 'latency', service: name, dimension, verdict: latency, time: end });
        let volumeVerdict: Verdict | undefined;
        if (series.volume) {
          const volumeOpen = isOpen('volume_high') || isOpen('volume_low');
          const volume = series.volume.evaluate(window, bucketMs, end, !volumeOpen);
          volumeVerdict = volume;
          const quiet: Verdict = { ...volume, anomalous: false, score: 0 };
          const high = volume.direction === 'high';
          candidates.push({
            kind: 'volume_high',
            service: name,
            dimension,
            verdict: high ? volume : quiet,
            time: end,
          });
          candidates.push({
            kind: 'volume_low',
            service: name,
            dimension,
            verdict: high ? quiet : volume,
            time: end,
          });
        }
        if (field === undefined || bucket.count > 0) {
          this.metrics.push(series.key, bucket, bucketMs, errors, latency, volumeVerdict);
        }
      }
      for (const { template, verdict } of service.patterns.evaluate(end)) {
        candidates.push({
          kind: 'new_pattern',
          service: name,
          dimension: { field: 'template', value: template.id },
          verdict,
          time: end,
        });
      }
      for (const found of service.security.evaluate(end, (kind, field, actor) =>
        isOpen(kind, field, actor),
      )) {
        candidates.push({
          kind: found.kind,
          service: name,
          dimension: { field: found.field, value: found.actor },
          verdict: found.verdict,
          time: end,
        });
      }
      this.dedupe(candidates, service);
      const anyOpen = this.tracker.all().some((a) => a.service === name);
      service.breakdown.close(!anyOpen);
      for (const candidate of candidates) {
        const anomaly = this.tracker.apply(candidate);
        if (anomaly) this.outbox.anomalies.push(anomaly);
      }
      this.expire(service, end);
    }
  }

  /**
   * One incident, one anomaly: a service-level error spike or latency anomaly is dropped
   * while one of its routes or hosts has one, and routes and hosts do not both report
   * the same incident: the field that concentrates the excess (a slow route is slow on
   * every host; a bad host fails on every route) keeps it.
   */
  private dedupe(candidates: Candidate[], service: ServiceState): void {
    const measures = { error_spike: 'errors', latency: 'slow' } as const;
    for (const kind of ['error_spike', 'latency'] as const) {
      const active = (c: Candidate) =>
        c.kind === kind && (c.verdict.anomalous || this.tracker.isOpen(kind, c.service, c.dimension));
      const fields = new Set(
        candidates.filter((c) => active(c) && c.dimension.field).map((c) => c.dimension.field),
      );
      if (fields.size === 0) continue;
      let drop: string | undefined;
      if (fields.size > 1) {
        const rows = service.breakdown.contributors(
          measures[kind],
          this.options.windowBuckets,
          ['url.path', 'host.name'],
          50,
        );
        const topShare = (field: string) =>
          Math.max(0, ...rows.filter((r) => r.field === field).map((r) => r.share));
        drop = topShare('host.name') > topShare('url.path') ? 'url.path' : 'host.name';
      }
      for (const candidate of candidates) {
        if (candidate.kind !== kind) continue;
        const field = candidate.dimension.field;
        const open = this.tracker.isOpen(kind, candidate.service, candidate.dimension);
        if (field === undefined || (field === drop && !open)) {
          candidate.verdict = {
            ...candidate.verdict,
            anomalous: false,
            score: open ? candidate.verdict.score : 0,
          };
        }
      }
    }
  }

  private expire(service: ServiceState, time: number): void {
    const { seriesIdleMs, serviceIdleMs } = this.options;
    for (const [id, series] of service.series) {
      if (id === '' || time - series.lastSeen < seriesIdleMs || series.openCount > 0) continue;
      service.forget(id, series);
      for (const kind of ['error_spike', 'latency'] as const) {
        const closed = this.tracker.expire(
          kind,
          service.name,
          { field: series.key.field, value: series.key.value },
          time,
        );
        if (closed) this.outbox.anomalies.push(closed);
      }
    }
    if (time - service.lastSeen >= serviceIdleMs) {
      this.services.delete(service.name);
      for (const anomaly of this.tracker.all().filter((a) => a.service === service.name)) {
        const closed = this.tracker.expire(anomaly.kind, anomaly.service, anomaly.dimension, time);
        if (closed) this.outbox.anomalies.push(closed);
      }
    }
  }

  private describe(
    candidate: Candidate,
    start: number,
  ): Pick<Anomaly, 'explanation' | 'query'> & { contributors: Contributor[]; change?: ChangeMarker } {
    const service = this.services.get(candidate.service);
    const buckets = Math.max(1, Math.round(candidate.verdict.windowMs / this.options.bucketMs));
    let contributors: Contributor[] = candidate.verdict.contributors ?? [];
    let template: string | undefined;
    if (service) {
      if (candidate.kind === 'error_spike')
        contributors = service.breakdown.contributors('errors', buckets, undefined, 20);
      if (candidate.kind === 'latency') {
        contributors = service.breakdown.contributors('slow', buckets, ['url.path', 'host.name'], 20);
      }
      if (candidate.kind === 'volume_high' || candidate.kind === 'volume_low') {
        contributors = service.breakdown.contributors('count', buckets, [
          'url.path',
          'host.name',
          'http.response.status_code',
        ]);
      }
      if (candidate.kind === 'new_pattern') {
        template = service.patterns.templateText(candidate.dimension.value ?? '');
        if (template !== undefined) {
          contributors = [
            {
              field: 'template',
              value: template,
              observed: candidate.verdict.observed,
              expected: 0,
              share: 1,
            },
          ];
        }
      }
    }
    contributors = dimensionFirst(contributors, candidate).slice(0, 5);
    if (candidate.dimension.field === 'source.ip' || candidate.dimension.field === 'user.name') {
      contributors = [
        {
          field: candidate.dimension.field,
          value: candidate.dimension.value ?? '',
          observed: candidate.verdict.observed,
          expected: candidate.verdict.expected,
          share: 1,
        },
      ];
    }
    const change = service?.changes.before(start);
    const sentence = explanation(candidate, contributors, change ? describeChange(change, start) : undefined);
    const described: Pick<Anomaly, 'explanation' | 'query'> & {
      contributors: Contributor[];
      change?: ChangeMarker;
    } = {
      explanation: sentence,
      query: drilldownQuery(candidate, template),
      contributors,
    };
    if (change) described.change = change;
    return described;
  }
}

/** A route or host anomaly lists its own route or host first, then what else stands out. */
function dimensionFirst(contributors: Contributor[], candidate: Candidate): Contributor[] {
  const { field, value } = candidate.dimension;
  if (field === undefined) return contributors;
  const own = contributors.findIndex((c) => c.field === field && c.value === value);
  if (own <= 0) return contributors;
  return [contributors[own] as Contributor, ...contributors.filter((_, i) => i !== own)];
}
