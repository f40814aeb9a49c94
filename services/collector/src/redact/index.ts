import type { LogEvent, Registry } from '@vigie/common';
import { ConfigError, Counter } from '@vigie/common';
import { DEFAULT_RULES, isSecretKey, REDACT_PATTERNS, type RedactionRule } from './rules.js';

export type { RedactionRule } from './rules.js';
export { DEFAULT_RULES, isSecretKey, REDACT_PATTERNS } from './rules.js';

/** Every regular expression the default rules run on input, for the ReDoS test. */
export const PATTERNS: Record<string, RegExp> = { ...REDACT_PATTERNS };

/** Masks secrets in an event in place; returns how many were masked. */
export type Redactor = (event: LogEvent) => number;

/** A rule from the configuration (`redaction.rules`). */
export interface RedactionRuleConfig {
  name: string;
  pattern: string;
  replacement: string;
}

/** Options of `createRedactor`. */
export interface RedactorOptions {
  /** Run the default rules (cards, bearer tokens, JWTs, secret pairs, AWS keys). */
  defaults: boolean;
  /** Extra rules, run after the defaults. */
  rules: RedactionRuleConfig[];
  /** Where `vigie_redactions_total{rule}` is registered. */
  registry?: Registry;
}

const MASK = '[REDACTED]';
// Attributes nest at most 16 levels (the parser refuses deeper input); the bound also
// protects against events built elsewhere.
const MAX_WALK_DEPTH = 32;

/**
 * A redactor with the default rules (when enabled) and the configured ones. It masks
 * message, error.message, error.stack_trace, event.original, url.query and the string
 * values of labels and attributes; a label or attribute whose key names a secret
 * (`password`, `api_key`, ...) is masked whole by the defaults. The count per rule
 * goes to `vigie_redactions_total{rule}` and the event's total to `vigie.redactions`.
 * Throws a `ConfigError` when a configured pattern is not a valid regular expression.
 */
export function createRedactor(options: RedactorOptions): Redactor {
  const rules = [...(options.defaults ? DEFAULT_RULES : []), ...options.rules.map(compileRule)];
  const counter = options.registry ? redactionCounter(options.registry) : undefined;

  const redactText = (text: string, counts: Map<string, number>): string => {
    let out = text;
    for (const rule of rules) {
      rule.pattern.lastIndex = 0;
      out = out.replace(rule.pattern, (...args: unknown[]) => {
        const match = args[0] as string;
        // Groups sit between the match and the offset (the first number).
        const offsetAt = args.findIndex((arg, i) => i > 0 && typeof arg === 'number');
        const groups = args.slice(1, offsetAt) as Array<string | undefined>;
        const replaced = match.length === 0 ? undefined : rule.replace(match, groups);
        if (replaced === undefined || replaced === match) return match;
        counts.set(rule.name, (counts.get(rule.name) ?? 0) + 1);
        return replaced;
      });
    }
    return out;
  };

  return (event) => {
    const counts = new Map<string, number>();
    const text = (value: string | undefined) => (value === undefined ? undefined : redactText(value, counts));
    event.message = redactText(event.message, counts);
    if (event.error?.message !== undefined) event.error.message = text(event.error.message);
    if (event.error?.stack_trace !== undefined) event.error.stack_trace = text(event.error.stack_trace);
    if (event.event?.original !== undefined) event.event.original = text(event.event.original);
    if (event.url?.query !== undefined) event.url.query = text(event.url.query);
    const bySecretKey = options.defaults ? (key: string) => isSecretKey(key) : () => false;
    if (event.labels) redactValues(event.labels, counts, redactText, bySecretKey);
    if (event.attributes) redactValues(event.attributes, counts, redactText, bySecretKey);

    let total = 0;
    for (const [rule, count] of counts) {
      total += count;
      counter?.inc({ rule }, count);
    }
    if (total > 0) event.vigie = { ...event.vigie, redactions: (event.vigie?.redactions ?? 0) + total };
    return total;
  };
}

/** Walks nested values without recursion: attacker-shaped objects cannot exhaust the stack. */
function redactValues(
  root: Record<string, unknown>,
  counts: Map<string, number>,
  redactText: (text: string, counts: Map<string, number>) => string,
  isSecret: (key: string) => boolean,
): void {
  const stack: Array<[Record<string, unknown> | unknown[], number]> = [[root, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [Record<string, unknown> | unknown[], number];
    const entries: Array<[string | number, unknown]> = Array.isArray(node)
      ? node.map((value, index) => [index, value])
      : Object.entries(node);
    for (const [key, value] of entries) {
      const set = (v: unknown) => {
        (node as Record<string | number, unknown>)[key] = v;
      };
      if (
        typeof key === 'string' &&
        isSecret(key) &&
        (typeof value === 'string' || typeof value === 'number')
      ) {
        if (value !== MASK && String(value).length > 0) {
          set(MASK);
          counts.set('secret_field', (counts.get('secret_field') ?? 0) + 1);
        }
      } else if (typeof value === 'string') {
        set(redactText(value, counts));
      } else if (typeof value === 'object' && value !== null && depth < MAX_WALK_DEPTH) {
        stack.push([value as Record<string, unknown> | unknown[], depth + 1]);
      }
    }
  }
}

function compileRule(config: RedactionRuleConfig): RedactionRule {
  let pattern: RegExp;
  try {
    pattern = new RegExp(config.pattern, 'g');
  } catch (err) {
    throw new ConfigError(`redaction rule ${config.name}: invalid pattern: ${(err as Error).message}`);
  }
  return { name: config.name, pattern, replace: () => config.replacement };
}

const COUNTER_NAME = 'vigie_redactions_total';

function redactionCounter(registry: Registry): Counter<'rule'> {
  // Two redactors on one registry (tests, restarts in-process) share the counter.
  const existing = registry.getSingleMetric(COUNTER_NAME);
  if (existing instanceof Counter) return existing as Counter<'rule'>;
  return new Counter({
    name: COUNTER_NAME,
    help: 'Secrets masked in events, by rule.',
    labelNames: ['rule'],
    registers: [registry],
  });
}
