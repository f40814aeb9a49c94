import { hostname } from 'node:os';
import { join } from 'node:path';
import { KafkaBus, kafkaConnectionFromConfig } from '@vigie/bus';
import type { Component, LogBus, Logger, VigieConfig } from '@vigie/common';
import { ConfigError, createRegistry, DEFAULT_OPS_PORTS, startRoleOps, summarizeError } from '@vigie/common';
import type { LineFormat, SourceContext } from './model.js';
import { parseLine } from './parse/index.js';
import { CollectorPipeline } from './pipeline.js';
import { createRedactor } from './redact/index.js';
import { KafkaEventSink } from './sink/index.js';
import { DemoSource } from './sources/demo/index.js';
import { FileSource } from './sources/file/index.js';
import { HttpSource } from './sources/http/index.js';
import { StdinSource } from './sources/stdin/index.js';
import { SyslogSource } from './sources/syslog/index.js';

/** How `vigie collector` was asked to run, beyond the configuration. */
export interface CollectorRunOptions {
  /**
   * Read stdin instead of the configured sources (`some-app | vigie collector --stdin
   * --service NAME`); `inputEnded` settles when it is read and delivered.
   */
  stdin?: { service: string; format?: LineFormat };
  /** The bus to send to, owned (and closed) by the caller; Kafka from the configuration otherwise. */
  bus?: LogBus;
}

/** A running collector role and the way to stop it. */
export interface RunningCollector {
  /** Address of the ops endpoints. */
  opsUrl: string;
  /** Resolves when a finite input (stdin) has been read and delivered. */
  inputEnded: Promise<void> | undefined;
  /**
   * Settles once the logs topic was checked or created, or Kafka did not answer (the
   * spool then takes the events); rejects with an `EngineAuthError` when Kafka refused
   * the credentials or its certificate is not trusted, which no wait fixes.
   */
  kafkaChecked: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Wires the collector role: its configured sources → parse → redact → Kafka (with the
 * on-disk spool while Kafka is away), plus the ops endpoints.
 */
export async function runCollector(
  config: VigieConfig,
  logger: Logger,
  options: CollectorRunOptions = {},
): Promise<RunningCollector> {
  const settings = config.collector;
  const registry = createRegistry({ role: 'collector' });
  const bus =
    options.bus ??
    new KafkaBus({
      ...kafkaConnectionFromConfig(config.kafka),
      clientId: `${config.kafka.clientId}-collector`,
      logger,
      // kafkajs's own retries would take a minute to fail; the sink spools long before that.
      producer: { compression: settings.compression, idempotent: true, retries: 5, maxRetryTimeMs: 2000 },
    });
  const sink = new KafkaEventSink({
    bus,
    topic: config.kafka.logsTopic,
    spoolDir: join(settings.dataDir, 'spool'),
    spoolMaxBytes: settings.spoolMaxBytes,
    logger,
    registry,
  });
  const pipeline = new CollectorPipeline({
    sink,
    parse: parseLine,
    redact: createRedactor({ ...settings.redaction, registry }),
    registry,
    // The workers build the same parser and redactor from the same settings.
    ...(settings.parseWorkers !== 0 && {
      workers: {
        config: { redaction: settings.redaction },
        ...(settings.parseWorkers !== undefined && { size: settings.parseWorkers }),
      },
    }),
  });
  const context: SourceContext = {
    sink: pipeline,
    logger,
    registry,
    hostName: settings.hostName ?? hostname(),
  };
  // Not awaited: Kafka may be away at start, and the spool takes the events until it is back.
  const kafkaChecked = bus
    .ensureTopic(config.kafka.logsTopic, config.kafka.partitions)
    .catch((err: unknown) => {
      if (err instanceof ConfigError) throw err;
      logger.warn({ err: summarizeError(err) }, 'Could not create or check the logs topic yet.');
    });
  kafkaChecked.catch(() => undefined);

  const sources: Component[] = [];
  let stdin: StdinSource | undefined;
  const configured = !options.stdin;
  if (configured && settings.files.length > 0) {
    sources.push(
      new FileSource({
        files: settings.files,
        dataDir: settings.dataDir,
        maxLineBytes: settings.maxLineBytes,
        ...context,
      }),
    );
  }
  if (configured && settings.syslog.enabled) {
    sources.push(
      new SyslogSource({
        host: settings.syslog.host,
        port: settings.syslog.port,
        maxLineBytes: settings.maxLineBytes,
        ...(settings.syslog.service !== undefined && { service: settings.syslog.service }),
        ...context,
      }),
    );
  }
  if (configured && settings.http.enabled) {
    sources.push(
      new HttpSource({
        host: settings.http.host,
        port: settings.http.port,
        maxBodyBytes: settings.http.maxBodyBytes,
        defaultService: settings.service,
        ...(settings.http.token !== undefined && { token: settings.http.token }),
        ...context,
      }),
    );
  }
  if (configured && settings.demo) {
    sources.push(new DemoSource({ stateFile: join(settings.dataDir, 'demo-state.json'), ...context }));
  }
  if (options.stdin) {
    stdin = new StdinSource({
      input: process.stdin,
      service: options.stdin.service,
      maxLineBytes: settings.maxLineBytes,
      ...(options.stdin.format !== undefined && { format: options.stdin.format }),
      ...context,
    });
    sources.push(stdin);
  }

  const ops = await startRoleOps({
    ops: config.ops,
    defaultPort: DEFAULT_OPS_PORTS.collector,
    registry,
    // Ready even while Kafka is away or refuses the collector: the spool takes the events.
    readiness: () => {
      const kafka = sink.kafkaStatus();
      return {
        ready: true,
        checks: {
          sources: String(sources.length),
          kafka: kafka.reason ? `${kafka.state}: ${kafka.reason}` : kafka.state,
        },
      };
    },
    logger,
  });
  const { opsUrl } = ops;

  await sink.start();
  await pipeline.start();
  for (const source of sources) await source.start();
  logger.info({ sources: sources.length }, 'Collector started.');

  let stopping: Promise<void> | undefined;
  return {
    opsUrl,
    inputEnded: stdin?.done(),
    kafkaChecked,
    stop: () => {
      stopping ??= (async () => {
        // Sources first, so that what they read still reaches Kafka or the spool.
        for (const source of [...sources].reverse()) await source.stop();
        await pipeline.stop();
        await sink.stop();
        await Promise.allSettled([...(options.bus ? [] : [bus.close()]), ops.close()]);
      })();
      return stopping;
    },
  };
}
