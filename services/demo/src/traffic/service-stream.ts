import type { LogEvent } from '@vigie/common';
import type { Clock } from './clock.js';
import type { Rng } from './random.js';
import { ratePerSecond } from './rhythm.js';
import { accessEvent, apiEvent, authEvent, type Failure, HostLog, jobEvent, type Origin } from './shapes.js';
import type { Arrivals, Source } from './source.js';
import type { ErrorTemplate, Incident, Rhythm, RouteProfile, ServiceProfile } from './types.js';
import {
  compileMessage,
  compilePath,
  fill,
  javaFrames,
  type Template,
  USER_AGENTS,
  USER_NAMES,
} from './vocab.js';

// z-score of the 95th percentile: a log-normal's sigma is ln(p95 / median) / Z95.
const Z95 = 1.6448536269514722;
// Background 4xx share of HTTP services (bad requests, missing pages, expired sessions).
const CLIENT_ERROR_RATIO = 0.015;
const DEFAULT_LOGIN_FAILURE_RATIO = 0.03;
const SERVER_ERRORS = [500, 500, 500, 502, 503, 503, 504];
const CLIENT_ERRORS = [400, 401, 404, 404, 404, 409];

const DEFAULT_ERRORS: Record<ServiceProfile['kind'], ErrorTemplate[]> = {
  nginx: [],
  'http-api': [
    { type: 'TimeoutError', message: 'upstream inventory did not answer within {ms} ms' },
    { type: 'DatabaseError', message: 'deadlock detected while updating order {id}' },
    { type: 'PoolExhaustedError', message: 'connection pool exhausted with {n} requests waiting' },
  ],
  auth: [
    { type: 'LdapTimeoutError', message: 'directory did not answer within {ms} ms' },
    { type: 'TokenStoreError', message: 'session store unavailable on attempt {n}' },
  ],
  worker: [
    { type: 'SmtpError', message: 'SMTP server refused message {id}: 451 try again later' },
    { type: 'TimeoutError', message: 'warehouse API did not answer within {ms} ms' },
  ],
};

const DATASETS: Record<ServiceProfile['kind'], string> = {
  nginx: 'nginx.access',
  'http-api': 'app.http',
  auth: 'auth.audit',
  worker: 'app.worker',
};

interface Window {
  from: number;
  to: number;
  value: number;
}

interface CompiledRoute {
  profile: RouteProfile;
  path: Template;
  mu: number;
  sigma: number;
  action: string;
  errorWindows: Window[];
  latencyWindows: Window[];
}

interface CompiledError {
  type: string;
  message: Template;
  frames: string | undefined;
}

/** A service's normal traffic, bent by the incidents that target it (error ratio, latency, silence, deploy). */
export class ServiceStream implements Source {
  /** One log per host, shared with the incidents that write as this service. */
  readonly logs: HostLog[];
  /** `event.dataset` of this service's events. */
  readonly dataset: string;
  private readonly routes: CompiledRoute[];
  private readonly cumulative: number[];
  private readonly errors: CompiledError[];
  private readonly silences: Window[];
  private readonly deploys: Array<{ at: number; version: string }>;
  private readonly loginFailureRatio: number;

  constructor(
    readonly profile: ServiceProfile,
    private readonly rng: Rng,
    private readonly ips: readonly string[],
    private readonly rhythm: Rhythm & { start?: number },
    incidents: readonly Incident[],
  ) {
    const file = profile.logFile ?? defaultLogFile(profile);
    this.logs = profile.hosts.map((host) => new HostLog(host, file));
    this.dataset = DATASETS[profile.kind];
    const mine = incidents.filter((incident) => incident.service === profile.name);
    this.routes = profile.routes.map((route) => compileRoute(route, mine));
    let total = 0;
    this.cumulative = profile.routes.map((route) => (total += route.weight));
    this.errors = (profile.errorTemplates ?? DEFAULT_ERRORS[profile.kind]).map((template) => ({
      type: template.type,
      message: compileMessage(template.message),
      frames: template.stackTrace ? javaFrames(profile.name, template.type) : undefined,
    }));
    this.silences = mine.flatMap((i) => (i.kind === 'silence' ? [{ from: i.from, to: i.to, value: 0 }] : []));
    this.deploys = mine
      .flatMap((i) => (i.kind === 'deploy' ? [{ at: i.at, version: i.version }] : []))
      .sort((a, b) => a.at - b.at);
    this.loginFailureRatio = profile.loginFailureRatio ?? DEFAULT_LOGIN_FAILURE_RATIO;
  }

  arrivals(second: number, out: Arrivals, source: number): void {
    const count = this.rng.poisson(ratePerSecond(this.profile, second + 500, this.rhythm));
    for (let i = 0; i < count; i++) out.push(this.rng.int(1000), source);
  }

  build(clock: Clock): LogEvent | undefined {
    const t = clock.time;
    if (this.silentAt(t)) return undefined;
    const rng = this.rng;
    const origin = this.origin(clock, this.pickHost(rng));
    const route = this.pickRoute();
    const errorRatio = within(route.errorWindows, t) ?? route.profile.errorRatio;
    const factor = within(route.latencyWindows, t) ?? 1;
    const ms = Math.exp(route.mu + route.sigma * rng.normal()) * factor;
    const u = rng.next();
    const failed = u < errorRatio;
    const { method } = route.profile;
    switch (this.profile.kind) {
      case 'worker':
        return jobEvent(
          origin,
          route.profile.path,
          1000 + rng.int(999000),
          ms,
          failed ? this.failure(ms) : undefined,
        );
      case 'auth': {
        const loginFailed =
          !failed && route.action === 'user-login' && u < errorRatio + this.loginFailureRatio;
        const ip = loginFailed ? rng.pick(this.ips) : this.clientIp();
        const status = failed ? rng.pick(SERVER_ERRORS) : loginFailed ? 401 : 200;
        const request = { method, path: fill(route.path, rng), status, ms, ip };
        const user = rng.pick(USER_NAMES);
        const outcome = failed || loginFailed ? 'failure' : 'success';
        return authEvent(origin, request, route.action, user, outcome, failed ? this.failure(ms) : undefined);
      }
      default: {
        const status = failed
          ? rng.pick(SERVER_ERRORS)
          : u < errorRatio + CLIENT_ERROR_RATIO
            ? rng.pick(CLIENT_ERRORS)
            : method === 'POST'
              ? 201
              : 200;
        const request = { method, path: fill(route.path, rng), status, ms, ip: this.clientIp() };
        if (this.profile.kind === 'nginx') {
          const bytes = status < 300 ? 400 + rng.int(24000) : 150 + rng.int(400);
          return accessEvent(origin, request, bytes, rng.pick(USER_AGENTS), clock.accessTime());
        }
        return apiEvent(origin, request, rng.hex(32), failed ? this.failure(ms) : undefined);
      }
    }
  }

  /** The fields every event of this service carries at `clock.time`, written to `host`. */
  origin(clock: Clock, host: HostLog): Origin {
    return {
      timestamp: clock.timestamp(),
      service: this.profile.name,
      version: this.versionAt(clock.time),
      environment: this.profile.environment ?? 'production',
      host,
    };
  }

  /** Whether a `silence` incident keeps the service from writing anything at `time`. */
  silentAt(time: number): boolean {
    return within(this.silences, time) !== undefined;
  }

  /** `service.version` at `time`: the last deploy's, or the profile's. */
  versionAt(time: number): string {
    let version = this.profile.version;
    for (const deploy of this.deploys) if (deploy.at <= time) version = deploy.version;
    return version;
  }

  /** A host of the service, uniformly. */
  pickHost(rng: Rng): HostLog {
    return this.logs[rng.int(this.logs.length)] as HostLog;
  }

  // A few heavy clients and a long tail: squaring a uniform draw favours low indices.
  private clientIp(): string {
    const u = this.rng.next();
    return this.ips[Math.floor(u * u * this.ips.length)] as string;
  }

  private pickRoute(): CompiledRoute {
    const x = this.rng.next() * (this.cumulative[this.cumulative.length - 1] ?? 0);
    for (let i = 0; i < this.routes.length - 1; i++)
      if (x < (this.cumulative[i] as number)) return this.routes[i] as CompiledRoute;
    return this.routes[this.routes.length - 1] as CompiledRoute;
  }

  private failure(ms: number): Failure | undefined {
    if (this.errors.length === 0) return undefined;
    const error = this.rng.pick(this.errors);
    const message = fill(error.message, this.rng, ms);
    if (error.frames === undefined) return { type: error.type, message };
    return { type: error.type, message, stackTrace: `${error.type}: ${message}\n${error.frames}` };
  }
}

/** The value of the window holding `time`, if any (later incidents win). */
function within(windows: readonly Window[], time: number): number | undefined {
  let value: number | undefined;
  for (const w of windows) if (time >= w.from && time < w.to) value = w.value;
  return value;
}

function compileRoute(route: RouteProfile, incidents: readonly Incident[]): CompiledRoute {
  // An incident names a route by its path template, or by method and path (`POST /api/orders`).
  const matches = (i: Incident): boolean =>
    'route' in i && (i.route === route.path || i.route === `${route.method} ${route.path}`);
  return {
    profile: route,
    path: compilePath(route.path),
    mu: Math.log(route.latencyMedianMs),
    sigma: Math.max(0, Math.log(route.latencyP95Ms / route.latencyMedianMs) / Z95),
    action: route.path.includes('logout')
      ? 'user-logout'
      : route.path.includes('login')
        ? 'user-login'
        : route.path.replace(/^\/+/, '').replace(/[/:]+/g, '-'),
    errorWindows: incidents.flatMap((i) =>
      i.kind === 'error-ratio' && matches(i) ? [{ from: i.from, to: i.to, value: i.errorRatio }] : [],
    ),
    latencyWindows: incidents.flatMap((i) =>
      i.kind === 'latency' && matches(i)
        ? [{ from: i.from, to: i.to, value: i.p95Ms / route.latencyP95Ms }]
        : [],
    ),
  };
}

function defaultLogFile(profile: ServiceProfile): string {
  if (profile.kind === 'nginx') return '/var/log/nginx/access.log';
  return `/var/log/${profile.name}/${profile.kind === 'auth' ? 'audit' : 'app'}.log`;
}
