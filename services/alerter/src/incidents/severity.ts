import type { Severity } from '@vigie/common';

const RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

/** Every severity, quietest first. */
export const SEVERITIES: readonly Severity[] = ['info', 'warning', 'critical'];

/** True when `severity` is `minimum` or louder. */
export function severityAtLeast(severity: Severity, minimum: Severity): boolean {
  return RANK[severity] >= RANK[minimum];
}

/** The louder of two severities. */
export function maxSeverity(a: Severity, b: Severity): Severity {
  return RANK[b] > RANK[a] ? b : a;
}
