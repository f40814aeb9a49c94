import { ANOMALY_KINDS, type Silence, type SilenceMatcher } from '@vigie/common';
import { check } from 'recheck';
import { groupOf } from '../incidents/grouping.js';
import { SEVERITIES } from '../incidents/severity.js';
import { anchored, LABEL_FIELD, matcherMatchesValues, SILENCE_FIELDS } from './silence.js';

/** A silence fit to save, or every reason it is not. */
export type SilenceValidation = { ok: true; silence: Silence } | { ok: false; errors: string[] };

export interface ValidateSilenceOptions {
  /** Longest ReDoS analysis of one expression; past it the expression is refused. */
  regexCheckTimeoutMs?: number;
}

const MAX_MATCHERS = 20;
const MAX_VALUE = 1000;
const MAX_COMMENT = 2000;
const KINDS = [...ANOMALY_KINDS, 'log_rule'] as const;

// Every kind has a group: groupOf's table is the single list of groups.
const GROUPS = [...new Set(KINDS.map(groupOf))];
const ENUMS: Record<string, readonly string[]> = { severity: SEVERITIES, kind: KINDS, group: GROUPS };

function quote(value: string): string {
  return JSON.stringify(value.slice(0, 60));
}

async function matcherErrors(matcher: SilenceMatcher, at: string, timeoutMs: number): Promise<string[]> {
  const known =
    (SILENCE_FIELDS as readonly string[]).includes(matcher.field) || LABEL_FIELD.test(matcher.field);
  if (!known) {
    return [
      `${at}.field: ${quote(matcher.field)} is not service, environment, kind, severity, group or labels.<name>`,
    ];
  }
  if (matcher.value.length > MAX_VALUE) return [`${at}.value: longer than ${MAX_VALUE} characters`];
  if (!matcher.isRegex) {
    const allowed = ENUMS[matcher.field];
    return allowed && !allowed.includes(matcher.value)
      ? [`${at}.value: ${quote(matcher.value)} is not one of ${allowed.join(', ')}`]
      : [];
  }
  const source = anchored(matcher.value);
  try {
    new RegExp(source);
  } catch {
    return [`${at}.value: not a valid regular expression`];
  }
  // Incident fields carry log content (service names, labels): an expression with
  // super-linear backtracking would let a crafted name stall the alerter.
  const diagnosis = await check(source, '', { timeout: timeoutMs });
  if (diagnosis.status === 'safe') return [];
  if (diagnosis.status === 'vulnerable') {
    return [`${at}.value: the expression can take super-linear time (ReDoS, ${diagnosis.complexity.type})`];
  }
  return [`${at}.value: the expression could not be proven safe from ReDoS`];
}

function timeErrors(input: Silence): string[] {
  const errors: string[] = [];
  const starts = Date.parse(input.startsAt);
  const ends = Date.parse(input.endsAt);
  if (Number.isNaN(starts)) errors.push('startsAt: not a date');
  if (Number.isNaN(ends)) errors.push('endsAt: not a date');
  if (errors.length === 0 && ends <= starts) errors.push('endsAt: must be after startsAt');
  return errors;
}

/**
 * Checks a silence before it is saved, reporting every problem at once: known fields,
 * enum values, regular expressions that compile and are proven safe from ReDoS (with
 * `recheck`), at least one matcher that does not match an empty value (so no silence
 * mutes everything by accident, as Alertmanager requires), and a time range that ends
 * after it starts. Returns the silence with its times written as ISO 8601.
 */
export async function validateSilence(
  input: Silence,
  options: ValidateSilenceOptions = {},
): Promise<SilenceValidation> {
  const timeoutMs = options.regexCheckTimeoutMs ?? 5000;
  const errors: string[] = [];
  if (input.matchers.length === 0) errors.push('matchers: at least one is needed');
  if (input.matchers.length > MAX_MATCHERS) errors.push(`matchers: at most ${MAX_MATCHERS}`);
  else {
    const perMatcher = await Promise.all(
      input.matchers.map((m, i) => matcherErrors(m, `matchers[${i}]`, timeoutMs)),
    );
    errors.push(...perMatcher.flat());
  }
  if (errors.length === 0 && input.matchers.every((m) => matcherMatchesValues(m, ['']))) {
    errors.push('matchers: at least one must not match an empty value (this silence would mute everything)');
  }
  errors.push(...timeErrors(input));
  if (input.comment.length > MAX_COMMENT) errors.push(`comment: longer than ${MAX_COMMENT} characters`);
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    silence: {
      ...input,
      matchers: input.matchers.map((m) => ({
        field: m.field,
        value: m.value,
        ...(m.isRegex && { isRegex: true }),
      })),
      startsAt: new Date(input.startsAt).toISOString(),
      endsAt: new Date(input.endsAt).toISOString(),
    },
  };
}
