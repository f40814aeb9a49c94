import type { Incident, RouteConfig } from '@vigie/common';
import { severityAtLeast } from '../incidents/severity.js';

/** Where one matching route sends an incident. */
export interface RouteTarget {
  receivers: string[];
  /** Digest mode: the route's receivers get one summary per window instead of a message each. */
  digestMs?: number;
}

function anyOf(values: readonly string[] | undefined, candidates: readonly (string | undefined)[]): boolean {
  return values === undefined || candidates.some((c) => c !== undefined && values.includes(c));
}

/**
 * True when every field the route names matches: `service`, `environment`, `group` are
 * lists of accepted values; `kind` matches when any anomaly of the incident has one of
 * them; `severity` is a minimum; `labels` must all be equal.
 */
export function routeMatches(route: RouteConfig, incident: Incident): boolean {
  const { match } = route;
  return (
    anyOf(match.service, [incident.service]) &&
    anyOf(match.environment, [incident.environment]) &&
    anyOf(match.group, [incident.group]) &&
    anyOf(
      match.kind,
      incident.anomalies.map((a) => a.kind),
    ) &&
    (match.severity === undefined || severityAtLeast(incident.severity, match.severity)) &&
    Object.entries(match.labels ?? {}).every(([name, value]) => incident.labels[name] === value)
  );
}

/**
 * The routes an incident takes, in configuration order: the first matching route wins
 * unless it says `continue`, in which case later matching routes apply too. No match:
 * no notification.
 */
export function routeIncident(incident: Incident, routes: readonly RouteConfig[]): RouteTarget[] {
  const targets: RouteTarget[] = [];
  for (const route of routes) {
    if (!routeMatches(route, incident)) continue;
    targets.push({
      receivers: [...route.receivers],
      ...(route.digestMs !== undefined && { digestMs: route.digestMs }),
    });
    if (!route.continue) break;
  }
  return targets;
}
