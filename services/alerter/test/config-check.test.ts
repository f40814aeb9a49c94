import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Value } from '@sinclair/typebox/value';
import { type AlerterConfig, AlerterConfigSchema, ConfigError, loadConfig } from '@vigie/common';
import { VIGIE_CLI } from '@vigie/testkit';
import { describe, expect, it } from 'vitest';
import { checkAlerterConfig, requireValidAlerterConfig } from '../src/config-check.js';
import {
  OPSGENIE_KEY,
  ROUTING_KEY,
  receiverConfigs,
  SLACK_URL,
  WEBHOOK_SECRET,
} from './receivers/configs.js';

/** The configuration as `loadConfig` gives it: the schema's defaults filled in. */
function alerterConfig(settings: Record<string, unknown>): AlerterConfig {
  const config = Value.Default(AlerterConfigSchema, structuredClone(settings));
  expect([...Value.Errors(AlerterConfigSchema, config)]).toEqual([]);
  return config as AlerterConfig;
}

const receivers = receiverConfigs();
const allRouted = [{ receivers: receivers.map((r) => r.name) }];
// The Alertmanager of these receivers listens on the same host, over http.
const localAlertmanager = { allowHttp: true, allowedNetworks: ['127.0.0.1/32'] };

describe('checkAlerterConfig', () => {
  it('accepts the defaults and a configuration that routes to every receiver type', () => {
    expect(checkAlerterConfig(alerterConfig({}))).toEqual({ problems: [], warnings: [] });
    expect(
      checkAlerterConfig(alerterConfig({ receivers, routes: allRouted, delivery: localAlertmanager })),
    ).toEqual({
      problems: [],
      warnings: [],
    });
  });

  it('reports every problem at once, each naming where it is', () => {
    const config = alerterConfig({
      receivers: [
        { type: 'slack', name: 'chat', url: SLACK_URL },
        { type: 'slack', name: 'chat', url: 'https://hooks.slack.com/services/T1/B1/other' },
        { type: 'webhook', name: 'hook', url: 'http://hooks.example.com/in', secret: WEBHOOK_SECRET },
      ],
      routes: [
        {
          match: { kind: ['error_spike', 'eror_spike'], group: ['availabilty'] },
          receivers: ['chat', 'pagerdty'],
        },
        { receivers: ['hook'] },
      ],
      delivery: {
        retryMinMs: 60_000,
        retryMaxMs: 1000,
        allowedNetworks: ['10.0.0.0/8', '10.0.0.0/33', 'intranet'],
      },
    });
    expect(checkAlerterConfig(config).problems).toEqual([
      'alerter.delivery.allowedNetworks[1]: "10.0.0.0/33" is not a CIDR or an IP address',
      'alerter.delivery.allowedNetworks[2]: "intranet" is not a CIDR or an IP address',
      'alerter.delivery.retryMinMs (60000) is above alerter.delivery.retryMaxMs (1000)',
      'alerter.receivers[1] (chat): name already used by alerter.receivers[0]',
      'alerter.receivers[2] (hook).url: http is refused: use https, or set alerter.delivery.allowHttp for a trusted network',
      'alerter.routes[0].receivers: no receiver is named "pagerdty" (configured: chat, hook)',
      expect.stringMatching(
        /^alerter\.routes\[0\]\.match\.kind: unknown kind "eror_spike" \(one of error_spike, /,
      ),
      expect.stringMatching(
        /^alerter\.routes\[0\]\.match\.group: unknown group "availabilty" \(one of availability, security, rule\)$/,
      ),
    ]);
  });

  it.each([
    ['http://127.0.0.1:9093', 'loopback'],
    ['https://localhost:9093', 'loopback'],
    ['https://alertmanager.localhost', 'loopback'],
    ['https://2130706433/', 'loopback'],
    ['https://0x7f.1/', 'loopback'],
    ['https://10.1.2.3', 'private'],
    ['https://169.254.169.254/latest', 'linkLocal'],
    ['https://[::1]:9093', 'loopback'],
    ['https://[::ffff:127.0.0.1]', 'ipv4Mapped(loopback)'],
    ['https://[fd00::5]', 'uniqueLocal'],
  ])('refuses the literal host of %s (%s) unless allowedNetworks holds it', (url, range) => {
    const receiver = { type: 'alertmanager', name: 'am', url };
    const refused = alerterConfig({
      receivers: [receiver],
      routes: [{ receivers: ['am'] }],
      delivery: { allowHttp: true },
    });
    expect(checkAlerterConfig(refused).problems).toEqual([
      expect.stringMatching(
        new RegExp(
          `^alerter\\.receivers\\[0\\] \\(am\\)\\.url: host \\S+ is in a refused range \\(${range.replace(/[()]/g, '\\$&')}\\); add it to alerter\\.delivery\\.allowedNetworks`,
        ),
      ),
    ]);
    const allowed = alerterConfig({
      receivers: [receiver],
      routes: [{ receivers: ['am'] }],
      delivery: {
        allowHttp: true,
        allowedNetworks: ['127.0.0.0/8', '10.0.0.0/8', '169.254.169.254', '::1/128', 'fd00::/8'],
      },
    });
    expect(checkAlerterConfig(allowed).problems).toEqual([]);
  });

  it('leaves host names to the connect-time check, and refuses URLs that are not http(s)', () => {
    const config = alerterConfig({
      receivers: [
        { type: 'alertmanager', name: 'by-name', url: 'https://alertmanager.internal:9093' },
        { type: 'webhook', name: 'relative', url: '/hooks/vigie', secret: WEBHOOK_SECRET },
        { type: 'webhook', name: 'ftp', url: 'ftp://files.example.com/in', secret: WEBHOOK_SECRET },
      ],
      routes: [{ receivers: ['by-name', 'relative', 'ftp'] }],
    });
    expect(checkAlerterConfig(config).problems).toEqual([
      'alerter.receivers[1] (relative).url: not a valid absolute URL',
      'alerter.receivers[2] (ftp).url: scheme ftp is not supported: use https',
    ]);
  });

  it('warns about a receiver that no route sends to', () => {
    const config = alerterConfig({ receivers, routes: [{ receivers: ['pd'] }], delivery: localAlertmanager });
    const { problems, warnings } = checkAlerterConfig(config);
    expect(problems).toEqual([]);
    expect(warnings).toEqual(
      receivers.slice(1).map((r, i) => `alerter.receivers[${i + 1}] (${r.name}): no route sends to it`),
    );
  });

  it('never repeats a secret, even from a URL that is refused or does not parse', () => {
    const token = 'XXXXXXXXXXXXXXXXXXXXXXXX';
    const config = alerterConfig({
      receivers: [
        { type: 'slack', name: 'plain-http', url: SLACK_URL.replace('https:', 'http:') },
        { type: 'teams', name: 'broken', url: `https://exa mple.com/${token}` },
        {
          type: 'slack',
          name: 'private',
          url: `https://user:${token}@10.0.0.7/services/${token}?t=${token}`,
        },
        { type: 'pagerduty', name: 'pd', routingKey: ROUTING_KEY, url: `http://[::1]/${ROUTING_KEY}` },
        { type: 'opsgenie', name: 'og', apiKey: OPSGENIE_KEY, url: `gopher://${OPSGENIE_KEY}@x` },
        { type: 'alertmanager', name: 'am', url: 'https://am', password: 'am-password-1234' },
      ],
      routes: [{ receivers: ['nobody'] }],
    });
    const { problems, warnings } = checkAlerterConfig(config);
    expect(problems).toHaveLength(6);
    const text = [...problems, ...warnings].join('\n');
    for (const secret of [token, ROUTING_KEY, OPSGENIE_KEY, 'am-password-1234', 'services/T0000'])
      expect(text).not.toContain(secret);
  });
});

describe("README's Alerting example", () => {
  it('loads and passes the check with every receiver routed', () => {
    const readme = readFileSync(fileURLToPath(new URL('../../../README.md', import.meta.url)), 'utf8');
    const section = readme.slice(readme.indexOf('\n## Alerting\n'));
    const yaml = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
    expect(yaml).toBeDefined();
    const file = join(mkdtempSync(join(tmpdir(), 'vigie-readme-alerting-')), 'alerting.yaml');
    writeFileSync(file, yaml ?? '');
    const { config } = loadConfig({ env: {}, file });
    expect(config.alerter.receivers.map((r) => r.type).sort()).toEqual([
      'alertmanager',
      'opsgenie',
      'pagerduty',
      'slack',
      'teams',
      'webhook',
    ]);
    expect(checkAlerterConfig(config.alerter)).toEqual({ problems: [], warnings: [] });
  });
});

describe('requireValidAlerterConfig', () => {
  it('throws one ConfigError with a line per problem, and returns the warnings', () => {
    const bad = alerterConfig({
      receivers: [{ type: 'slack', name: 'chat', url: 'http://hooks.slack.com/x' }],
      routes: [{ receivers: ['chta'] }],
    });
    let error: unknown;
    try {
      requireValidAlerterConfig(bad);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe('VIGIE_ERR_CONFIG');
    expect((error as ConfigError).message.split('\n')).toEqual([
      'Invalid alerter configuration:',
      '  - alerter.receivers[0] (chat).url: http is refused: use https, or set alerter.delivery.allowHttp for a trusted network',
      '  - alerter.routes[0].receivers: no receiver is named "chta" (configured: chat)',
    ]);

    const unused = alerterConfig({ receivers: [{ type: 'slack', name: 'chat', url: SLACK_URL }] });
    expect(requireValidAlerterConfig(unused)).toEqual(['alerter.receivers[0] (chat): no route sends to it']);
  });
});

// The built CLI (`npm test` builds first): `vigie config` checks a file before it is
// deployed, and the roles refuse it before connecting to anything.
describe('vigie config and vigie alerter with an invalid alerter section', () => {
  const run = promisify(execFile);
  const dir = mkdtempSync(join(tmpdir(), 'vigie-alerter-config-'));
  const file = join(dir, 'alerting.yaml');
  writeFileSync(
    file,
    JSON.stringify({
      alerter: {
        receivers: [
          { type: 'slack', name: 'chat', url: SLACK_URL.replace('https:', 'http:') },
          { type: 'pagerduty', name: 'pd', routingKey: ROUTING_KEY },
        ],
        routes: [{ receivers: ['chta'] }],
      },
    }),
  );
  // Nothing listens there: a role that got past the check would wait for it, not exit.
  const env = {
    ...process.env,
    VIGIE_KAFKA_BROKERS: '127.0.0.1:1',
    VIGIE_ELASTICSEARCH_URL: 'http://127.0.0.1:1',
  };

  it.each([['config'], ['alerter'], ['all']])(
    'vigie %s exits with code 2 and one line per problem',
    async (command) => {
      const failure = await run(process.execPath, [VIGIE_CLI, command, '--config', file], {
        env,
        timeout: 20_000,
      }).then(
        () => undefined,
        (err: { code: number; stderr: string; stdout: string }) => err,
      );
      expect(failure?.code).toBe(2);
      // `vigie config` prints no configuration it refuses; the roles log theirs redacted.
      if (command === 'config') expect(failure?.stdout).toBe('');
      for (const secret of ['XXXXXXXX', ROUTING_KEY])
        expect(`${failure?.stdout}${failure?.stderr}`).not.toContain(secret);
      expect(failure?.stderr.trim().split('\n')).toEqual([
        'vigie: Invalid alerter configuration:',
        '  - alerter.receivers[0] (chat).url: http is refused: use https, or set alerter.delivery.allowHttp for a trusted network',
        '  - alerter.routes[0].receivers: no receiver is named "chta" (configured: chat, pd)',
      ]);
    },
  );
});
