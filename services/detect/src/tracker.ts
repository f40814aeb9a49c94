import { createHash } from 'node:crypto';
import type { Verdict } from './detectors/verdict.js';
import { type Anomaly, type AnomalyKind, type Dimension, severityOf } from './model.js';

/** Hysteresis settings: open once, update while it lasts, close when back to normal. */
export interface TrackerOptions {
  /** Score at or above which an anomalous verdict opens an anomaly. */
  openScore: number;
  /** Score under which a window counts as normal again. */
  closeScore: number;
  /** Normal windows in a row before an open anomaly closes. */
  closeAfter: number;
  /** Re-publish an ongoing anomaly at most every this many ms unless its severity rises. */
  updateEveryMs: number;
}

/** Defaults of the anomaly tracker. */
export const TRACKER_DEFAULTS: TrackerOptions = {
  openScore: 0.5,
  closeScore: 0.25,
  closeAfter: 18,
  updateEveryMs: 60_000,
};

/** What an anomaly looks like before its explanation is written. */
export interface Candidate {
  kind: AnomalyKind;
  service: string;
  dimension: Dimension;
  verdict: Verdict;
  /** Event time of the evaluation (end of the window), epoch ms. */
  time: number;
}

/** Turns candidate anomalies into an explanation, contributors and query. */
export type Describe = (
  candidate: Candidate,
  start: number,
) => Pick<Anomaly, 'explanation' | 'query'> & Partial<Pick<Anomaly, 'contributors' | 'change'>>;

interface Tracked {
  anomaly: Anomaly;
  normalRun: number;
  lastPublished: number;
}

/** An open anomaly as stored in snapshots. */
export type TrackedState = Tracked;

/** Stable key of an anomaly's series. */
export function trackKey(kind: AnomalyKind, service: string, dimension: Dimension): string {
  return `${kind}\u0000${service}\u0000${dimension.field ?? ''}\u0000${dimension.value ?? ''}`;
}

/**
 * Keeps the open anomalies and decides when a verdict opens, updates or closes one.
 * Ids are a hash of the series and the start, so a replay produces the same id.
 */
export class AnomalyTracker {
  private readonly open = new Map<string, Tracked>();

  constructor(
    private readonly describe: Describe,
    private readonly options: TrackerOptions = TRACKER_DEFAULTS,
  ) {}

  isOpen(kind: AnomalyKind, service: string, dimension: Dimension): boolean {
    // Asked for every series at every bucket: no key to build while nothing is open.
    if (this.open.size === 0) return false;
    return this.open.has(trackKey(kind, service, dimension));
  }

  /** Open anomalies of one service and kind. */
  openOf(kind: AnomalyKind, service: string): Anomaly[] {
    const found: Anomaly[] = [];
    for (const tracked of this.open.values()) {
      if (tracked.anomaly.kind === kind && tracked.anomaly.service === service) found.push(tracked.anomaly);
    }
    return found;
  }

  /** Every open anomaly. */
  all(): Anomaly[] {
    return [...this.open.values()].map((t) => t.anomaly);
  }

  /** Applies one verdict; returns the anomaly record to publish, if any. */
  apply(candidate: Candidate): Anomaly | undefined {
    const key = trackKey(candidate.kind, candidate.service, candidate.dimension);
    const tracked = this.open.get(key);
    const { verdict, time } = candidate;
    if (!tracked) {
      if (!verdict.anomalous || verdict.score < this.options.openScore) return undefined;
      const start = time - verdict.windowMs;
      const anomaly = this.build(candidate, start, anomalyId(key, start));
      this.open.set(key, { anomaly, normalRun: 0, lastPublished: time });
      return anomaly;
    }
    const stillAnomalous = verdict.anomalous || verdict.score >= this.options.closeScore;
    if (!stillAnomalous) {
      tracked.normalRun++;
      if (tracked.normalRun < this.options.closeAfter) return undefined;
      this.open.delete(key);
      const closed: Anomaly = { ...tracked.anomaly, state: 'closed', end: iso(time), updated: iso(time) };
      return closed;
    }
    tracked.normalRun = 0;
    const previous = tracked.anomaly;
    const start = Date.parse(previous.start);
    const next = this.build(candidate, start, previous.id);
    // Keep the peak: an ongoing anomaly is described by its worst window.
    if (next.score < previous.score) {
      tracked.anomaly = { ...previous, updated: next.updated };
      return undefined;
    }
    tracked.anomaly = next;
    const louder = severityRank(next.severity) > severityRank(previous.severity);
    if (!louder && time - tracked.lastPublished < this.options.updateEveryMs) return undefined;
    tracked.lastPublished = time;
    return next;
  }

  /** Closes an anomaly whose series disappeared (expired), if open. */
  expire(kind: AnomalyKind, service: string, dimension: Dimension, time: number): Anomaly | undefined {
    const key = trackKey(kind, service, dimension);
    const tracked = this.open.get(key);
    if (!tracked) return undefined;
    this.open.delete(key);
    return { ...tracked.anomaly, state: 'closed', end: iso(time), updated: iso(time) };
  }

  snapshot(): TrackedState[] {
    return [...this.open.values()].map((t) => structuredClone(t));
  }

  restore(states: readonly TrackedState[]): void {
    this.open.clear();
    for (const state of states) {
      const { kind, service, dimension } = state.anomaly;
      this.open.set(trackKey(kind, service, dimension), structuredClone(state));
    }
  }

  private build(candidate: Candidate, start: number, id: string): Anomaly {
    const { verdict, time } = candidate;
    const described = this.describe(candidate, start);
    const anomaly: Anomaly = {
      id,
      kind: candidate.kind,
      service: candidate.service,
      dimension: candidate.dimension,
      state: 'open',
      start: iso(start),
      updated: iso(time),
      score: round(verdict.score),
      severity: severityOf(verdict.score),
      observed: verdict.observed,
      expected: verdict.expected,
      lower: verdict.lower,
      upper: verdict.upper,
      unit: verdict.unit,
      windowMs: verdict.windowMs,
      explanation: described.explanation,
      contributors: described.contributors ?? verdict.contributors ?? [],
      sampleEventIds: verdict.sampleEventIds,
      query: described.query,
    };
    if (described.change) anomaly.change = described.change;
    return anomaly;
  }
}

function anomalyId(key: string, start: number): string {
  return createHash('sha256').update(`${key}\u0000${start}`).digest('base64url').slice(0, 20);
}

function severityRank(severity: Anomaly['severity']): number {
  return severity === 'critical' ? 2 : severity === 'warning' ? 1 : 0;
}

function iso(time: number): string {
  return new Date(time).toISOString();
}

function round(score: number): number {
  return Math.round(score * 1000) / 1000;
}
