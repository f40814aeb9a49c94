import type { LogEvent } from '@vigie/common';
import { TemplateMiner, type TemplateMinerSnapshot } from '../patterns/index.js';
import { poissonUpperTail, scoreFromPValue } from '../stats/tails.js';
import { quietVerdict, type Verdict } from './verdict.js';

/** Settings of the new-pattern detector. */
export interface NewPatternOptions {
  /** Error history a service needs before a template counts as new (cold start), ms. */
  warmupMs: number;
  /** How long a template stays "new" after its first occurrence, ms. */
  newForMs: number;
  /** Burst window, ms. */
  burstWindowMs: number;
  /** Fewest occurrences of a new template in the burst window. */
  minBurst: number;
  /** New templates followed at once, at most (the oldest are forgotten first). */
  maxYoung: number;
}

/** Defaults of the new-pattern detector. */
export const NEW_PATTERN_DEFAULTS: NewPatternOptions = {
  warmupMs: 3_600_000,
  newForMs: 3_600_000,
  burstWindowMs: 60_000,
  minBurst: 5,
  maxYoung: 1_000,
};

/** A template first seen recently, as kept in snapshots. */
export interface YoungTemplate {
  id: string;
  template: string;
  firstSeen: number;
  times: number[];
  samples: string[];
  errorType?: string;
}

/** State of the new-pattern detector of one service, as stored in snapshots. */
export interface NewPatternState {
  firstError?: number;
  miner: TemplateMinerSnapshot;
  young: YoungTemplate[];
}

/** The template an event's message belongs to, for contributors and drill-down. */
export interface TemplateOfEvent {
  id: string;
  template: string;
}

const MAX_MESSAGE = 1_000;

/**
 * Mines templates of a service's error messages online and flags a template never
 * seen before that comes in a burst. Only errors are mined: a new info message after a
 * deploy is normal, a new exception in a burst is what breaks things.
 */
export class NewPatternDetector {
  private readonly miner: TemplateMiner;
  private readonly young = new Map<string, YoungTemplate>();
  private firstError: number | undefined;

  constructor(
    state: NewPatternState | undefined,
    private readonly options: NewPatternOptions = NEW_PATTERN_DEFAULTS,
  ) {
    this.miner = state ? TemplateMiner.restore(state.miner) : new TemplateMiner();
    this.firstError = state?.firstError;
    for (const young of state?.young ?? []) this.young.set(young.id, structuredClone(young));
  }

  /** Learns an error event; returns its template. */
  addError(id: string, event: LogEvent, time: number): TemplateOfEvent {
    this.firstError ??= time;
    const text = errorText(event);
    const match = this.miner.add(text);
    const warm = time - this.firstError >= this.options.warmupMs;
    let young = this.young.get(match.templateId);
    if (!young && match.isNew && warm) {
      young = { id: match.templateId, template: match.template, firstSeen: time, times: [], samples: [] };
      if (event.error?.type) young.errorType = event.error.type;
      this.young.set(young.id, young);
      if (this.young.size > this.options.maxYoung) {
        const oldest = this.young.keys().next().value;
        if (oldest !== undefined) this.young.delete(oldest);
      }
    }
    if (young) {
      young.template = match.template;
      young.times.push(time);
      if (young.times.length > 10 * this.options.minBurst) young.times.shift();
      if (young.samples.length < 5) young.samples.push(id);
    }
    return { id: match.templateId, template: match.template };
  }

  /** Verdicts for the templates that are still new, at event time `time`. */
  evaluate(time: number): { template: YoungTemplate; verdict: Verdict }[] {
    const o = this.options;
    const verdicts: { template: YoungTemplate; verdict: Verdict }[] = [];
    for (const [id, young] of this.young) {
      if (time - young.firstSeen > o.newForMs) {
        this.young.delete(id);
        continue;
      }
      const inWindow = young.times.filter((t) => t > time - o.burstWindowMs).length;
      // A template never seen in the service's history: its expected rate is below one per window.
      const p = poissonUpperTail(inWindow, 0.5);
      verdicts.push({
        template: young,
        verdict: {
          ...quietVerdict('events', o.burstWindowMs),
          score: scoreFromPValue(p),
          anomalous: inWindow >= o.minBurst,
          observed: inWindow,
          expected: 0,
          upper: o.minBurst,
          describe: `a new error pattern appeared ${Math.round((time - young.firstSeen) / 1000)} s ago and occurred ${inWindow} times in ${o.burstWindowMs / 1000} s: "${preview(young.template)}"`,
          sampleEventIds: [...young.samples],
        },
      });
    }
    return verdicts;
  }

  /** The current text of a template still followed as new. */
  templateText(id: string): string | undefined {
    return this.young.get(id)?.template;
  }

  snapshot(): NewPatternState {
    const state: NewPatternState = {
      miner: this.miner.snapshot(),
      young: [...this.young.values()].map((y) => structuredClone(y)),
    };
    if (this.firstError !== undefined) state.firstError = this.firstError;
    return state;
  }
}

/** The text mined for an error: its type and the first line of its message. */
function errorText(event: LogEvent): string {
  const firstLine = event.message.split('\n', 1)[0] ?? '';
  const type = event.error?.type;
  const text = type && !firstLine.includes(type) ? `${type}: ${firstLine}` : firstLine;
  return text.slice(0, MAX_MESSAGE);
}

function preview(template: string): string {
  return template.length > 160 ? `${template.slice(0, 157)}...` : template;
}
