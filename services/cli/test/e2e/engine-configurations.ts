import { deletePrefix, ENGINES, uniqueName } from '@vigie/testkit';

/**
 * One way to run `vigie all`: the environment that selects its engines, the line it logs
 * when it picked them, and what to remove afterwards. `env` is called once per run and
 * gives that run names no other test uses; `cleanup` removes what that run left behind
 * outside its data folder (which the caller deletes).
 */
export interface EngineConfiguration {
  name: string;
  /** What `vigie all` logs once it chose these engines. */
  enginesLine: string;
  env(dataDir: string): Record<string, string>;
  cleanup(): Promise<void>;
}

/** No Kafka or Elasticsearch named anywhere: the file bus and SQLite under the data folder. */
export function embeddedConfiguration(): EngineConfiguration {
  return {
    name: 'embedded engines',
    enginesLine: 'Engines: embedded',
    env: (dataDir) => ({ VIGIE_EMBEDDED_DATA_DIR: `${dataDir}/embedded` }),
    cleanup: async () => {},
  };
}

/**
 * The shared Kafka and Elasticsearch, with topics, consumer groups and an index prefix of
 * the run's own. Topics are left on the broker (as the other integration tests leave
 * theirs); their unique names keep runs apart.
 */
export function kafkaElasticsearchConfiguration(): EngineConfiguration {
  const prefixes: string[] = [];
  return {
    name: 'Kafka and Elasticsearch',
    enginesLine: 'Engines: Kafka and Elasticsearch.',
    env: () => {
      const prefix = uniqueName('e2e');
      prefixes.push(prefix);
      return {
        VIGIE_KAFKA_BROKERS: ENGINES.kafkaBrokers.join(','),
        VIGIE_ELASTICSEARCH_URL: ENGINES.elasticsearchUrl,
        VIGIE_KAFKA_LOGS_TOPIC: `${prefix}-logs`,
        VIGIE_KAFKA_ANOMALIES_TOPIC: `${prefix}-anomalies`,
        // One service in the scenario: more partitions would only be more idle consumers.
        VIGIE_KAFKA_PARTITIONS: '3',
        VIGIE_PROCESSOR_GROUP_ID: `${prefix}-processor`,
        VIGIE_ALERTER_GROUP_ID: `${prefix}-alerter`,
        VIGIE_ELASTICSEARCH_INDEX_PREFIX: prefix,
      };
    },
    cleanup: async () => {
      for (const prefix of prefixes.splice(0)) await deletePrefix(prefix);
    },
  };
}
