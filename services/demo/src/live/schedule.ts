import type { Incident } from '../traffic/types.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;

/** Settings of the live demo traffic; every field has a default in `DEMO_DEFAULTS`. */
export interface DemoOptions {
  /** Seed of every random draw. */
  seed: number;
  /** How long a simulated day lasts in wall-clock time, ms (the daily rhythm is compressed into it). */
  dayMs: number;
  /** Multiplies the shop's rates (about 8 events/s at the peak): 15 gives about 60-120 events/s. */
  rateScale: number;
  /** Depth of the daily cycle: the night rate is (1 - amplitude) × the peak rate. */
  dailyAmplitude: number;
  /**
   * Incident-free history sent at start, as fast as the pipeline takes it, ending now: the
   * detectors need a baseline before they can call anything abnormal (the new-pattern
   * detector learns for an hour of event time, the volume and latency ones for 100 buckets).
   */
  historyMs: number;
  /** Normal live traffic before the first incidents, ms. */
  warmUpMs: number;
  /** The incidents repeat with this period, ms. */
  incidentEveryMs: number;
  /** Length of the scenario generated at a time, ms; the next one starts where it ends. */
  horizonMs: number;
}

export const DEMO_DEFAULTS: DemoOptions = {
  seed: 1,
  dayMs: 20 * MINUTE,
  rateScale: 15,
  dailyAmplitude: 0.5,
  historyMs: 65 * MINUTE,
  warmUpMs: 30 * SECOND,
  incidentEveryMs: 10 * MINUTE,
  horizonMs: 6 * 60 * MINUTE,
};

/** Label on every demo event, so that the UI can say the data is simulated. */
export const DEMO_LABEL = { demo: 'true' } as const;

// A new exception must be one the service never threw: each round throws the next one.
const NEW_EXCEPTIONS: readonly { type: string; message: string }[] = [
  {
    type: 'com.shop.payment.fraud.RiskScoreUnavailableException',
    message: 'risk engine returned no score for payment {id}',
  },
  {
    type: 'com.shop.payment.acquirer.InvalidMerchantConfigException',
    message: 'merchant account missing for currency on payment {id}',
  },
  {
    type: 'java.lang.IllegalStateException',
    message: 'refund ledger closed while capturing payment {id}',
  },
  {
    type: 'com.fasterxml.jackson.databind.exc.MismatchedInputException',
    message: 'cannot deserialize acquirer reply: missing field authorizationCode',
  },
  { type: 'java.lang.NullPointerException', message: 'card token is null in 3DS callback' },
  {
    type: 'javax.net.ssl.SSLHandshakeException',
    message: 'PKIX path validation failed for acquirer certificate',
  },
];

/**
 * One round of the five incidents, `at` being its start: within two minutes a brute
 * force on auth, an error spike and a latency regression on shop-api, a new exception on
 * payment and a silent order-worker, each lasting two to three minutes.
 */
export function incidentRound(at: number, round: number): Incident[] {
  const exception = NEW_EXCEPTIONS[round % NEW_EXCEPTIONS.length] as (typeof NEW_EXCEPTIONS)[number];
  return [
    {
      kind: 'brute-force',
      service: 'auth',
      from: at,
      to: at + 2 * MINUTE,
      sourceIp: `203.0.113.${66 + (round % 100)}`,
      perMinute: 120,
      userName: 'admin',
    },
    {
      kind: 'error-ratio',
      service: 'shop-api',
      route: 'POST /api/orders',
      from: at + 15 * SECOND,
      to: at + 2 * MINUTE + 15 * SECOND,
      errorRatio: 0.25,
    },
    {
      kind: 'latency',
      service: 'shop-api',
      route: 'GET /api/products/:id',
      from: at + 30 * SECOND,
      to: at + 3 * MINUTE,
      p95Ms: 1500,
    },
    {
      kind: 'new-exception',
      service: 'payment',
      from: at + 45 * SECOND,
      to: at + 2 * MINUTE + 45 * SECOND,
      perMinute: 30,
      exceptionType: exception.type,
      message: exception.message,
    },
    { kind: 'silence', service: 'order-worker', from: at + MINUTE, to: at + 3 * MINUTE },
  ];
}

/**
 * The incidents that touch [from, to), cut to it: rounds every `incidentEveryMs` from
 * `firstRound` on. Rounds are numbered from `firstRound`, so a round keeps its number
 * (and its new exception) whichever scenario it falls in.
 */
export function demoIncidents(
  firstRound: number,
  from: number,
  to: number,
  options: Pick<DemoOptions, 'incidentEveryMs'> = DEMO_DEFAULTS,
): Incident[] {
  const every = options.incidentEveryMs;
  // A round lasts at most three minutes, so the one starting before `from` may still run.
  const first = Math.max(0, Math.floor((from - firstRound - 3 * MINUTE) / every));
  const out: Incident[] = [];
  for (let round = first; firstRound + round * every < to; round++) {
    for (const incident of incidentRound(firstRound + round * every, round)) {
      const clipped = clip(incident, from, to);
      if (clipped) out.push(clipped);
    }
  }
  return out;
}

function clip(incident: Incident, from: number, to: number): Incident | undefined {
  if (incident.kind === 'deploy') return incident.at >= from && incident.at < to ? incident : undefined;
  const start = Math.max(incident.from, from);
  const end = Math.min(incident.to, to);
  return start < end ? { ...incident, from: start, to: end } : undefined;
}
