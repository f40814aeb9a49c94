import type { LogEvent } from '@vigie/common';
import type { Clock } from './clock.js';
import type { Rng } from './random.js';
import type { ServiceStream } from './service-stream.js';
import { accessEvent, apiEvent, authEvent, exceptionEvent, infoEvent } from './shapes.js';
import type { Arrivals, Source } from './source.js';
import type { Incident } from './types.js';
import {
  ATTACK_USER_NAMES,
  compileMessage,
  fill,
  javaFrames,
  SCANNER_AGENTS,
  scanPaths,
  type Template,
  USER_NAMES,
} from './vocab.js';

/**
 * Arrivals at a steady pace with ±20 % jitter, as a bot sends them: the count per
 * minute stays within one of `perMinute`, unlike Poisson arrivals.
 */
abstract class PacedSource implements Source {
  private next: number;
  private readonly interval: number;

  constructor(
    protected readonly rng: Rng,
    protected readonly from: number,
    private readonly to: number,
    perMinute: number,
  ) {
    this.next = from;
    this.interval = perMinute > 0 ? 60_000 / perMinute : Number.POSITIVE_INFINITY;
  }

  arrivals(second: number, out: Arrivals, source: number): void {
    const end = Math.min(second + 1000, this.to);
    while (this.next < end) {
      if (this.next >= second) out.push(Math.floor(this.next - second), source);
      this.next += this.interval * (0.8 + 0.4 * this.rng.next());
    }
  }

  abstract build(clock: Clock): LogEvent | undefined;
}

class BruteForce extends PacedSource {
  constructor(
    private readonly stream: ServiceStream,
    rng: Rng,
    private readonly incident: Extract<Incident, { kind: 'brute-force' }>,
  ) {
    super(rng, incident.from, incident.to, incident.perMinute);
  }

  build(clock: Clock): LogEvent {
    const user = this.incident.userName ?? this.rng.pick(ATTACK_USER_NAMES);
    const request = {
      method: 'POST',
      path: '/login',
      status: 401,
      ms: 15 + this.rng.int(60),
      ip: this.incident.sourceIp,
    };
    const origin = this.stream.origin(clock, this.stream.pickHost(this.rng));
    return authEvent(origin, request, 'user-login', user, 'failure');
  }
}

class PasswordSpraying extends PacedSource {
  constructor(
    private readonly stream: ServiceStream,
    rng: Rng,
    private readonly incident: Extract<Incident, { kind: 'password-spraying' }>,
  ) {
    super(rng, incident.from, incident.to, incident.perMinute);
  }

  build(clock: Clock): LogEvent {
    const ip = this.rng.pick(this.incident.sourceIps);
    const request = { method: 'POST', path: '/login', status: 401, ms: 15 + this.rng.int(60), ip };
    const origin = this.stream.origin(clock, this.stream.pickHost(this.rng));
    return authEvent(origin, request, 'user-login', this.rng.pick(USER_NAMES), 'failure');
  }
}

class Scan extends PacedSource {
  private readonly paths: string[];
  private readonly agent: string;
  private done = 0;

  constructor(
    private readonly stream: ServiceStream,
    rng: Rng,
    private readonly incident: Extract<Incident, { kind: 'scan' }>,
  ) {
    // Spaced so that the last path falls inside the window despite the jitter.
    super(
      rng,
      incident.from,
      incident.to,
      (incident.distinctPaths * 1.25 * 60_000) / (incident.to - incident.from),
    );
    this.paths = scanPaths(incident.distinctPaths);
    this.agent = rng.pick(SCANNER_AGENTS);
  }

  build(clock: Clock): LogEvent | undefined {
    const path = this.paths[this.done++];
    if (path === undefined) return undefined;
    const status = /admin|login/.test(path) ? 401 : /\/\.|\.ht/.test(path) ? 403 : 404;
    const request = { method: 'GET', path, status, ms: 1 + this.rng.int(20), ip: this.incident.sourceIp };
    const origin = this.stream.origin(clock, this.stream.pickHost(this.rng));
    if (this.stream.profile.kind === 'nginx') {
      return accessEvent(origin, request, 150 + this.rng.int(400), this.agent, clock.accessTime());
    }
    return apiEvent(origin, request, this.rng.hex(32));
  }
}

/** Poisson arrivals at `perMinute`: an exception thrown by some share of real requests. */
class NewException implements Source {
  private readonly message: Template;
  private readonly frames: string;

  constructor(
    private readonly stream: ServiceStream,
    private readonly rng: Rng,
    private readonly incident: Extract<Incident, { kind: 'new-exception' }>,
  ) {
    this.message = compileMessage(incident.message);
    this.frames = javaFrames(stream.profile.name, incident.exceptionType);
  }

  arrivals(second: number, out: Arrivals, source: number): void {
    const { from, to, perMinute } = this.incident;
    if (second + 1000 <= from || second >= to) return;
    const count = this.rng.poisson(perMinute / 60);
    for (let i = 0; i < count; i++) {
      const offset = this.rng.int(1000);
      if (second + offset >= from && second + offset < to) out.push(offset, source);
    }
  }

  build(clock: Clock): LogEvent {
    const type = this.incident.exceptionType;
    const message = fill(this.message, this.rng);
    const origin = this.stream.origin(clock, this.stream.pickHost(this.rng));
    return exceptionEvent(origin, this.stream.dataset, {
      type,
      message,
      stackTrace: `${type}: ${message}\n${this.frames}`,
    });
  }
}

/** One start-up line per host, a few milliseconds apart, when the new version starts. */
class Deploy implements Source {
  private host = 0;

  constructor(
    private readonly stream: ServiceStream,
    private readonly incident: Extract<Incident, { kind: 'deploy' }>,
  ) {}

  arrivals(second: number, out: Arrivals, source: number): void {
    for (let i = 0; i < this.stream.logs.length; i++) {
      const at = this.incident.at + i * 250;
      if (at >= second && at < second + 1000) out.push(at - second, source);
    }
  }

  build(clock: Clock): LogEvent {
    const log = this.stream.logs[this.host++ % this.stream.logs.length];
    if (log === undefined) throw new Error('a service has at least one host');
    const message = `Starting ${this.stream.profile.name} ${this.incident.version} on ${log.name}`;
    return infoEvent(this.stream.origin(clock, log), this.stream.dataset, message);
  }
}

/** What an incident's source would write, except while its service is silenced. */
class UnlessSilent implements Source {
  constructor(
    private readonly stream: ServiceStream,
    private readonly source: Source,
  ) {}

  arrivals(second: number, out: Arrivals, source: number): void {
    this.source.arrivals(second, out, source);
  }

  build(clock: Clock): LogEvent | undefined {
    return this.stream.silentAt(clock.time) ? undefined : this.source.build(clock);
  }
}

/**
 * The sources an incident adds to the traffic, if any: the incidents that only bend a
 * service's own traffic (error ratio, latency, silence) have none. A silenced service
 * writes nothing, not even an incident's events.
 */
export function incidentSource(incident: Incident, stream: ServiceStream, rng: Rng): Source | undefined {
  const source = eventsOf(incident, stream, rng);
  return source && new UnlessSilent(stream, source);
}

function eventsOf(incident: Incident, stream: ServiceStream, rng: Rng): Source | undefined {
  switch (incident.kind) {
    case 'brute-force':
      return new BruteForce(stream, rng, incident);
    case 'password-spraying':
      return new PasswordSpraying(stream, rng, incident);
    case 'scan':
      return new Scan(stream, rng, incident);
    case 'new-exception':
      return new NewException(stream, rng, incident);
    case 'deploy':
      return new Deploy(stream, incident);
    default:
      return undefined;
  }
}
