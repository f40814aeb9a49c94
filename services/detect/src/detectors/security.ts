import type { LogEvent } from '@vigie/common';
import { routeTemplate } from '../metrics/route.js';
import { poissonUpperTail, scoreFromPValue } from '../stats/tails.js';
import { quietVerdict, type Verdict } from './verdict.js';

/** Settings of the security detectors. */
export interface SecurityOptions {
  /** Window of the brute-force counts, ms. */
  bruteForceWindowMs: number;
  /** Fewest failed logins in the window from one ip (or against one user). */
  minFailures: number;
  /** Window of password spraying and scanning, ms. */
  spreadWindowMs: number;
  /** Fewest distinct users with failed logins from one ip. */
  minSprayedUsers: number;
  /** Fewest distinct routes answered 401/403/404 to one ip. */
  minScannedPaths: number;
  /** Distinct source ips a user's failed logins must come from to count against the user (distributed brute force). */
  minIpsPerUser: number;
  /** Failed logins per window an ordinary actor may have (the Poisson mean of the test). */
  ordinaryFailures: number;
  /** Actors (ips, users) tracked at most; the least recently seen are forgotten first. */
  maxActors: number;
}

/** Defaults of the security detectors. */
export const SECURITY_DEFAULTS: SecurityOptions = {
  bruteForceWindowMs: 60_000,
  minFailures: 10,
  spreadWindowMs: 300_000,
  minSprayedUsers: 10,
  minScannedPaths: 8,
  minIpsPerUser: 3,
  ordinaryFailures: 1,
  maxActors: 50_000,
};

/** Which security pattern a verdict is about. */
export type SecurityKind = 'brute_force' | 'password_spraying' | 'scan';

/** A security verdict for one actor. */
export interface SecurityVerdict {
  kind: SecurityKind;
  field: 'source.ip' | 'user.name';
  actor: string;
  verdict: Verdict;
}

/** One actor's windows as stored in snapshots (maps as [value, last seen] pairs, oldest first). */
export interface ActorState {
  key: string;
  failures: number[];
  users: [string, number][];
  ips: [string, number][];
  paths: [string, number][];
  samples: string[];
  lastSeen: number;
  touched: boolean;
}

interface Actor {
  failures: number[];
  users: Map<string, number>;
  ips: Map<string, number>;
  paths: Map<string, number>;
  samples: string[];
  lastSeen: number;
  touched: boolean;
}

const MAX_TIMES = 2_000;
const MAX_DISTINCT = 2_000;

// sshd / PAM / common frameworks, for logs without ECS event.outcome. Linear patterns.
const FAILED_LOGIN = [
  /Failed (?:password|publickey) for (?:invalid user )?(\S+) from ([0-9a-fA-F.:]+)/,
  /Invalid user (\S+) from ([0-9a-fA-F.:]+)/,
  /authentication failure;.*?rhost=([0-9a-fA-F.:]+)(?:\s+user=(\S+))?/,
];

/** Who failed to log in, if the event is a failed login. */
export function failedLogin(event: LogEvent): { ip?: string; user?: string } | undefined {
  const categories = event.event?.category;
  if (categories?.includes('authentication') && event.event?.outcome === 'failure') {
    return { ip: event.source?.ip, user: event.user?.name };
  }
  // Text patterns are for sshd/PAM-style lines; access logs (with an HTTP status) are not.
  if (event.http?.response?.status_code !== undefined) return undefined;
  const message = event.message;
  if (message.length > 2_000 || !/fail|invalid/i.test(message)) return undefined;
  for (const [index, pattern] of FAILED_LOGIN.entries()) {
    const match = pattern.exec(message);
    if (!match) continue;
    if (index === 2) return { ip: event.source?.ip ?? match[1], user: event.user?.name ?? match[2] };
    return { ip: event.source?.ip ?? match[2], user: event.user?.name ?? match[1] };
  }
  return undefined;
}

/**
 * Failed logins per source ip and per user (brute force), distinct users per ip
 * (password spraying) and distinct paths answered 401/403/404 per ip (scanning), over
 * sliding windows. Memory is bounded by `maxActors` and by caps per actor.
 */
export class SecurityDetector {
  private readonly actors = new Map<string, Actor>();
  private now = 0;

  constructor(
    private readonly options: SecurityOptions = SECURITY_DEFAULTS,
    state?: ActorState[],
  ) {
    for (const actor of state ?? []) {
      this.actors.set(actor.key, {
        failures: [...actor.failures],
        users: new Map(actor.users),
        ips: new Map(actor.ips),
        paths: new Map(actor.paths),
        samples: [...actor.samples],
        lastSeen: actor.lastSeen,
        touched: actor.touched,
      });
    }
  }

  /** The windows of every actor, for the engine snapshot (a restart keeps a brute force in view). */
  snapshot(): ActorState[] {
    return [...this.actors.entries()].map(([key, actor]) => ({
      key,
      failures: [...actor.failures],
      users: [...actor.users.entries()],
      ips: [...actor.ips.entries()],
      paths: [...actor.paths.entries()],
      samples: [...actor.samples],
      lastSeen: actor.lastSeen,
      touched: actor.touched,
    }));
  }

  add(id: string, event: LogEvent, time: number): void {
    const login = failedLogin(event);
    if (login) {
      if (login.ip) {
        const actor = this.actor(`source.ip\u0000${login.ip}`, time, id);
        push(actor.failures, time);
        if (login.user) remember(actor.users, login.user, time);
      }
      if (login.user) {
        const actor = this.actor(`user.name\u0000${login.user}`, time, id);
        push(actor.failures, time);
        if (login.ip) remember(actor.ips, login.ip, time);
      }
      return;
    }
    const status = event.http?.response?.status_code;
    const ip = event.source?.ip;
    const path = event.url?.path;
    if (ip && path && (status === 401 || status === 403 || status === 404)) {
      // Templates, not raw paths: a client asking for ten missing products is not scanning.
      remember(this.actor(`source.ip\u0000${ip}`, time, id).paths, routeTemplate(path), time);
    }
  }

  /** Verdicts for actors seen since the last call, and for actors with `open` keys. */
  evaluate(
    time: number,
    isOpen: (kind: SecurityKind, field: string, actor: string) => boolean,
  ): SecurityVerdict[] {
    const verdicts: SecurityVerdict[] = [];
    const o = this.options;
    this.now = time;
    for (const [key, actor] of this.actors) {
      const [field, name] = key.split('\u0000') as ['source.ip' | 'user.name', string];
      const judge = (kind: SecurityKind) => actor.touched || isOpen(kind, field, name);
      prune(actor, time - o.bruteForceWindowMs, time - o.spreadWindowMs);
      if (judge('brute_force')) {
        verdicts.push({
          kind: 'brute_force',
          field,
          actor: name,
          verdict: this.bruteForce(field, name, actor),
        });
      }
      if (field === 'source.ip' && judge('password_spraying')) {
        verdicts.push({ kind: 'password_spraying', field, actor: name, verdict: this.spraying(name, actor) });
      }
      if (field === 'source.ip' && judge('scan')) {
        verdicts.push({ kind: 'scan', field, actor: name, verdict: this.scan(name, actor) });
      }
      actor.touched = false;
      if (actor.failures.length === 0 && actor.users.size === 0 && actor.paths.size === 0)
        this.actors.delete(key);
    }
    return verdicts;
  }

  private bruteForce(field: string, name: string, actor: Actor): Verdict {
    const o = this.options;
    const failures = actor.failures.length;
    const p = poissonUpperTail(failures, o.ordinaryFailures);
    const who = field === 'source.ip' ? `from ${name}` : `against user ${name}`;
    return {
      ...quietVerdict('failures', this.spanOf(actor.failures, o.bruteForceWindowMs)),
      score: scoreFromPValue(p),
      anomalous: failures >= o.minFailures && (field === 'source.ip' || actor.ips.size >= o.minIpsPerUser),
      observed: failures,
      expected: o.ordinaryFailures,
      upper: o.minFailures,
      describe: `${failures} failed logins ${who} in ${o.bruteForceWindowMs / 1000} s`,
      sampleEventIds: [...actor.samples],
    };
  }

  private spraying(ip: string, actor: Actor): Verdict {
    const o = this.options;
    const users = actor.users.size;
    const p = poissonUpperTail(users, o.ordinaryFailures);
    return {
      ...quietVerdict('users', this.spanOf([...actor.users.values()], o.spreadWindowMs)),
      score: scoreFromPValue(p),
      anomalous: users >= o.minSprayedUsers,
      observed: users,
      expected: o.ordinaryFailures,
      upper: o.minSprayedUsers,
      describe: `failed logins for ${users} different users from ${ip} in ${o.spreadWindowMs / 1000} s`,
      sampleEventIds: [...actor.samples],
    };
  }

  private scan(ip: string, actor: Actor): Verdict {
    const o = this.options;
    const paths = actor.paths.size;
    const p = poissonUpperTail(paths, 2 * o.ordinaryFailures);
    return {
      ...quietVerdict('paths', this.spanOf([...actor.paths.values()], o.spreadWindowMs)),
      score: scoreFromPValue(p),
      anomalous: paths >= o.minScannedPaths,
      observed: paths,
      expected: 2 * o.ordinaryFailures,
      upper: o.minScannedPaths,
      describe: `${paths} distinct routes answered 401/403/404 to ${ip} in ${o.spreadWindowMs / 1000} s`,
      sampleEventIds: [...actor.samples],
    };
  }

  /** From the oldest event still in the window to now: when the pattern started. */
  private spanOf(times: readonly number[], windowMs: number): number {
    let oldest = this.now;
    for (const t of times) if (t < oldest) oldest = t;
    return Math.min(windowMs, this.now - oldest);
  }

  private actor(key: string, time: number, id: string): Actor {
    let actor = this.actors.get(key);
    if (actor) {
      this.actors.delete(key);
    } else {
      actor = {
        failures: [],
        users: new Map(),
        ips: new Map(),
        paths: new Map(),
        samples: [],
        lastSeen: time,
        touched: true,
      };
      if (this.actors.size >= this.options.maxActors) {
        const oldest = this.actors.keys().next().value;
        if (oldest !== undefined) this.actors.delete(oldest);
      }
    }
    this.actors.set(key, actor);
    actor.lastSeen = time;
    actor.touched = true;
    actor.samples.push(id);
    if (actor.samples.length > 5) actor.samples.shift();
    return actor;
  }
}

function push(times: number[], time: number): void {
  times.push(time);
  if (times.length > MAX_TIMES) times.shift();
}

function remember(values: Map<string, number>, value: string, time: number): void {
  const key = value.slice(0, 512);
  values.delete(key);
  values.set(key, time);
  if (values.size > MAX_DISTINCT) {
    const oldest = values.keys().next().value;
    if (oldest !== undefined) values.delete(oldest);
  }
}

function prune(actor: Actor, failuresSince: number, distinctSince: number): void {
  while ((actor.failures[0] ?? Number.POSITIVE_INFINITY) <= failuresSince) actor.failures.shift();
  for (const map of [actor.users, actor.ips, actor.paths]) {
    for (const [value, seen] of map) {
      if (seen > distinctSince) break;
      map.delete(value);
    }
  }
}
