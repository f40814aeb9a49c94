import type { Anomaly, DetectionStore, LogBus, Logger, VigieConfig } from '@vigie/common';
import { summarizeError } from '@vigie/common';
import type { EngineSnapshot } from '@vigie/detect';
import type { Indexer } from '../indexing/indexer.js';
import type { ProcessorMetrics } from '../metrics.js';
import {
  type PartitionDetector as Detector,
  detectionOptions,
  PartitionDetector,
  type PartitionEvent,
} from './partition-detector.js';

/** What the detection stage works with. */
export interface DetectionStageOptions {
  config: VigieConfig;
  store: DetectionStore;
  bus: LogBus;
  indexer: Indexer;
  logger: Logger;
  metrics: ProcessorMetrics;
  /**
   * Partitions this member owns now, undefined before it joined its group. A partition's
   * engine is dropped once its partition is no longer listed: another member continues it
   * from the snapshot, and a stale copy here must not write anything for those services.
   */
  ownedPartitions?: () => readonly number[] | undefined;
  /**
   * Records of each partition not yet committed by the group. The idle advance only runs
   * on partitions with none: records waiting (a backlog, a rebalance, a slow store) mean
   * the services are late, not silent.
   */
  backlog?: () => Promise<Map<number, number>>;
  /** Wall clock; a parameter so tests can drive it. */
  now?: () => number;
}

/**
 * The processor's detection: one engine per partition, fed after the partition's batch
 * is indexed. Anomalies go to the store and the anomalies topic, metrics to the store,
 * all before the batch's offsets are committed; the engine state is saved at a cold
 * engine's first batch and then every `snapshotSeconds`, with the offset it includes, and
 * restored when a partition starts here (after a restart, or when it moves here from
 * another processor), the records between that offset and the group's commit replayed.
 * A partition that moves away is released: its engine is dropped, so nothing here writes
 * for services another member now reads.
 */
export class DetectionStage {
  private readonly detectors = new Map<number, Detector>();
  private readonly chains = new Map<number, Promise<unknown>>();
  /** Partitions whose replay was asked and whose replayed batch has not come yet. */
  private readonly replaying = new Set<number>();
  private readonly logger: Logger;
  private readonly now: () => number;
  private ticker: NodeJS.Timeout | undefined;

  constructor(private readonly options: DetectionStageOptions) {
    this.logger = options.logger.child({ component: 'detection' });
    this.now = options.now ?? Date.now;
  }

  async start(): Promise<void> {
    await this.options.store.setupDetection();
    await this.options.bus.ensureTopic(
      this.options.config.kafka.anomaliesTopic,
      this.options.config.kafka.partitions,
    );
    const idleMs = this.options.config.detection.idleSeconds * 1000;
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = setInterval(() => void this.tick(idleMs), Math.min(5_000, idleMs));
    this.ticker.unref();
  }

  /** Writes what every partition's engine produced and saves its state; the stage can be dropped after. */
  async stop(): Promise<void> {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = undefined;
    await Promise.allSettled([...this.detectors.keys()].map((partition) => this.release(partition)));
  }

  /**
   * Lets go of a partition that moved to another member (or of every partition on stop)
   * and drops its engine. The state is saved unless the store holds a newer one (the new
   * owner may be ahead by now) or the engine holds output not written yet: that output is
   * not written either, since the new owner may have moved the same anomalies on already;
   * it replays from the last snapshot and produces it itself (anomaly ids are derived
   * from the series and the start). Best effort: a failure only means a longer replay.
   */
  private release(partition: number): Promise<void> {
    return this.serialize(partition, async () => {
      const detector = this.detectors.get(partition);
      if (!detector) return;
      this.detectors.delete(partition);
      this.replaying.delete(partition);
      const drained = detector.drain();
      const { pending } = detector;
      const unwritten =
        drained.anomalies.length + drained.metrics.length + pending.anomalies.length + pending.metrics.length;
      const offset = detector.lastOffset.toString();
      if (unwritten > 0) {
        this.logger.info(
          { partition, offset },
          'Detection state dropped with unwritten output; replayed by the next owner.',
        );
        return;
      }
      try {
        const stored = await this.options.store.loadState(this.stateKey(partition));
        if (stored === undefined || BigInt(stored.offset) < detector.lastOffset)
          await this.save(partition, detector);
        this.logger.info({ partition, offset }, 'Detection state released.');
      } catch (err) {
        this.logger.warn(
          { err: summarizeError(err), partition },
          'Could not save detection state on release.',
        );
      }
    });
  }

  /**
   * Where `partition` must be read again from before the batch starting at `firstOffset`
   * can be taken in; undefined when the batch follows on from the engine's state. The
   * state is loaded first when the partition is new here or after a gap (it may have been
   * elsewhere meanwhile: its newer state is in the store). If the group committed past
   * that state (the processor died between two snapshots, or the previous owner did), the
   * records in between were indexed but never reached this engine: they are asked again,
   * once per restore. The bus drops what it fetched before the replay, so the next batch
   * starts at the asked offset, or later only when retention deleted the records in
   * between: that batch is taken in as it is, with a warning.
   */
  replayPoint(partition: number, firstOffset: bigint): Promise<string | undefined> {
    return this.serialize(partition, async () => {
      let detector = this.detectors.get(partition);
      const replayed = this.replaying.delete(partition);
      if (!detector || (!replayed && isGap(detector, firstOffset))) detector = await this.load(partition);
      if (!isGap(detector, firstOffset)) return undefined;
      if (replayed) {
        // The bus delivers replayed records from the oldest it still holds: retention
        // deleted the ones in between, and detection goes on without them.
        this.logger.warn(
          { partition, from: (detector.lastOffset + 1n).toString(), batchStart: firstOffset.toString() },
          'Records asked for replay are no longer on the bus; detection skips them.',
        );
        return undefined;
      }
      this.replaying.add(partition);
      const from = detector.lastOffset + 1n;
      this.options.metrics.detectionReplays.inc();
      this.logger.info(
        { partition, from: from.toString(), batchStart: firstOffset.toString() },
        'Detection state is behind the committed offset: replaying the records in between.',
      );
      return from.toString();
    });
  }

  /**
   * Takes in the events of one batch of `partition`, in offset order; `lastOffset` is the
   * batch's last record (dead letters have no event but count as taken in). The processor
   * calls it while the batch is being indexed (the CPU work overlaps Elasticsearch's), then
   * `flush` once the batch is indexed. If indexing fails, the batch comes again and the
   * events already taken in are skipped by offset.
   */
  ingest(partition: number, events: PartitionEvent[], lastOffset: bigint): Promise<void> {
    return this.serialize(partition, async () => {
      const detector = this.detectors.get(partition) ?? (await this.load(partition));
      this.replaying.delete(partition);
      detector.ingest(events, this.now(), lastOffset);
    });
  }

  /** Writes what the partition's engine produced, before the batch's offsets are committed. */
  flush(partition: number, signal: AbortSignal): Promise<void> {
    return this.serialize(partition, async () => {
      const detector = this.detectors.get(partition);
      if (!detector) return;
      await this.write(detector, signal);
      if (this.now() - detector.lastSnapshotWall >= this.options.config.detection.snapshotSeconds * 1000) {
        // A failed save only means a longer replay after a crash: never fail the batch for it.
        await this.save(partition, detector).catch((err: unknown) =>
          this.logger.warn(
            { err: summarizeError(err), partition },
            'Could not save detection state; retried later.',
          ),
        );
      }
    });
  }

  /**
   * Lets go of the partitions this member no longer owns (`owned`, or those the
   * `ownedPartitions` option gives). The processor calls it when the bus reports a
   * rebalance, so the old owner stops writing for moved services at once; the ticker
   * calls it too, in case a report was missed.
   */
  releaseMoved(owned = this.options.ownedPartitions?.()): void {
    if (!owned) return;
    for (const partition of this.detectors.keys()) {
      if (!owned.includes(partition)) void this.release(partition);
    }
  }

  private async tick(idleMs: number): Promise<void> {
    this.releaseMoved();
    const idle = [...this.detectors].filter(([, detector]) => detector.isIdle(this.now(), idleMs));
    if (idle.length === 0) return;
    const backlog = await this.options.backlog?.().catch(() => undefined);
    if (this.options.backlog && !backlog) return;
    for (const [partition, detector] of idle) {
      // The engine may have been released or replaced while the backlog was asked.
      if (this.detectors.get(partition) !== detector || (backlog?.get(partition) ?? 0) > 0) continue;
      if (!detector.advanceIfIdle(this.now(), idleMs)) continue;
      void this.serialize(partition, () => this.write(detector, new AbortController().signal)).catch(
        (err: unknown) =>
          this.logger.warn(
            { err: summarizeError(err), partition },
            'Idle detection flush failed; retried on the next tick.',
          ),
      );
    }
  }

  private async load(partition: number): Promise<Detector> {
    const { config, store, metrics } = this.options;
    const options = detectionOptions(config.detection);
    const saved = await store.loadState(this.stateKey(partition)).catch((err: unknown) => {
      this.logger.warn(
        { err: summarizeError(err), partition },
        'Could not read detection state; starting cold.',
      );
      return undefined;
    });
    let detector: Detector;
    try {
      detector = saved
        ? new PartitionDetector(options, this.now(), {
            engine: JSON.parse(saved.state) as EngineSnapshot,
            offset: BigInt(saved.offset),
          })
        : new PartitionDetector(options, this.now());
      metrics.stateRestores.inc({ outcome: saved ? 'restored' : 'cold' });
    } catch (err) {
      this.logger.error(
        { err: summarizeError(err), partition },
        'Detection state unreadable; starting cold.',
      );
      metrics.stateRestores.inc({ outcome: 'unreadable' });
      detector = new PartitionDetector(options, this.now());
    }
    if (saved) this.logger.info({ partition, offset: saved.offset }, 'Detection state restored.');
    this.detectors.set(partition, detector);
    return detector;
  }

  /**
   * Writes what the engine produced. Output that could not be written stays pending and
   * goes first next time: the events behind it are already in the engine and will be
   * skipped when the batch is delivered again.
   */
  private async write(detector: Detector, signal: AbortSignal): Promise<void> {
    const { store, bus, indexer, metrics, config } = this.options;
    const drained = detector.drain();
    metrics.lateEvents.inc(drained.late);
    const stats = detector.stats();
    metrics.openAnomalies.set(stats.openAnomalies);
    metrics.detectionSeries.set(stats.series);
    const pending = detector.pending;
    pending.metrics.push(...drained.metrics);
    pending.anomalies.push(...drained.anomalies);
    if (pending.metrics.length > 0) {
      await indexer.settle('metrics', pending.metrics, (docs) => store.writeMetrics(docs), signal);
      pending.metrics = [];
    }
    if (pending.anomalies.length === 0) return;
    const anomalies = pending.anomalies;
    const refused = await indexer.settle(
      'anomalies',
      anomalies,
      (docs) => store.writeAnomalies(docs),
      signal,
    );
    for (const { doc, reason } of refused) {
      this.logger.error({ anomaly: doc.id, reason }, 'Anomaly refused by the storage.');
    }
    await bus.publish(config.kafka.anomaliesTopic, anomalies.map(toRecord));
    pending.anomalies = [];
    for (const anomaly of anomalies) {
      metrics.anomalies.inc({ kind: anomaly.kind, state: anomaly.state });
      this.logger.info(
        {
          anomaly: anomaly.id,
          kind: anomaly.kind,
          service: anomaly.service,
          state: anomaly.state,
          score: anomaly.score,
        },
        'Anomaly.',
      );
    }
  }

  private async save(partition: number, detector: Detector): Promise<void> {
    // The state includes the events behind unwritten output: saving it now would lose that output.
    if (detector.pending.anomalies.length > 0 || detector.pending.metrics.length > 0) return;
    const state = JSON.stringify(detector.snapshot());
    await this.options.store.saveState(this.stateKey(partition), {
      state,
      offset: detector.lastOffset.toString(),
      savedAt: this.now(),
    });
    detector.lastSnapshotWall = this.now();
  }

  private stateKey(partition: number): string {
    const { config } = this.options;
    return `${config.processor.groupId}/${config.kafka.logsTopic}/${partition}`;
  }

  private serialize<T>(partition: number, work: () => Promise<T>): Promise<T> {
    const previous = this.chains.get(partition) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(work);
    this.chains.set(partition, next);
    return next;
  }
}

/** Whether records between the engine's state and `firstOffset` are missing from it. */
function isGap(detector: Detector, firstOffset: bigint): boolean {
  return detector.lastOffset >= 0n && firstOffset > detector.lastOffset + 1n;
}

function toRecord(anomaly: Anomaly) {
  return { key: anomaly.service, value: Buffer.from(JSON.stringify(anomaly)) };
}
