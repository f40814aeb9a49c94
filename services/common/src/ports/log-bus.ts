/**
 * The message bus between collectors and processors, as Vigie needs it: keyed records
 * on partitioned topics, consumer groups, and offsets committed only when the consumer
 * says a batch is done. Kafka implements it (`@vigie/bus`); an embedded implementation
 * follows the same contract (see the contract tests in `testkit/`).
 */

/** A record to publish. Records with the same key keep their order. */
export interface BusRecord {
  key: string | null;
  value: Buffer;
  /** Creation time, epoch ms; stamped by the bus when absent and stable on every redelivery. */
  timestamp?: number;
}

/** A record read from the bus, with its position. */
export interface ConsumedRecord {
  key: string | null;
  value: Buffer;
  timestamp: number;
  /** Position in its partition, as a decimal string (64-bit). */
  offset: string;
}

/** Consecutive records of one partition, handed to the consumer together. */
export interface RecordBatch {
  topic: string;
  partition: number;
  records: ConsumedRecord[];
}

/** What a batch handler is told while it works on a batch. */
export interface BatchContext {
  /**
   * Aborted when the partition is taken away or the subscription stops: stop retrying
   * then; the new owner replays the batch. The bus keeps the membership alive meanwhile.
   */
  signal: AbortSignal;
  /**
   * Asks for this partition's records again from `offset`, an offset before this batch's
   * first: nothing of this batch is committed, batches fetched after it are dropped, and
   * delivery resumes at `offset`, or at the oldest record the bus still holds if that one
   * is gone (the next batch then starts later than asked). Resolve the handler right
   * after calling it. For a consumer whose own state was saved behind the group's
   * committed offset (detection snapshots) and must see the records in between again.
   */
  replayFrom(offset: string): void;
}

/** What a subscription needs. */
export interface SubscribeOptions {
  topic: string;
  groupId: string;
  /**
   * Handles one batch. The batch's offsets are committed only after the promise
   * resolves. When it rejects, nothing of the batch is committed and the same records
   * are delivered again after a pause. Batches of one partition reach the handler one
   * at a time, in order; an implementation may fetch the next ones meanwhile.
   */
  handleBatch(batch: RecordBatch, context: BatchContext): Promise<void>;
  /** Partitions handled at the same time (default 1). */
  concurrency?: number;
  /** Upper bound of the bytes fetched from one partition at once. */
  maxBytesPerPartition?: number;
  /** Where a group with no committed offset starts: the oldest record (default) or new ones only. */
  fromBeginning?: boolean;
  /**
   * Called whenever the partitions this member holds change (it joined the group, or a
   * rebalance moved some), with those it holds now. A consumer with state per partition
   * lets go of the moved ones at once instead of noticing later.
   */
  onAssigned?(partitions: number[]): void;
}

/** A running consumer-group member. */
export interface Subscription {
  /** Leaves the group after the batches in progress end; idempotent. */
  stop(): Promise<void>;
  /** Partitions currently assigned to this member. */
  assignedPartitions(): number[];
}

/** The bus port. */
export interface LogBus {
  /** Checks that the bus answers; throws an `UnavailableError` otherwise. */
  healthcheck(): Promise<void>;
  /** Creates the topic with that many partitions if it does not exist; never shrinks one. */
  ensureTopic(topic: string, partitions: number): Promise<void>;
  /** Resolves once every record is durably stored (acknowledged by all in-sync replicas). */
  publish(topic: string, records: BusRecord[]): Promise<void>;
  /**
   * Records of each partition not yet committed by the group (all of them when the
   * group never committed), by partition number.
   */
  consumerLag(topic: string, groupId: string): Promise<Map<number, number>>;
  /** Joins the consumer group and starts handing batches to `handleBatch`. */
  subscribe(options: SubscribeOptions): Promise<Subscription>;
  /** Stops every subscription and producer; idempotent, safe without a prior call. */
  close(): Promise<void>;
}
