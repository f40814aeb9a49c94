import { ConfigError, type Logger, loadConfig, type VigieConfig } from '@vigie/common';
import { ElasticsearchAuditLog } from '@vigie/storage';
import type { FastifyInstance } from 'fastify';
import { registerAccessControl } from './access-control.js';
import { type AuditSink, FanOutAuditSink, FileAuditSink } from './audit.js';
import { checkBindSafety } from './bind-safety.js';
import { keysFileHasKeys } from './key-store.js';
import { type KeysOutput, runKeysCommand } from './keys-command.js';

/** Access control built from the configuration, for `vigie api`. */
export interface ConfiguredAccessControl {
  /** Pass as `runApi(config, logger, { auth })`: registers the plugin before the routes. */
  auth: (app: FastifyInstance) => Promise<void>;
  /** Closes the audit sinks; call after the server stopped. Idempotent. */
  close(): Promise<void>;
}

/**
 * Checks the bind rule (no key → loopback only), opens the audit file and index and
 * returns the plugin registration. Fails at start-up, never after.
 * @throws ConfigError when binding beyond loopback without keys, or with no audit sink.
 */
export async function accessControlFromConfig(
  config: VigieConfig,
  logger: Logger,
): Promise<ConfiguredAccessControl> {
  const { api } = config;
  const keysConfigured = await keysFileHasKeys(api.keysFile);
  checkBindSafety(api.host, keysConfigured);
  if (api.auditFile === '' && !api.auditIndex)
    throw new ConfigError(
      'api.auditFile is empty and api.auditIndex is false: searches must be audited somewhere',
    );
  const sinks: AuditSink[] = [];
  if (api.auditFile !== '') sinks.push(new FileAuditSink(api.auditFile));
  if (api.auditIndex) {
    const index = new ElasticsearchAuditLog(config.elasticsearch);
    await index.setup();
    sinks.push(index);
  }
  const audit = sinks.length === 1 && sinks[0] ? sinks[0] : new FanOutAuditSink(sinks);
  logger.info(
    { keysFile: api.keysFile, keysConfigured, auditFile: api.auditFile || null, auditIndex: api.auditIndex },
    keysConfigured ? 'API keys required.' : 'No API key configured: serving loopback without keys.',
  );
  return {
    auth: (app) =>
      registerAccessControl(app, {
        keysFile: api.keysFile,
        host: api.host,
        audit,
        rateLimit: { max: api.rateLimitPerMinute, timeWindowMs: 60_000 },
      }),
    close: () => audit.close(),
  };
}

/**
 * `vigie keys …` for the CLI: the keys file is `api.keysFile` of the configuration
 * (`--config FILE`, VIGIE_* variables, defaults).
 * @throws ConfigError on a usage or configuration error.
 */
export function runKeysCli(args: string[], out: KeysOutput): Promise<void> {
  return runKeysCommand(
    args,
    (file) => loadConfig(file === undefined ? {} : { file }).config.api.keysFile,
    out,
  );
}
