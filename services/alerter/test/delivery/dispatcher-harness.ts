import type { AlerterConfig, Notification, NotificationAction, OutboxEntry } from '@vigie/common';
import { createLogger, createRegistry, type Registry } from '@vigie/common';
import { MemoryAlertStore, sampleOutboxEntry } from '@vigie/testkit';
import { Dispatcher, type DispatcherOptions } from '../../src/delivery/dispatcher.js';
import { createSafeHttpClient, type SafeHttpClient } from '../../src/delivery/safe-http-client.js';
import type { BuildContext, DeliveryVerdict, HttpRequestSpec, Receiver } from '../../src/receivers/types.js';
import { answer, LocalServer, type ReceivedRequest } from './local-server.js';

export const T0 = Date.parse('2026-03-02T10:00:00Z');

/** A generic receiver for tests: JSON with the outbox id, judged like the real ones judge. */
export class TestReceiver implements Receiver {
  readonly type = 'webhook' as const;
  readonly displayUrl: string;

  constructor(
    readonly name: string,
    private readonly baseUrl: string,
  ) {
    this.displayUrl = `${baseUrl}/hook`;
  }

  build(notification: Notification, _now: number, context?: BuildContext): HttpRequestSpec {
    return {
      url: `${this.baseUrl}/hook?token=S3CR3T`,
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': context?.outboxId ?? '' },
      body: JSON.stringify({ action: notification.action, incidentId: notification.incidentId }),
    };
  }

  interpret(status: number, headers: Record<string, string>): DeliveryVerdict {
    if (status >= 200 && status < 300) return { kind: 'delivered' };
    if (status === 429 || status === 408 || status >= 500) {
      const seconds = Number(headers['retry-after']);
      return Number.isFinite(seconds) && headers['retry-after'] !== undefined
        ? { kind: 'retry', afterMs: seconds * 1000, reason: `HTTP ${status}` }
        : { kind: 'retry', reason: `HTTP ${status}` };
    }
    return { kind: 'rejected', reason: `HTTP ${status}` };
  }
}

/**
 * A receiver's server whose behaviour the test switches (`mode`), counting the
 * notifications it accepted per outbox id and the order they came in.
 */
export class ReceiverServer {
  mode: 'up' | 'error' | 'hang' | 'alternate' | 'throttle' | 'reject' = 'up';
  retryAfterSeconds = 120;
  /** Outbox ids in the order the server accepted them (answered 2xx). */
  readonly accepted: string[] = [];
  private toggle = false;

  private constructor(readonly server: LocalServer) {}

  static async start(): Promise<ReceiverServer> {
    const holder: { self?: ReceiverServer } = {};
    const server = await LocalServer.start((req, res) => holder.self?.handle(req, res));
    holder.self = new ReceiverServer(server);
    return holder.self;
  }

  get url(): string {
    return `http://127.0.0.1:${this.server.port}`;
  }

  acceptedCount(id: string): number {
    return this.accepted.filter((accepted) => accepted === id).length;
  }

  private handle(req: ReceivedRequest, res: Parameters<typeof answer>[0]): void {
    const id = String(req.headers['idempotency-key']);
    let mode = this.mode;
    if (mode === 'alternate') {
      this.toggle = !this.toggle;
      mode = this.toggle ? 'error' : 'hang';
    }
    if (mode === 'hang') return; // the client's timeout ends it
    if (mode === 'error') answer(res, 503);
    else if (mode === 'reject') answer(res, 400, {}, '{"message":"Event object is invalid"}');
    else if (mode === 'throttle') answer(res, 429, { 'retry-after': String(this.retryAfterSeconds) });
    else {
      this.accepted.push(id);
      answer(res, 202, {}, '{"status":"success"}');
    }
  }

  close(): Promise<void> {
    return this.server.close();
  }
}

export function deliveryConfig(
  overrides: Partial<AlerterConfig['delivery']> = {},
): AlerterConfig['delivery'] {
  return {
    retryMinMs: 1000,
    retryMaxMs: 60_000,
    maxAgeMs: 3_600_000,
    breakerFailures: 3,
    breakerCooldownMs: 30_000,
    pollMs: 500,
    allowHttp: true,
    allowedNetworks: ['127.0.0.1/32'],
    ...overrides,
  };
}

/** A pending entry for `receiver` about incident `incident`, created (and due) at `createdAt`. */
export function outboxEntry(
  incident: number,
  action: NotificationAction,
  createdAt: number,
  receiver = 'hook',
): OutboxEntry {
  const base = sampleOutboxEntry(incident, { receiver });
  return {
    ...base,
    id: `${receiver}|${base.notification.dedupKey}|${action}|0|warning`,
    notification: { ...base.notification, action },
    createdAt,
    nextAttemptAt: createdAt,
  };
}

/** A fake clock the test moves by hand. */
export class TestClock {
  constructor(public now = T0) {}
  readonly read = () => this.now;
  advance(ms: number): number {
    this.now += ms;
    return this.now;
  }
}

/** One dispatcher on a real safe HTTP client, a memory store and a fake clock. */
export interface Harness {
  store: MemoryAlertStore;
  clock: TestClock;
  http: SafeHttpClient;
  registry: Registry;
  dispatcher(overrides?: Partial<DispatcherOptions>): Dispatcher;
  close(): Promise<void>;
}

export function harness(receivers: Receiver[], config = deliveryConfig()): Harness {
  const store = new MemoryAlertStore();
  const clock = new TestClock();
  const http = createSafeHttpClient({ allowHttp: true, allowedNetworks: ['127.0.0.1/32'] });
  const registry = createRegistry();
  let owners = 0;
  return {
    store,
    clock,
    http,
    registry,
    dispatcher: (overrides = {}) => {
      owners += 1;
      return new Dispatcher({
        store,
        receivers: new Map(receivers.map((r) => [r.name, r])),
        http,
        config,
        timeouts: new Map(receivers.map((r) => [r.name, 300])),
        owner: `dispatcher-${owners}`,
        logger: createLogger({ level: 'silent' }),
        clock: clock.read,
        random: () => 0.5,
        // Metric names are registered once per registry: the first dispatcher reports.
        ...(owners === 1 ? { registry } : {}),
        ...overrides,
      });
    },
    close: () => http.close(),
  };
}
