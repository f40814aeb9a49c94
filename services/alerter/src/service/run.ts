import { randomUUID } from 'node:crypto';
import { KafkaBus, kafkaConnectionFromConfig } from '@vigie/bus';
import type { AlertStore, LogBus, Logger, LogSearch, VigieConfig } from '@vigie/common';
import { createRegistry, DEFAULT_OPS_PORTS, startRoleOps, summarizeError } from '@vigie/common';
import { ElasticsearchAlertStore, ElasticsearchStore } from '@vigie/storage';
import { requireValidAlerterConfig } from '../config-check.js';
import { createSafeHttpClient, Dispatcher } from '../delivery/index.js';
import { createReceiver } from '../receivers/index.js';
import { RuleEvaluator } from '../rules/index.js';
import { Alerter } from './alerter.js';
import { IncidentFlow } from './incident-flow.js';
import { ruleJob } from './rule-job.js';

/** A running alerter role and the way to stop it. */
export interface RunningAlerter {
  alerter: Alerter;
  /** Address of the ops endpoints, e.g. `http://127.0.0.1:9466`. */
  opsUrl: string;
  /** Settles once the alerter joined its group (it waits for Kafka and the storage first). */
  started: Promise<void>;
  stop(): Promise<void>;
}

/** Engines handed to `runAlerter` by their owner, who also closes them (`vigie all`). */
export interface AlerterEngines {
  bus?: LogBus;
  search?: LogSearch;
  alerts?: AlertStore;
}

/**
 * Wires the alerter role with its ops endpoints, on the engines given or else on Kafka
 * and Elasticsearch from the configuration.
 */
export async function runAlerter(
  config: VigieConfig,
  logger: Logger,
  engines: AlerterEngines = {},
): Promise<RunningAlerter> {
  for (const warning of requireValidAlerterConfig(config.alerter)) logger.warn(warning);
  const registry = createRegistry({ role: 'alerter' });
  const bus =
    engines.bus ??
    new KafkaBus({
      ...kafkaConnectionFromConfig(config.kafka),
      clientId: config.kafka.clientId,
      logger,
    });
  // Only what this function built is closed on stop; injected engines are their owner's.
  const owned: Array<{ close(): Promise<void> }> = [];
  const own = <T extends { close(): Promise<void> }>(engine: T): T => {
    owned.push(engine);
    return engine;
  };
  const search = engines.search ?? own(new ElasticsearchStore({ ...config.elasticsearch, logger }));
  const store = engines.alerts ?? own(new ElasticsearchAlertStore({ ...config.elasticsearch, logger }));
  const flow = new IncidentFlow({ store, search, config: config.alerter, logger });
  const receivers = new Map(
    config.alerter.receivers.map((receiver) => [receiver.name, createReceiver(receiver)]),
  );
  const http = createSafeHttpClient({
    allowHttp: config.alerter.delivery.allowHttp,
    allowedNetworks: config.alerter.delivery.allowedNetworks,
  });
  const dispatcher = new Dispatcher({
    store,
    receivers,
    http,
    config: config.alerter.delivery,
    rateLimits: new Map(config.alerter.receivers.map((r) => [r.name, r.rateLimitPerMinute])),
    timeouts: new Map(config.alerter.receivers.map((r) => [r.name, r.timeoutMs])),
    owner: `alerter-${randomUUID()}`,
    logger,
    registry,
  });
  const rules = new RuleEvaluator({
    search,
    listRules: () => store.listRules(),
    // Rule anomalies that incidents still hold open: the evaluator closes those that no
    // current run continues (rule deleted or run ended while the alerter was down).
    heldAnomalies: async () =>
      (await store.listIncidents({ status: 'active', limit: 1000 })).flatMap((incident) =>
        incident.anomalies
          .filter((anomaly) => anomaly.kind === 'log_rule' && anomaly.state === 'open')
          .map((anomaly) => ({ service: incident.service, anomaly })),
      ),
    onRuleError: (rule, err) =>
      logger.warn(
        { rule: rule.id, name: rule.name, err: summarizeError(err) },
        'Log alert rule not evaluated.',
      ),
  });
  const alerter = new Alerter({
    config,
    bus,
    store,
    flow,
    jobs: [dispatcher, ruleJob({ rules, flow, everyMs: config.alerter.rulesIntervalMs, logger })],
    logger,
  });
  const ops = await startRoleOps({
    ops: config.ops,
    defaultPort: DEFAULT_OPS_PORTS.alerter,
    registry,
    readiness: () => alerter.readiness(),
    logger,
  });
  const { opsUrl } = ops;
  const started = alerter.start();

  let stopping: Promise<void> | undefined;
  return {
    alerter,
    opsUrl,
    started,
    stop: () => {
      stopping ??= (async () => {
        await alerter.stop();
        await started.catch(() => undefined);
        await Promise.allSettled([
          ...(engines.bus ? [] : [bus.close()]),
          ...owned.map((engine) => engine.close()),
          http.close(),
          ops.close(),
        ]);
      })();
      return stopping;
    },
  };
}
