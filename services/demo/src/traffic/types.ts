/** How a simulated service writes its logs; decides the event shape and `event.dataset`. */
export type ServiceKind = 'http-api' | 'nginx' | 'auth' | 'worker';

/** One route of a service (for a worker: one job type) with its normal behaviour. */
export interface RouteProfile {
  /** HTTP method; for a worker, the queue the job comes from. */
  method: string;
  /**
   * Path template; `:name` segments are filled with a fresh id on every request
   * (`/api/orders/:id` becomes `/api/orders/48213`). For a worker, the job type.
   */
  path: string;
  /** Relative share of the service's traffic (any positive scale). */
  weight: number;
  /** Median latency in milliseconds. */
  latencyMedianMs: number;
  /** 95th percentile latency in milliseconds; latencies are log-normal between the two. */
  latencyP95Ms: number;
  /** Share of requests that fail with a 5xx status (0.005 = 0.5 %). */
  errorRatio: number;
}

/** A recurring error that a service logs; placeholders `{id}`, `{ms}`, `{n}` vary per event. */
export interface ErrorTemplate {
  /** Exception or error class, e.g. `java.net.SocketTimeoutException`. */
  type: string;
  /** Message with placeholders, e.g. `Read timed out after {ms} ms`. */
  message: string;
  /** Attach a Java-style stack trace in `error.stack_trace`. */
  stackTrace?: boolean;
}

/** A simulated service: who it is, where it runs and how much and what it logs. */
export interface ServiceProfile {
  /** `service.name`. */
  name: string;
  /** `service.version` until a `deploy` incident changes it. */
  version: string;
  /** `service.environment`; `production` when absent. */
  environment?: string;
  /** Host names; each event comes from one of them, picked at random. */
  hosts: string[];
  /** Routes (or job types), picked by weight. */
  routes: RouteProfile[];
  /** Mean events per second at the daily peak, before `rateScale`. */
  peakEventsPerSecond: number;
  /** Event shape. */
  kind: ServiceKind;
  /** Errors logged by 5xx requests; a generic set per kind when absent. */
  errorTemplates?: ErrorTemplate[];
  /** For `auth`: share of logins that fail for a bad password (default 0.03). */
  loginFailureRatio?: number;
  /** Log file on each host (`log.file.path`); a path derived from the name when absent. */
  logFile?: string;
}

/**
 * Something that goes wrong, injected into the normal traffic. Times are epoch ms, `to`
 * excluded; `route` names a route by its path template (`/api/orders/:id`) or by method
 * and template (`GET /api/orders/:id`).
 */
export type Incident =
  /** The route's 5xx share becomes `errorRatio` inside the window. */
  | { kind: 'error-ratio'; service: string; route: string; from: number; to: number; errorRatio: number }
  /**
   * The route's latencies are multiplied so that their p95 becomes `p95Ms` (the median
   * moves by the same factor: the whole distribution shifts, as when a dependency slows down).
   */
  | { kind: 'latency'; service: string; route: string; from: number; to: number; p95Ms: number }
  /** The service writes nothing inside the window. */
  | { kind: 'silence'; service: string; from: number; to: number }
  /** A burst of an error nobody saw before, with a Java-style stack trace; `{id}` varies in `message`. */
  | {
      kind: 'new-exception';
      service: string;
      from: number;
      to: number;
      perMinute: number;
      exceptionType: string;
      message: string;
    }
  /** Failed logins from one address at a steady pace, against one user or many common ones. */
  | {
      kind: 'brute-force';
      service: string;
      from: number;
      to: number;
      sourceIp: string;
      perMinute: number;
      userName?: string;
    }
  /** Failed logins against many real user names from a few addresses. */
  | {
      kind: 'password-spraying';
      service: string;
      from: number;
      to: number;
      sourceIps: string[];
      perMinute: number;
    }
  /** One address requests `distinctPaths` different paths, evenly over the window, and gets 401/403/404. */
  | { kind: 'scan'; service: string; from: number; to: number; sourceIp: string; distinctPaths: number }
  /** From `at` on, the service reports `version`; each host logs a start-up line. */
  | { kind: 'deploy'; service: string; at: number; version: string };

/** Shape of the traffic over time, shared by `generateTraffic` and `ratePerSecond`. */
export interface Rhythm {
  /** Depth of the daily cycle: night rate = (1 - amplitude) × peak. Default 0.75 (night at 25 %). */
  dailyAmplitude?: number;
  /** Rate multiplier on Saturdays and Sundays (UTC). Default 1: no weekly dip. */
  weekendFactor?: number;
  /** Seasonal clock speed: 24 makes a simulated day last one hour of event time. Default 1. */
  timeScale?: number;
  /** Multiplies every service's rate, to shrink or grow volume. Default 1. */
  rateScale?: number;
  /** Instant at which the seasonal clock and event time agree. Default: the scenario's start, else 0. */
  origin?: number;
}

/** Everything `generateTraffic` needs: the same scenario always yields the same events. */
export interface TrafficScenario extends Rhythm {
  /** Seed of every random draw. */
  seed: number;
  /** First instant, epoch ms. */
  start: number;
  /** Length of the simulated period in ms. */
  durationMs: number;
  /** Services that log. */
  services: ServiceProfile[];
  /** Incidents injected into their traffic. */
  incidents: Incident[];
}
