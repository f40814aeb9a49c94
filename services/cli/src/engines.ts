import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { AlerterEngines } from '@vigie/alerter';
import type { RunApiOptions } from '@vigie/api';
import type { LoadedConfig, Logger, VigieConfig } from '@vigie/common';
import { summarizeError } from '@vigie/common';
import { FileBus, SqliteAlertStore, SqliteStore } from '@vigie/embedded';
import type { ProcessorEngines } from '@vigie/processor';

const DAY_MS = 24 * 60 * 60 * 1000;

/** The engines `vigie all` hands its roles, and the one place that closes them. */
export interface AllInOneEngines {
  /** `embedded`, or `kafka+elasticsearch` where each role builds its own clients as alone. */
  kind: 'embedded' | 'kafka+elasticsearch';
  /** The configuration the roles run with (the embedded mode audits to the file only). */
  config: VigieConfig;
  processor: ProcessorEngines;
  collector: { bus?: ProcessorEngines['bus'] };
  alerter: AlerterEngines;
  api: Pick<RunApiOptions, 'search' | 'alerts'>;
  /** Closes the shared engines; call once every role has stopped. */
  close(): Promise<void>;
}

/**
 * Embedded engines when neither the file nor the environment names Kafka brokers or an
 * Elasticsearch URL (defaults do not count: they point at a local stack that may not
 * exist), else Kafka and Elasticsearch as the roles run alone.
 */
export async function allInOneEngines(loaded: LoadedConfig, logger: Logger): Promise<AllInOneEngines> {
  const { config } = loaded;
  if (loaded.isSet('kafka.brokers') || loaded.isSet('elasticsearch.url')) {
    logger.info(
      { brokers: config.kafka.brokers, elasticsearch: config.elasticsearch.url },
      'Engines: Kafka and Elasticsearch.',
    );
    return {
      kind: 'kafka+elasticsearch',
      config,
      processor: {},
      collector: {},
      alerter: {},
      api: {},
      close: async () => {},
    };
  }
  const { dataDir, maxAgeDays, maxBytes } = config.embedded;
  await mkdir(dataDir, { recursive: true });
  const bus = await FileBus.open({
    dataDir: join(dataDir, 'bus'),
    logger,
    retentionMs: maxAgeDays * DAY_MS,
    retentionBytes: maxBytes,
  });
  let store: SqliteStore;
  try {
    // Logs are written on a thread of their own: the event loop parses, detects and serves.
    store = new SqliteStore({ path: join(dataDir, 'vigie.db'), logWriterThread: true });
  } catch (err) {
    await bus.close();
    throw err;
  }
  const alerts = new SqliteAlertStore(store.db);
  store.startRetention({ maxAgeDays, maxBytes }, ({ result, error }) => {
    if (error !== undefined)
      logger.warn(
        { err: summarizeError(error) },
        'Retention of the embedded store failed; trying again later.',
      );
    else if (result && result.deletedEvents + result.deletedDeadLetters > 0)
      logger.info(
        { deletedEvents: result.deletedEvents, usedBytes: result.usedBytes },
        'Retention of the embedded store deleted old days.',
      );
  });
  logger.info(
    { dataDir: resolve(dataDir), maxAgeDays, maxBytes },
    'Engines: embedded (file bus and SQLite store); set kafka.brokers or elasticsearch.url for Kafka and Elasticsearch.',
  );
  return {
    kind: 'embedded',
    // Searches are audited to api.auditFile only: there is no Elasticsearch audit index.
    config: { ...config, api: { ...config.api, auditIndex: false } },
    processor: { bus, store },
    collector: { bus },
    alerter: { bus, search: store, alerts },
    api: { search: store, alerts },
    close: async () => {
      await bus.close();
      await alerts.close();
      await store.close();
    },
  };
}
