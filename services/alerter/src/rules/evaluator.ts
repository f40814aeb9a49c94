import type { AlertRule, IncidentAnomaly, LogSearch, QueryNode, RuleCondition } from '@vigie/common';
import { parseQuery } from '@vigie/common';
import { SeriesDetector, type SeriesDetectorOptions } from '@vigie/detect';
import { definitionHash, type RuleAnomaly, ruleAnomaly, strayClosed } from './rule-anomaly.js';
import { gridFloor, type RulePoint, type Run, slidingCounts, stepOf, trackRuns } from './runs.js';

/** Defaults of {@link RuleEvaluatorOptions}. */
export const RULE_DEFAULTS = {
  stepMs: 10_000,
  settleMs: 5_000,
  lookbackMs: 6 * 3_600_000,
  backfillMs: 2 * 86_400_000,
  maxBackfillWindows: 2_000,
  samples: 3,
};

/** An open rule anomaly held by an incident, as the incident store knows it. */
export interface HeldRuleAnomaly {
  service: string;
  anomaly: IncidentAnomaly;
}

/** What a {@link RuleEvaluator} reads from and how it steps. */
export interface RuleEvaluatorOptions {
  search: LogSearch;
  listRules: () => Promise<AlertRule[]>;
  /** Options of the `anomalous` condition's baseline (`SeriesDetector` of @vigie/detect). */
  seriesOptions?: Partial<SeriesDetectorOptions>;
  /** Grid step of threshold rules (their sliding window moves by it). Default 10 s. */
  stepMs?: number;
  /** Windows ending less than this before `now` wait: late events are still being indexed. Default 5 s. */
  settleMs?: number;
  /** How far back a threshold rule looks on its first evaluation, to find when its current run began. Default 6 h. */
  lookbackMs?: number;
  /** History an `anomalous` rule's baseline learns from on its first evaluation. Default 2 days. */
  backfillMs?: number;
  /** At most this many windows of backfill (and of catch-up after a pause). Default 2,000. */
  maxBackfillWindows?: number;
  /** Sample event ids kept when a run opens, for the notification's log lines. Default 3. */
  samples?: number;
  /**
   * Open `log_rule` anomalies of active incidents, read once after start: those no current
   * run continues (their rule was deleted, edited, or its run ended while the alerter was
   * down) are closed, so their incidents can resolve.
   */
  heldAnomalies?: () => Promise<HeldRuleAnomaly[]>;
  /** Called when one rule cannot be evaluated (its query no longer parses, the search failed); the others go on. */
  onRuleError?: (rule: AlertRule, err: unknown) => void;
}

interface RuleState {
  rule: AlertRule;
  hash: string;
  /** Last window end evaluated. */
  evaluatedUntil: number;
  run: Run | undefined;
  detector?: SeriesDetector;
}

/**
 * Evaluates log alert rules: counts each rule's query through the search port on a grid
 * of window ends aligned to the epoch, judges each count (above / below a threshold, or
 * outside the band of a `SeriesDetector` baseline fed with the counts of consecutive
 * windows) and reports the runs where the condition holds as `log_rule` anomalies, open
 * when a run starts, closed when it ends.
 *
 * State (open runs, baselines) lives in memory. A restart loses none of it for good: the
 * first evaluation of each rule replays its recent history from the logs (threshold
 * rules `lookbackMs`, baselines `backfillMs`), so the same run gets the same id and the
 * baseline relearns what it knew. What cannot be replayed: runs older than the lookback
 * (they continue under a new id; `heldAnomalies` closes the old one), and events that
 * arrived after their window was judged (the replay counts them, the live pass did not).
 */
export class RuleEvaluator {
  private readonly o: RuleEvaluatorOptions & typeof RULE_DEFAULTS;
  private readonly states = new Map<string, RuleState>();
  private strayCheckDone = false;
  private running: Promise<unknown> = Promise.resolve();

  constructor(options: RuleEvaluatorOptions) {
    this.o = { ...RULE_DEFAULTS, ...options };
  }

  /**
   * Evaluates every enabled rule up to `now` (epoch ms) and returns the anomaly versions
   * to file, in time order per rule. Calls never overlap (a second waits for the first).
   * Throws only when the rules cannot be listed.
   */
  evaluate(now: number): Promise<RuleAnomaly[]> {
    const next = this.running.then(() => this.evaluateAll(now));
    this.running = next.catch(() => undefined);
    return next;
  }

  private async evaluateAll(now: number): Promise<RuleAnomaly[]> {
    const rules = (await this.o.listRules()).filter((rule) => rule.enabled);
    const out: RuleAnomaly[] = [];
    let failures = 0;
    for (const rule of rules) {
      try {
        await this.evaluateRule(rule, now, out);
      } catch (err) {
        failures++;
        this.o.onRuleError?.(rule, err);
      }
    }
    const current = new Set(rules.map((rule) => rule.id));
    for (const [id, state] of this.states) {
      if (current.has(id)) continue;
      // Deleted or disabled: its open run ends where it was last seen.
      if (state.run) out.push(ruleAnomaly(state.rule, state.run, closingPoint(state)));
      this.states.delete(id);
    }
    // Only after a pass where every rule was evaluated: a rule that failed has no run yet,
    // and its open anomaly would look like a stray.
    if (!this.strayCheckDone && this.o.heldAnomalies && failures === 0)
      out.push(...(await this.closeStrays(out, now)));
    return out;
  }

  private async closeStrays(emitted: RuleAnomaly[], now: number): Promise<RuleAnomaly[]> {
    let held: HeldRuleAnomaly[];
    try {
      held = (await this.o.heldAnomalies?.()) ?? [];
    } catch {
      return []; // tried again at the next evaluation
    }
    this.strayCheckDone = true;
    const continued = new Set(emitted.map((a) => a.id));
    for (const state of this.states.values())
      if (state.run) continued.add(ruleAnomaly(state.rule, state.run).id);
    return held
      .filter(
        ({ anomaly }) =>
          anomaly.kind === 'log_rule' && anomaly.state === 'open' && !continued.has(anomaly.id),
      )
      .map((stray) => strayClosed(stray.service, stray.anomaly, now));
  }

  /** Appends to `out` as it goes: the close of an edited rule's run survives a failing search. */
  private async evaluateRule(rule: AlertRule, now: number, out: RuleAnomaly[]): Promise<void> {
    const hash = definitionHash(rule);
    const previous = this.states.get(rule.id);
    if (previous && previous.hash !== hash) {
      // An edited rule is a new rule: the former definition's run ends here.
      if (previous.run) out.push(ruleAnomaly(previous.rule, previous.run, closingPoint(previous)));
      this.states.delete(rule.id);
    }
    const known = this.states.get(rule.id);
    const query = parseQuery(rule.query);
    const { points, evaluatedUntil, detector } =
      rule.condition.type === 'anomalous'
        ? await this.anomalousPoints(rule, query, known, now)
        : await this.thresholdPoints(rule, rule.condition, query, known, now);

    const { run, transitions } = trackRuns(known?.run, points);
    for (const transition of transitions) {
      if (transition.type === 'close') {
        out.push(ruleAnomaly(rule, transition.run, transition.end));
      } else if (known || transition.run === run) {
        // Replaying history (no state yet), runs that already ended are reported closed only.
        transition.run.sampleEventIds = await this.samples(rule, query, transition.run.first);
        out.push(ruleAnomaly(rule, transition.run));
      }
    }
    this.states.set(rule.id, { rule, hash, evaluatedUntil, run, ...(detector && { detector }) });
  }

  private async thresholdPoints(
    rule: AlertRule,
    condition: Exclude<RuleCondition, { type: 'anomalous' }>,
    query: QueryNode,
    known: RuleState | undefined,
    now: number,
  ): Promise<{ points: RulePoint[]; evaluatedUntil: number; detector?: SeriesDetector }> {
    const step = stepOf(rule.windowMs, this.o.stepMs);
    const span = Math.ceil(rule.windowMs / step) * step;
    const last = gridFloor(now - this.o.settleMs, step);
    const earliest = last - Math.ceil(this.o.lookbackMs / step) * step;
    const first = Math.max(known ? known.evaluatedUntil + step : earliest, earliest);
    if (first > last) return { points: [], evaluatedUntil: known?.evaluatedUntil ?? last };
    const histogram = await this.o.search.histogram({ query, from: first - span, to: last - 1 }, step);
    const points = slidingCounts(histogram, first, last, step, span).map(({ time, count }): RulePoint => {
      const holds = condition.type === 'above' ? count > condition.threshold : count < condition.threshold;
      return {
        time,
        count,
        holds,
        expected: condition.threshold,
        // The normal range: at most the threshold for `above`, at least it for `below`.
        lower: condition.type === 'above' ? 0 : condition.threshold,
        upper: condition.type === 'above' ? condition.threshold : Number.MAX_SAFE_INTEGER,
        score: holds ? 1 : 0,
      };
    });
    return { points, evaluatedUntil: last };
  }

  private async anomalousPoints(
    rule: AlertRule,
    query: QueryNode,
    known: RuleState | undefined,
    now: number,
  ): Promise<{ points: RulePoint[]; evaluatedUntil: number; detector: SeriesDetector }> {
    const width = rule.windowMs;
    const detector = known?.detector ?? new SeriesDetector(this.o.seriesOptions);
    const last = gridFloor(now - this.o.settleMs, width);
    const warmUp = this.o.seriesOptions?.warmUpPoints ?? 100;
    const history = Math.min(
      this.o.maxBackfillWindows,
      Math.max(Math.ceil(this.o.backfillMs / width), warmUp + 1),
    );
    const earliest = last - (history - 1) * width;
    const first = Math.max(known ? known.evaluatedUntil + width : earliest, earliest);
    if (first > last) return { points: [], evaluatedUntil: known?.evaluatedUntil ?? last, detector };
    const histogram = await this.o.search.histogram({ query, from: first - width, to: last - 1 }, width);
    const counts = new Map(histogram.buckets.map((b) => [b.start + width, b.count]));
    const points: RulePoint[] = [];
    let open = known?.run !== undefined;
    for (let time = first; time <= last; time += width) {
      const count = counts.get(time) ?? 0;
      // Empty windows before the first event are before the logs (or the retention)
      // began, not a quiet normal: the baseline starts at the first event.
      if (detector.points === 0 && count === 0) continue;
      const verdict = detector.update(time - width, count);
      const outside = count > verdict.upper || count < verdict.lower;
      // Cooldown damps the score after an alarm; the band keeps an ongoing run open.
      const holds = !verdict.warmingUp && (verdict.isAnomaly || (open && outside));
      open = holds;
      points.push({
        time,
        count,
        holds,
        expected: verdict.expected,
        lower: verdict.lower,
        upper: verdict.upper,
        score: verdict.score,
      });
    }
    return { points, evaluatedUntil: last, detector };
  }

  /** Ids of the newest events of the window that opened a run, for the notification's sample lines. */
  private async samples(rule: AlertRule, query: QueryNode, point: RulePoint): Promise<string[]> {
    try {
      const page = await this.o.search.search({
        query,
        from: point.time - rule.windowMs,
        to: point.time - 1,
        sort: 'desc',
        size: this.o.samples,
      });
      return page.hits.map((hit) => hit.id);
    } catch {
      return []; // the run opens without samples rather than not at all
    }
  }
}

/** Where the open run of a rule that stops being evaluated ends: after the last window judged. */
function closingPoint(state: RuleState): RulePoint {
  const last = state.run?.last as RulePoint;
  // At the same time as the open (a one-point run), the incident path lets the close win.
  return { ...last, time: Math.max(state.evaluatedUntil, last.time), holds: false, score: 0 };
}
