import type { LogEvent } from '@vigie/common';
import { generateTraffic } from '../traffic/generate.js';
import { defaultShop } from '../traffic/shop.js';
import type { Incident, TrafficScenario } from '../traffic/types.js';
import { DEMO_DEFAULTS, DEMO_LABEL, type DemoOptions, demoIncidents } from './schedule.js';

const DAY = 86_400_000;

/** Where the live demo starts and how it behaves. */
export interface LiveDemoTrafficOptions extends Partial<DemoOptions> {
  /** Wall-clock instant the demo starts at, epoch ms: history ends and live traffic begins here. */
  startAt: number;
  /**
   * Instant up to which an earlier run already sent events (a restart): the history
   * starts there instead, when that is more recent, so nothing is sent twice.
   */
  resumeFrom?: number;
}

/**
 * The simulated shop's traffic in wall-clock time: an incident-free history ending at
 * `startAt`, then live traffic whose daily rhythm lasts `dayMs`, with a round of five
 * incidents `warmUpMs` after the start and every `incidentEveryMs` after that. Pure: the
 * caller says up to when it wants events (`take`), so a test drives it with any clock.
 */
export class LiveDemoTraffic {
  readonly options: DemoOptions;
  /** First instant of the history, epoch ms. */
  readonly historyStart: number;
  /** Start of live traffic, epoch ms. */
  readonly liveStart: number;
  /** Start of the first incident round, epoch ms. */
  readonly firstRound: number;
  private scenarioEnd: number;
  private scenarios = 0;
  private events: Iterator<LogEvent, void> | undefined;
  private next: LogEvent | undefined;
  private nextTime = Number.POSITIVE_INFINITY;

  constructor(options: LiveDemoTrafficOptions) {
    const { startAt, resumeFrom, ...rest } = options;
    this.options = { ...DEMO_DEFAULTS, ...definedOnly(rest) };
    this.liveStart = startAt;
    const earliest = startAt - this.options.historyMs;
    this.historyStart =
      resumeFrom !== undefined && resumeFrom > earliest ? Math.min(resumeFrom, startAt) : earliest;
    this.firstRound = startAt + this.options.warmUpMs;
    this.scenarioEnd = this.historyStart;
    this.advance();
  }

  /** Time of the next event, epoch ms. */
  get nextEventTime(): number {
    return this.nextTime;
  }

  /** The next events (at most `max`) whose time is before `until`, in time order, labelled as demo data. */
  take(until: number, max = Number.POSITIVE_INFINITY): LogEvent[] {
    const out: LogEvent[] = [];
    while (out.length < max && this.nextTime < until) {
      out.push(this.next as LogEvent);
      this.advance();
    }
    return out;
  }

  /** The incidents scheduled in [from, to). */
  incidentsBetween(from: number, to: number): Incident[] {
    return demoIncidents(this.firstRound, Math.max(from, this.liveStart), to, this.options);
  }

  private advance(): void {
    for (;;) {
      const step = this.events?.next();
      if (step && !step.done) {
        const event = step.value;
        event.labels = { ...event.labels, ...DEMO_LABEL };
        this.next = event;
        this.nextTime = Date.parse(event['@timestamp']);
        return;
      }
      this.events = generateTraffic(this.nextScenario())[Symbol.iterator]();
    }
  }

  /** The scenario after the current one: same shop and rhythm, the incidents of its span, a seed of its own. */
  private nextScenario(): TrafficScenario {
    const { seed, dayMs, rateScale, dailyAmplitude, horizonMs } = this.options;
    const start = this.scenarioEnd;
    this.scenarioEnd = start + horizonMs;
    return {
      seed: seed + this.scenarios++,
      start,
      durationMs: horizonMs,
      services: defaultShop(),
      incidents: this.incidentsBetween(start, this.scenarioEnd),
      rateScale,
      dailyAmplitude,
      timeScale: DAY / dayMs,
      // One seasonal clock for every scenario, so the rhythm has no jump where one ends.
      origin: this.historyStart,
    };
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
