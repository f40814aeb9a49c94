export {
  type HeldRuleAnomaly,
  RULE_DEFAULTS,
  RuleEvaluator,
  type RuleEvaluatorOptions,
} from './evaluator.js';
export {
  definitionHash,
  RULE_DIMENSION_FIELD,
  type RuleAnomaly,
  ruleAnomaly,
  ruleAnomalyId,
  ruleExplanation,
  strayClosed,
} from './rule-anomaly.js';
export {
  gridFloor,
  MAX_STEPS_PER_WINDOW,
  type RulePoint,
  type Run,
  type RunTransition,
  slidingCounts,
  stepOf,
  trackRuns,
} from './runs.js';
