import { parseArgs } from 'node:util';
import { requireValidAlerterConfig, runAlerter } from '@vigie/alerter';
import { accessControlFromConfig, runApi, runKeysCli } from '@vigie/api';
import { type LineFormat, runCollector } from '@vigie/collector';
import { ConfigError, createLogger, type Logger, loadConfig, redactConfig } from '@vigie/common';
import { runDetectSeriesCommand, runPatternsCommand } from '@vigie/detect';
import { runProcessor } from '@vigie/processor';
import { configReference, updateConfigReference } from './config-reference.js';
import { allInOneEngines } from './engines.js';

const USAGE = `Usage: vigie <command> [--config FILE]

Commands:
  processor        Consume log events from Kafka and index them into Elasticsearch.
  collector        Read logs (files, syslog, HTTP) and send them to Kafka.
                   --stdin --service NAME [--format F]: read stdin instead, exit at its end.
  alerter          Turn anomalies into incidents and notify receivers (PagerDuty, Slack,
                   Opsgenie, Alertmanager, Teams, webhooks) from a persisted outbox.
  api              Serve the search API and the UI (api.host:api.port, 127.0.0.1:8080).
  keys             Manage API keys: keys create --name N --role viewer|sre|security|admin
                   [--expires 90d] (prints the key once), keys list, keys revoke ID.
  all              The collector, the processor, the alerter and the API (with the UI) in
                   one process, on embedded engines unless Kafka or Elasticsearch is set.
                   --demo / --no-demo: simulated shop traffic on or off (collector.demo).
  detect-series F  Score a timestamp,value CSV online with the latency/volume detector;
                   writes timestamp,value,anomaly_score,is_anomaly to stdout.
  patterns         Mine templates of the messages on stdin (one per line); writes
                   line,pattern_id,template CSV to stdout.
  config           Print the effective configuration (secrets redacted).
  config-reference Print the configuration reference as a Markdown table
                   (--update README.md rewrites it there).
  help             Show this help.

Configuration: VIGIE_* environment variables and an optional YAML/JSON file
(--config FILE or VIGIE_CONFIG); see README.md.`;

async function main(argv: string[]): Promise<number> {
  // `vigie keys` parses its own options (--name, --role, --expires, --config).
  if (argv[0] === 'keys') {
    await runKeysCli(argv.slice(1), (line) => process.stdout.write(`${line}\n`));
    return 0;
  }
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: 'string', short: 'c' },
      help: { type: 'boolean', short: 'h' },
      update: { type: 'string' },
      stdin: { type: 'boolean' },
      service: { type: 'string' },
      format: { type: 'string' },
      demo: { type: 'boolean' },
    },
    allowNegative: true,
  });
  const command = positionals[0] ?? 'help';
  if (values.help || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  // The offline tools need no configuration: same code and defaults as the processor.
  if (command === 'detect-series') {
    const file = positionals[1];
    if (!file) throw new ConfigError('vigie detect-series needs a CSV file: vigie detect-series FILE.csv');
    await runDetectSeriesCommand(file, process.stdout);
    return 0;
  }
  if (command === 'patterns') {
    await runPatternsCommand(process.stdin, process.stdout);
    return 0;
  }
  if (command === 'config-reference') {
    if (values.update) updateConfigReference(values.update);
    else process.stdout.write(configReference());
    return 0;
  }

  const loaded = loadConfig(values.config === undefined ? {} : { file: values.config });
  const { config, warnings } = loaded;
  if (command === 'config') {
    // The alerter's cross-field rules too, so a config can be checked before it is deployed.
    for (const warning of requireValidAlerterConfig(config.alerter))
      process.stderr.write(`vigie: ${warning}\n`);
    process.stdout.write(`${JSON.stringify(redactConfig(config), null, 2)}\n`);
    return 0;
  }
  // Before any role starts, so a bad alerter setting does not leave the others half up.
  if (command === 'all') requireValidAlerterConfig(config.alerter);

  const logger = createLogger({ level: config.log.level, role: command });
  for (const warning of warnings) logger.warn(warning);
  switch (command) {
    case 'processor': {
      logger.info({ config: redactConfig(config) }, 'Starting the processor.');
      const running = await runProcessor(config, logger);
      await untilSignalOrFailure(logger, [running.started]).finally(() => running.stop());
      return 0;
    }
    case 'alerter': {
      logger.info({ config: redactConfig(config) }, 'Starting the alerter.');
      const running = await runAlerter(config, logger);
      await untilSignalOrFailure(logger, [running.started]).finally(() => running.stop());
      return 0;
    }
    case 'all': {
      // The collector, the processor, the alerter and the search API with the UI in one
      // process, on shared embedded engines or on Kafka and Elasticsearch (engines.ts);
      // each keeps its own ops endpoints and metrics registry (an explicit ops.port goes to
      // the processor, the next ones to the collector, the alerter and the API).
      const engines = await allInOneEngines(loaded, logger);
      // `--demo` / `--no-demo` (npm start passes --demo) override collector.demo.
      const roles =
        values.demo === undefined
          ? engines.config
          : { ...engines.config, collector: { ...engines.config.collector, demo: values.demo } };
      logger.info(
        { config: redactConfig(roles) },
        'Starting the collector, the processor, the alerter and the API.',
      );
      const port = roles.ops.port;
      const opsAt = (offset: number) => ({
        ...roles,
        ops: { ...roles.ops, ...(port !== undefined && { port: port === 0 ? 0 : port + offset }) },
      });
      // Each role's start is looked at once every role is up: one that fails before then
      // must not count as an unhandled rejection, which would end the process without its message.
      const starts: Array<Promise<void>> = [];
      const watch = (start: Promise<void>) => {
        start.catch(() => undefined);
        starts.push(start);
      };
      const processor = await runProcessor(roles, logger, engines.processor);
      watch(processor.started);
      const collector = await runCollector(opsAt(1), logger, engines.collector);
      watch(collector.kafkaChecked);
      const alerter = await runAlerter(opsAt(2), logger, engines.alerter);
      watch(alerter.started);
      const access = await accessControlFromConfig(roles, logger);
      const api = await runApi(opsAt(3), logger, {
        auth: access.auth,
        ...engines.api,
        engines: engines.kind,
      });
      // For the person who ran `npm start`: one plain line among the JSON logs.
      const demo = roles.collector.demo ? ', with simulated demo traffic (--no-demo to turn it off)' : '';
      process.stderr.write(`\nVigie is running: open ${api.url} in a browser${demo}.\n\n`);
      await untilSignalOrFailure(logger, starts).finally(async () => {
        await api.stop();
        await access.close();
        await alerter.stop();
        await collector.stop();
        await processor.stop();
        await engines.close();
      });
      return 0;
    }
    case 'api': {
      logger.info({ config: redactConfig(config) }, 'Starting the search API.');
      const access = await accessControlFromConfig(config, logger);
      const running = await runApi(config, logger, { auth: access.auth });
      await untilSignal(logger);
      await running.stop();
      await access.close();
      return 0;
    }
    case 'collector': {
      if (values.stdin && !values.service)
        throw new ConfigError('vigie collector --stdin needs --service NAME');
      logger.info({ config: redactConfig(config) }, 'Starting the collector.');
      const running = await runCollector(config, logger, {
        ...(values.stdin && {
          stdin: {
            service: values.service as string,
            ...(values.format && { format: values.format as LineFormat }),
          },
        }),
      });
      const failure = untilSignalOrFailure(logger, [running.kafkaChecked]);
      await (running.inputEnded ? Promise.race([running.inputEnded, failure]) : failure).finally(() =>
        running.stop(),
      );
      return 0;
    }
    default:
      process.stderr.write(`vigie: unknown command "${command}"\n\n${USAGE}\n`);
      return 2;
  }
}

/**
 * Resolves at the first SIGTERM or SIGINT; rejects as soon as a role's start fails for
 * good (refused credentials: a `ConfigError`), so that the process exits with its message
 * rather than staying up without working.
 */
function untilSignalOrFailure(logger: Logger, starts: Array<Promise<void>>): Promise<void> {
  const signal = untilSignal(logger);
  return Promise.race([signal, ...starts.map((start) => start.then(() => signal))]);
}

/** Resolves at the first SIGTERM or SIGINT. */
function untilSignal(logger: Logger): Promise<void> {
  return new Promise((resolve) => {
    const stop = (signal: string) => {
      logger.info({ signal }, 'Stopping.');
      resolve();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    // Only the entry point ends the process; configuration errors are one line per problem.
    if (err instanceof ConfigError) process.stderr.write(`vigie: ${err.message}\n`);
    else process.stderr.write(`vigie: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(err instanceof ConfigError ? 2 : 1);
  },
);
