import { KafkaBus, kafkaConnectionFromConfig } from '@vigie/bus';
import type { DetectionStore, LogBus, Logger, LogStore, VigieConfig } from '@vigie/common';
import { createRegistry, DEFAULT_OPS_PORTS, startRoleOps } from '@vigie/common';
import { ElasticsearchRetention, ElasticsearchStore } from '@vigie/storage';
import { createProcessorMetrics } from './metrics.js';
import { Processor } from './processor.js';

/** A running processor role and the way to stop it. */
export interface RunningProcessor {
  processor: Processor;
  /** Address of the ops endpoints, e.g. `http://127.0.0.1:9464`. */
  opsUrl: string;
  /** Settles once the processor joined the group (it waits for Kafka and the storage first). */
  started: Promise<void>;
  stop(): Promise<void>;
}

/** Engines handed to `runProcessor` by their owner, who also closes them (`vigie all`). */
export interface ProcessorEngines {
  bus?: LogBus;
  store?: LogStore & DetectionStore;
}

/**
 * Wires the processor role with its ops endpoints, on the engines given or else on Kafka
 * and Elasticsearch from the configuration.
 */
export async function runProcessor(
  config: VigieConfig,
  logger: Logger,
  engines: ProcessorEngines = {},
): Promise<RunningProcessor> {
  const registry = createRegistry({ role: 'processor' });
  const bus =
    engines.bus ??
    new KafkaBus({
      ...kafkaConnectionFromConfig(config.kafka),
      clientId: config.kafka.clientId,
      logger,
    });
  const topic = config.kafka.logsTopic;
  const metrics = createProcessorMetrics(registry, async () => ({
    topic,
    lag: await bus.consumerLag(topic, config.processor.groupId),
  }));
  const store = engines.store ?? new ElasticsearchStore({ ...config.elasticsearch, logger });
  const processor = new Processor({ config, bus, store, logger, metrics });
  // Each processor runs one retention job on the Elasticsearch it writes to (see retention.ts).
  const retention =
    engines.store || !config.elasticsearch.retention.enabled
      ? undefined
      : new ElasticsearchRetention({ ...config.elasticsearch, logger, registry });
  const ops = await startRoleOps({
    ops: config.ops,
    defaultPort: DEFAULT_OPS_PORTS.processor,
    registry,
    readiness: () => processor.readiness(),
    logger,
  });
  const { opsUrl } = ops;
  const started = processor.start();
  retention?.start();

  let stopping: Promise<void> | undefined;
  return {
    processor,
    opsUrl,
    started,
    stop: () => {
      stopping ??= (async () => {
        await Promise.all([processor.stop(), retention?.stop()]);
        await started.catch(() => undefined);
        await Promise.allSettled([
          ...(engines.bus ? [] : [bus.close()]),
          ...(engines.store ? [] : [store.close()]),
          ops.close(),
        ]);
      })();
      return stopping;
    },
  };
}
