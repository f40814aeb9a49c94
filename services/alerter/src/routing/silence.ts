import type { Incident, Silence, SilenceMatcher } from '@vigie/common';

// Matching of silences (maintenance windows) against incidents. Regular expressions
// come from people through the API: they are anchored, and proven free of ReDoS when
// the silence is created (validate-silence.ts). A stored expression that no longer
// compiles matches nothing: a broken silence must not mute pages.

/** Fields a matcher can name besides `labels.<name>`. */
export const SILENCE_FIELDS = ['service', 'environment', 'kind', 'severity', 'group'] as const;

/** `labels.<name>`: the name as label names are written in config. */
export const LABEL_FIELD = /^labels\.([A-Za-z0-9_.-]{1,100})$/;

/** The expression a regex matcher runs: anchored at both ends, like Alertmanager's. */
export function anchored(value: string): string {
  return `^(?:${value})$`;
}

const MAX_CACHED = 1000;
const compiled = new Map<string, RegExp | null>();

function regexOf(value: string): RegExp | null {
  let re = compiled.get(value);
  if (re === undefined) {
    try {
      re = new RegExp(anchored(value));
    } catch {
      re = null;
    }
    if (compiled.size >= MAX_CACHED) compiled.clear();
    compiled.set(value, re);
  }
  return re;
}

/** The values of an incident a matcher field looks at (`kind`: every anomaly kind). */
export function fieldValues(incident: Incident, field: string): string[] {
  switch (field) {
    case 'service':
      return [incident.service];
    case 'environment':
      return [incident.environment ?? ''];
    case 'kind':
      return [...new Set(incident.anomalies.map((a) => a.kind))];
    case 'severity':
      return [incident.severity];
    case 'group':
      return [incident.group];
    default: {
      const name = LABEL_FIELD.exec(field)?.[1];
      if (name === undefined) return [];
      return [Object.hasOwn(incident.labels, name) ? (incident.labels[name] ?? '') : ''];
    }
  }
}

/** True when one of `values` equals the matcher's value (or matches its expression). */
export function matcherMatchesValues(matcher: SilenceMatcher, values: readonly string[]): boolean {
  if (!matcher.isRegex) return values.includes(matcher.value);
  const re = regexOf(matcher.value);
  return re !== null && values.some((value) => re.test(value));
}

/** True while `silence` is in force at `now`: from `startsAt` (included) to `endsAt` (excluded). */
export function silenceActive(silence: Silence, now: number): boolean {
  return Date.parse(silence.startsAt) <= now && now < Date.parse(silence.endsAt);
}

/** True when `silence` is in force at `now` and every one of its matchers matches the incident. */
export function silenceMatches(silence: Silence, incident: Incident, now: number): boolean {
  return (
    silenceActive(silence, now) &&
    silence.matchers.length > 0 &&
    silence.matchers.every((m) => matcherMatchesValues(m, fieldValues(incident, m.field)))
  );
}
