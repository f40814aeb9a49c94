import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { AlerterConfig, AlertStore, LogSearch, LogStore } from '@vigie/common';
import { loadConfig } from '@vigie/common';
import { MemoryAlertStore, MemoryStore } from '@vigie/testkit';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { pino } from 'pino';
import { createApiServer, KeyStore, registerAccessControl } from '../../src/index.js';
import { MemoryAuditSink } from '../auth/harness.js';
import { apiConfig } from '../server/harness.js';

/** Secrets of the configured receivers: none may ever show up in an answer or the log. */
export const RECEIVER_SECRETS = [
  'R0UTINGKEYpagerduty0123456789ab',
  'T0KEN/slack/B0000000/XXXXXXXXXXXXXXXXXXXXXXXX',
  'opsgenie-key-5c1e4a0e-secret',
  'alertmanager-basic-password',
  'teams-sig-0123456789abcdef',
  'webhook-hmac-secret-0123456789',
];

/**
 * The alerter section of the config under test, read from a file like `vigie api` reads
 * it: one receiver of each type, with secrets.
 */
export async function alerterConfig(dir: string): Promise<AlerterConfig> {
  const [pagerduty, slack, opsgenie, password, teams, hmac] = RECEIVER_SECRETS;
  const alerter = {
    receivers: [
      { name: 'pd', type: 'pagerduty', routingKey: pagerduty },
      { name: 'chat', type: 'slack', url: `https://hooks.slack.com/services/${slack}` },
      { name: 'genie', type: 'opsgenie', apiKey: opsgenie },
      {
        name: 'am',
        type: 'alertmanager',
        url: 'https://ops:x@alertmanager.internal:9093/',
        username: 'ops',
        password,
      },
      { name: 'teams', type: 'teams', url: `https://example.webhook.office.com/webhookb2/abc?sig=${teams}` },
      { name: 'hook', type: 'webhook', url: 'https://hooks.example.com/vigie?token=inquery', secret: hmac },
    ],
  };
  const file = join(dir, 'vigie.json');
  await writeFile(file, JSON.stringify({ alerter }));
  return loadConfig({ env: {}, file }).config.alerter;
}

/** An API server with access control (one key per role) over memory stores. */
export interface AlertingApi {
  app: FastifyInstance;
  alerts: AlertStore;
  logs: MemoryStore;
  audit: MemoryAuditSink;
  keys: Record<'viewer' | 'sre' | 'admin', string>;
  /** Everything the server logged, as JSON lines. */
  logged: string[];
  now: number;
  call(
    method: string,
    url: string,
    role: keyof AlertingApi['keys'],
    payload?: object,
  ): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

/** `search`: where anomalies are read, the memory store `logs` by default. */
export async function startAlertingApi(
  now = Date.parse('2026-03-02T12:00:00Z'),
  alerts: AlertStore = new MemoryAlertStore(),
  search?: LogSearch & Pick<LogStore, 'healthcheck'>,
): Promise<AlertingApi> {
  const dir = await mkdtemp(join(tmpdir(), 'vigie-alerting-api-'));
  const keysFile = join(dir, 'keys.json');
  const keyStore = new KeyStore(keysFile);
  const keys = {
    viewer: (await keyStore.create({ name: 'vera', role: 'viewer' })).secret,
    sre: (await keyStore.create({ name: 'sam', role: 'sre' })).secret,
    admin: (await keyStore.create({ name: 'ada', role: 'admin' })).secret,
  };
  const logged: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logged.push(String(chunk));
      done();
    },
  });
  const logger = pino({ level: 'trace' }, sink);
  const logs = new MemoryStore();
  const audit = new MemoryAuditSink();
  const app = await createApiServer({
    store: search ?? logs,
    search: search ?? logs,
    config: apiConfig(),
    logger,
    now: () => now,
    alerting: { store: alerts, config: await alerterConfig(dir) },
    auth: (instance) => registerAccessControl(instance, { keysFile, host: '127.0.0.1', audit }),
  });
  return {
    app,
    alerts,
    logs,
    audit,
    keys,
    logged,
    now,
    call: (method, url, role, payload) =>
      app.inject({
        method: method as 'GET',
        url,
        headers: { authorization: `Bearer ${keys[role]}` },
        ...(payload && { payload }),
      }),
    async close() {
      await app.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
