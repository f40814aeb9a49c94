import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { waitFor } from './engines.js';
import { freePort } from './private-kafka.js';

/** An alert as Alertmanager's API v2 lists it (`GET /api/v2/alerts`), the fields tests read. */
export interface AlertmanagerAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  updatedAt: string;
  generatorURL?: string;
  fingerprint: string;
  receivers: Array<{ name: string }>;
  status: { state: 'active' | 'suppressed' | 'unprocessed'; silencedBy: string[]; inhibitedBy: string[] };
}

/** One alert inside a webhook notification, as Alertmanager's webhook receiver sends it. */
export interface AlertmanagerWebhookAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
}

/** A notification Alertmanager sent to the harness's webhook receiver (version 4 of its payload). */
export interface AlertmanagerNotification {
  status: 'firing' | 'resolved';
  receiver: string;
  groupKey: string;
  alerts: AlertmanagerWebhookAlert[];
}

/** Filters of `GET /api/v2/alerts`; `labels` become `filter=name="value"` matchers. */
export interface AlertmanagerAlertFilter {
  labels?: Record<string, string>;
  silenced?: boolean;
  inhibited?: boolean;
  unprocessed?: boolean;
}

const PACKAGE_HINT =
  'Alertmanager is not installed: install the Debian package prometheus-alertmanager ' +
  '(apt-get install -y prometheus-alertmanager), or point VIGIE_ALERTMANAGER_BIN at an alertmanager binary.';

/** The Alertmanager binary: VIGIE_ALERTMANAGER_BIN, else the Debian package's name, else `alertmanager` on PATH. */
export function alertmanagerBinary(): string {
  const explicit = process.env.VIGIE_ALERTMANAGER_BIN;
  const candidates = explicit
    ? [explicit]
    : (process.env.PATH ?? '/usr/bin')
        .split(delimiter)
        .flatMap((dir) => [join(dir, 'prometheus-alertmanager'), join(dir, 'alertmanager')]);
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not this one
    }
  }
  throw new Error(PACKAGE_HINT);
}

// group_wait/group_interval are short so that tests see notifications within seconds;
// send_resolved is what lets a test observe resolution (GET /api/v2/alerts never lists
// alerts whose endsAt has passed).
function configYaml(webhookUrl: string): string {
  return [
    'route:',
    '  receiver: harness',
    "  group_by: ['...']",
    '  group_wait: 0s',
    '  group_interval: 1s',
    '  repeat_interval: 24h',
    'receivers:',
    '  - name: harness',
    '    webhook_configs:',
    `      - url: '${webhookUrl}'`,
    '        send_resolved: true',
    '',
  ].join('\n');
}

/**
 * A real Prometheus Alertmanager of a test's own: the installed binary on 127.0.0.1 with a
 * free port, a temporary configuration and storage folder, clustering off. Its one route
 * sends every notification to a webhook served by the harness, kept in `notifications`,
 * which is how a test sees an alert resolve: the API lists active alerts only.
 */
export class LocalAlertmanager {
  private output = '';

  private constructor(
    /** Base URL, e.g. `http://127.0.0.1:40123` (receivers post to `${url}/api/v2/alerts`). */
    readonly url: string,
    private readonly dir: string,
    private readonly child: ChildProcess,
    private readonly webhook: Server,
    private readonly exited: Promise<void>,
    /** Every webhook notification received, oldest first. */
    readonly notifications: readonly AlertmanagerNotification[],
  ) {
    child.stdout?.on('data', (chunk: Buffer) => this.keepOutput(chunk));
    child.stderr?.on('data', (chunk: Buffer) => this.keepOutput(chunk));
  }

  /** Starts Alertmanager and waits until `/-/ready` answers; fails with a clear message when it is not installed. */
  static async start(): Promise<LocalAlertmanager> {
    const binary = alertmanagerBinary();
    const dir = await mkdtemp(join(tmpdir(), 'vigie-alertmanager-'));
    const notifications: AlertmanagerNotification[] = [];
    const webhook = await startWebhook(notifications);
    const hookPort = (webhook.address() as AddressInfo).port;
    await writeFile(join(dir, 'alertmanager.yml'), configYaml(`http://127.0.0.1:${hookPort}/hook`));
    const port = await freePort();
    const child = spawn(
      binary,
      [
        `--config.file=${join(dir, 'alertmanager.yml')}`,
        `--storage.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--cluster.listen-address=',
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const exited = new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.once('error', () => resolve());
    });
    const manager = new LocalAlertmanager(
      `http://127.0.0.1:${port}`,
      dir,
      child,
      webhook,
      exited,
      notifications,
    );
    try {
      await waitFor(
        'Alertmanager to be ready',
        async () => {
          if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}: ${manager.output}`);
          return (await fetch(`${manager.url}/-/ready`)).status;
        },
        (status) => status === 200 || child.exitCode !== null,
        30_000,
        100,
      );
      if (child.exitCode !== null)
        throw new Error(`Alertmanager exited with ${child.exitCode}: ${manager.output}`);
    } catch (err) {
      await manager.stop();
      throw err;
    }
    return manager;
  }

  private keepOutput(chunk: Buffer): void {
    // The tail is enough to explain a failure; the whole log would grow without bound.
    this.output = (this.output + chunk.toString()).slice(-8_000);
  }

  /** What the process wrote lately (stdout and stderr), for failure messages. */
  get log(): string {
    return this.output;
  }

  /** Active alerts (firing, silenced, inhibited, unprocessed as the filter says) from `GET /api/v2/alerts`. */
  async alerts(filter: AlertmanagerAlertFilter = {}): Promise<AlertmanagerAlert[]> {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(filter.labels ?? {}))
      params.append('filter', `${name}=${JSON.stringify(value)}`);
    for (const key of ['silenced', 'inhibited', 'unprocessed'] as const) {
      const value = filter[key];
      if (value !== undefined) params.set(key, String(value));
    }
    const response = await fetch(`${this.url}/api/v2/alerts?${params}`);
    if (!response.ok) throw new Error(`GET /api/v2/alerts: ${response.status} ${await response.text()}`);
    return (await response.json()) as AlertmanagerAlert[];
  }

  /** Posts alerts the way a Prometheus server (or Vigie's receiver) does; for tests of the harness itself. */
  async post(
    alerts: Array<Partial<AlertmanagerWebhookAlert> & { labels: Record<string, string> }>,
  ): Promise<void> {
    const response = await fetch(`${this.url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(alerts),
    });
    if (!response.ok) throw new Error(`POST /api/v2/alerts: ${response.status} ${await response.text()}`);
  }

  /**
   * Waits for a webhook alert matching `labels` with this status (`resolved` is how an
   * alert's end shows: it leaves the API's list) and returns it.
   */
  async waitForNotified(
    labels: Record<string, string>,
    status: 'firing' | 'resolved',
    timeoutMs = 30_000,
  ): Promise<AlertmanagerWebhookAlert> {
    const found = await waitFor(
      `an Alertmanager notification ${status} ${JSON.stringify(labels)}`,
      async () =>
        this.notifications
          .flatMap((n) => n.alerts)
          .find((a) => a.status === status && Object.entries(labels).every(([k, v]) => a.labels[k] === v)),
      (alert) => alert !== undefined,
      timeoutMs,
      100,
    );
    return found as AlertmanagerWebhookAlert;
  }

  /** Stops Alertmanager, closes the webhook and deletes the folder; safe to call twice. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
      await this.exited;
      clearTimeout(timer);
    }
    await new Promise<void>((resolve) => this.webhook.close(() => resolve()));
    await rm(this.dir, { recursive: true, force: true });
  }
}

function startWebhook(into: AlertmanagerNotification[]): Promise<Server> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      try {
        into.push(JSON.parse(Buffer.concat(chunks).toString()) as AlertmanagerNotification);
        response.writeHead(200).end();
      } catch {
        response.writeHead(400).end();
      }
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}
