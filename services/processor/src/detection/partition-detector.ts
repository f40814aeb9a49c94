import { type Anomaly, type BucketMetric, DEPLOY_DATASET, type LogEvent } from '@vigie/common';
import {
  DETECTION_DEFAULTS,
  DetectionEngine,
  type DetectionOptions,
  type EngineSnapshot,
  parseEventTime,
} from '@vigie/detect';

/** One log event of a partition with its offset and when its record was produced. */
export interface PartitionEvent {
  id: string;
  offset: bigint;
  event: LogEvent;
  /** The bus record's time, epoch ms. */
  recordTime: number;
}

/**
 * How far ahead of its record's time an event may claim to be. Event times come from
 * producers: one event from 2099 would otherwise close every bucket up to 2099 and
 * expire every baseline. Events from the past are only late (counted, not harmful).
 */
export const MAX_FUTURE_SKEW_MS = 5 * 60_000;

/**
 * The detection engine of one partition and where it stands in it. Services are keyed
 * to partitions, so a partition's engine sees every event of its services, in order.
 */
export class PartitionDetector {
  /** Offset of the last record the engine took in; -1 before any. */
  lastOffset: bigint;
  /** Wall-clock ms of the last event taken in, for the idle advance. */
  lastEventWall = 0;
  /**
   * Wall-clock ms of the last snapshot saved. A cold engine has none, so it saves at its
   * first flush, before that batch is committed: any offset the group committed then has
   * a snapshot at or behind it, and a partition that moves on early is replayed from that
   * snapshot instead of being picked up by a cold engine mid-stream.
   */
  lastSnapshotWall: number;
  /** Output drained from the engine and not yet written. */
  pending: { anomalies: Anomaly[]; metrics: BucketMetric[] } = { anomalies: [], metrics: [] };
  private lastEventTime: number | undefined;
  private idleAdvanced = 0;
  private readonly engine: DetectionEngine;
  private pendingLate = 0;

  constructor(options: DetectionOptions, now: number, snapshot?: { engine: EngineSnapshot; offset: bigint }) {
    this.engine = new DetectionEngine(options, snapshot?.engine);
    this.lastOffset = snapshot?.offset ?? -1n;
    this.lastSnapshotWall = snapshot ? now : Number.NEGATIVE_INFINITY;
  }

  /**
   * Takes in events after `lastOffset` (earlier ones are already in the state), then
   * stands at `batchEnd` when given: the batch's last record, which may carry no event.
   */
  ingest(events: readonly PartitionEvent[], now: number, batchEnd?: bigint): void {
    this.takeIn(events, now);
    if (batchEnd !== undefined && batchEnd > this.lastOffset) this.lastOffset = batchEnd;
  }

  private takeIn(events: readonly PartitionEvent[], now: number): void {
    for (const { id, offset, event, recordTime } of events) {
      if (offset <= this.lastOffset) continue;
      this.lastOffset = offset;
      const claimed = parseEventTime(event['@timestamp']);
      const time = claimed > recordTime + MAX_FUTURE_SKEW_MS ? recordTime : claimed;
      if (event.event?.dataset === DEPLOY_DATASET && event.service.version) {
        this.engine.addDeploy({
          service: event.service.name,
          version: event.service.version,
          at: time,
          source: 'deploy',
        });
        continue;
      }
      const before = this.engine.lateEventCount;
      this.engine.ingest({ id, event }, time);
      this.pendingLate += this.engine.lateEventCount - before;
      if (this.lastEventTime === undefined || time > this.lastEventTime) this.lastEventTime = time;
      this.lastEventWall = now;
      this.idleAdvanced = 0;
    }
  }

  /** Whether no event came for `idleMs` (the engine has taken some in before). */
  isIdle(now: number, idleMs: number): boolean {
    return this.lastEventTime !== undefined && now - this.lastEventWall >= idleMs;
  }

  /**
   * Without events for `idleMs`, event time follows the wall clock from the last event,
   * so buckets keep closing and a service that went silent is noticed.
   */
  advanceIfIdle(now: number, idleMs: number): boolean {
    if (this.lastEventTime === undefined || !this.isIdle(now, idleMs)) return false;
    const elapsed = now - this.lastEventWall;
    if (elapsed - this.idleAdvanced < 1_000) return false;
    this.idleAdvanced = elapsed;
    this.engine.advanceTo(this.lastEventTime + elapsed);
    return true;
  }

  /** Anomaly records and metrics produced since the last call, and late events counted. */
  drain(): { anomalies: Anomaly[]; metrics: BucketMetric[]; late: number } {
    const out = this.engine.drain();
    const late = this.pendingLate;
    this.pendingLate = 0;
    return { ...out, late };
  }

  stats() {
    return this.engine.stats();
  }

  snapshot(): EngineSnapshot {
    return this.engine.snapshot();
  }
}

/** Detection options from the processor config. */
export function detectionOptions(config: {
  bucketSeconds: number;
  allowedLatenessSeconds: number;
}): DetectionOptions {
  return {
    ...DETECTION_DEFAULTS,
    bucketMs: config.bucketSeconds * 1000,
    allowedLatenessMs: config.allowedLatenessSeconds * 1000,
  };
}
