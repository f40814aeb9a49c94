import type { BusRecord, LogBus, Logger, SubscribeOptions, Subscription } from '@vigie/common';
import { UnavailableError } from '@vigie/common';
import {
  type Admin,
  CompressionTypes,
  Kafka,
  type KafkaConfig,
  Partitioners,
  type Producer,
  type RetryOptions,
} from 'kafkajs';
import { type KafkaConnection, kafkajsConnection, kafkaRefusal } from './connection.js';
import { KafkaSubscription } from './kafka-subscription.js';
import { kafkaLogLevel, pinoLogCreator } from './log-creator.js';

/** Payload bytes sent in one produce request; below the broker's default 1 MiB batch limit. */
const MAX_REQUEST_BYTES = 512 * 1024;

/** Cuts records into consecutive slices of at most `maxBytes` of keys and values (at least one record each). */
export function slicesOf(records: BusRecord[], maxBytes: number): BusRecord[][] {
  const slices: BusRecord[][] = [];
  let current: BusRecord[] = [];
  let bytes = 0;
  for (const record of records) {
    const size = record.value.length + (record.key?.length ?? 0);
    if (current.length > 0 && bytes + size > maxBytes) {
      slices.push(current);
      current = [];
      bytes = 0;
    }
    current.push(record);
    bytes += size;
  }
  if (current.length > 0) slices.push(current);
  return slices;
}

/** Broker answers telling that the producer's sequence numbers no longer match its own. */
const PRODUCER_STATE_ERRORS = new Set([
  'OUT_OF_ORDER_SEQUENCE_NUMBER',
  'UNKNOWN_PRODUCER_ID',
  'INVALID_PRODUCER_EPOCH',
  'INVALID_PRODUCER_ID_MAPPING',
]);

function isProducerStateError(err: unknown): boolean {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const type = (e as { type?: unknown }).type;
    if (typeof type === 'string' && PRODUCER_STATE_ERRORS.has(type)) return true;
  }
  return false;
}

/** How the producer behind `publish` sends; the defaults suit the processor. */
export interface KafkaProducerOptions {
  /** Compression of each produce request (default `none`). */
  compression?: 'none' | 'gzip';
  /**
   * Kafka drops the copies that the producer's retries would write (one request in
   * flight per broker), including those of a failed publish that the caller repeats
   * with the same records, in the same order, before publishing anything else.
   */
  idempotent?: boolean;
  /** Retries of a failing send before `publish` rejects (default 5). */
  retries?: number;
  /** Longest wait between two retries, ms (default 30000); bounds how long `publish` can take to fail. */
  maxRetryTimeMs?: number;
}

/** How to reach the Kafka cluster: its brokers, with TLS and SASL when set (`kafkaConnectionFromConfig`). */
export interface KafkaBusOptions extends KafkaConnection {
  clientId: string;
  logger: Logger;
  /** Producer settings of `publish`. */
  producer?: KafkaProducerOptions;
}

/**
 * `LogBus` on Apache Kafka through kafkajs: the only module of Vigie that knows kafkajs.
 * Producers wait for all in-sync replicas (acks=-1); consumers commit an offset only
 * after the batch handler resolved. Refused credentials and an untrusted broker
 * certificate reject as `EngineAuthError`, which callers do not retry.
 */
export class KafkaBus implements LogBus {
  private readonly kafka: Kafka;
  private readonly logger: Logger;
  private readonly producerOptions: KafkaProducerOptions;
  private producer: Promise<Producer> | undefined;
  private admin: Promise<Admin> | undefined;
  private readonly subscriptions = new Set<KafkaSubscription>();
  private readonly connection: KafkaConnection;

  constructor(options: KafkaBusOptions) {
    this.logger = options.logger.child({ component: 'kafka' });
    this.producerOptions = options.producer ?? {};
    this.connection = options;
    const config: KafkaConfig = {
      clientId: options.clientId,
      brokers: options.brokers,
      logLevel: kafkaLogLevel(this.logger.level),
      logCreator: pinoLogCreator(this.logger),
      connectionTimeout: 3000,
      requestTimeout: 30000,
      retry: { initialRetryTime: 300, retries: 8 },
      ...kafkajsConnection(options),
    };
    this.kafka = new Kafka(config);
  }

  async healthcheck(): Promise<void> {
    try {
      const admin = await this.connectedAdmin();
      await admin.describeCluster();
    } catch (err) {
      throw kafkaRefusal(err, this.connection) ?? new UnavailableError('Kafka', err);
    }
  }

  async ensureTopic(topic: string, partitions: number): Promise<void> {
    const admin = await this.connectedAdmin();
    // Asking first keeps kafkajs from logging an error for a topic that already exists.
    if (!(await admin.listTopics()).includes(topic)) {
      await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
      return;
    }
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    const existing = metadata.topics[0]?.partitions.length ?? 0;
    if (existing < partitions) {
      this.logger.warn(
        { topic, existing, wanted: partitions },
        'Topic exists with fewer partitions; left as is.',
      );
    }
  }

  async publish(topic: string, records: BusRecord[]): Promise<void> {
    if (records.length === 0) return;
    const pending = this.connectedProducer();
    const producer = await pending;
    const compression =
      this.producerOptions.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None;
    try {
      // A broker refuses a request whose batch for one partition exceeds
      // message.max.bytes (1 MiB by default): send large publishes in slices.
      for (const slice of slicesOf(records, MAX_REQUEST_BYTES)) {
        await producer.send({
          topic,
          acks: -1,
          compression,
          messages: slice.map((record) => ({
            key: record.key,
            value: record.value,
            timestamp: String(record.timestamp ?? Date.now()),
          })),
        });
      }
    } catch (err) {
      // An idempotent producer numbers its records per partition and numbers them again
      // the same after a failure, so that the broker drops the copy of a send it wrote
      // but could not acknowledge (when the caller sends the same records again). When
      // the broker refuses those numbers, a new producer starts a fresh sequence.
      if (this.producerOptions.idempotent && this.producer === pending && isProducerStateError(err)) {
        this.producer = undefined;
        await producer.disconnect().catch(() => undefined);
      }
      throw kafkaRefusal(err, this.connection) ?? err;
    }
  }

  async consumerLag(topic: string, groupId: string): Promise<Map<number, number>> {
    const admin = await this.connectedAdmin();
    const [ends, committed] = await Promise.all([
      admin.fetchTopicOffsets(topic),
      admin.fetchOffsets({ groupId, topics: [topic] }),
    ]);
    const committedByPartition = new Map(
      committed[0]?.partitions.map((p) => [p.partition, BigInt(p.offset)]) ?? [],
    );
    const lag = new Map<number, number>();
    for (const end of ends) {
      const done = committedByPartition.get(end.partition) ?? -1n;
      // -1 means the group never committed here: everything from the oldest record is to do.
      const from = done < 0n ? BigInt(end.low) : done;
      lag.set(end.partition, Number(BigInt(end.high) - from));
    }
    return lag;
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    const subscription = new KafkaSubscription(
      this.kafka,
      options,
      this.logger,
      () => this.subscriptions.delete(subscription),
      async (topic, partition) => {
        const offsets = await (await this.connectedAdmin()).fetchTopicOffsets(topic);
        return offsets.find((o) => o.partition === partition)?.low ?? '0';
      },
    );
    this.subscriptions.add(subscription);
    try {
      await subscription.start();
    } catch (err) {
      throw kafkaRefusal(err, this.connection) ?? err;
    }
    return subscription;
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    const producer = this.producer;
    const admin = this.admin;
    this.producer = undefined;
    this.admin = undefined;
    await Promise.allSettled([producer?.then((p) => p.disconnect()), admin?.then((a) => a.disconnect())]);
  }

  private connectedProducer(): Promise<Producer> {
    if (!this.producer) {
      const { idempotent = false, retries, maxRetryTimeMs } = this.producerOptions;
      // Without a bound kafkajs retries an idempotent producer's sends forever.
      const retry: RetryOptions = { retries: retries ?? 5 };
      if (maxRetryTimeMs !== undefined) retry.maxRetryTime = maxRetryTimeMs;
      const producer = this.kafka.producer({
        createPartitioner: Partitioners.DefaultPartitioner,
        allowAutoTopicCreation: false,
        idempotent,
        // Kafka keeps the order of an idempotent producer's retries only with one request in flight.
        ...(idempotent ? { maxInFlightRequests: 1 } : {}),
        retry,
      });
      this.producer = producer.connect().then(
        () => producer,
        (err: unknown) => Promise.reject(kafkaRefusal(err, this.connection) ?? err),
      );
      this.producer.catch(() => {
        this.producer = undefined;
      });
    }
    return this.producer;
  }

  private connectedAdmin(): Promise<Admin> {
    if (!this.admin) {
      const admin = this.kafka.admin();
      this.admin = admin.connect().then(
        () => admin,
        (err: unknown) => Promise.reject(kafkaRefusal(err, this.connection) ?? err),
      );
      this.admin.catch(() => {
        this.admin = undefined;
      });
    }
    return this.admin;
  }
}
