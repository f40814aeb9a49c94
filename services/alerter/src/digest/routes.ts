import type { Incident, NotificationAction, NotifiedDetails, RouteConfig } from '@vigie/common';
import { routeMatches } from '../routing/route.js';

/**
 * Indices (in configuration order) of the routes an incident takes, with the same rule as
 * `routeIncident`: the first match wins unless it says `continue`. Digests are named by
 * route index, so the index is what must be kept.
 */
export function matchedRouteIndices(incident: Incident, routes: readonly RouteConfig[]): number[] {
  const matched: number[] = [];
  for (const [index, route] of routes.entries()) {
    if (!routeMatches(route, incident)) continue;
    matched.push(index);
    if (!route.continue) break;
  }
  return matched;
}

/**
 * The digest routes of this cycle's triggers, read from the incident's timeline: an
 * acknowledge or resolve is summarised where the trigger was, like per-incident messages
 * go to the receivers that got the trigger.
 */
function triggeredDigestRoutes(incident: Incident): number[] {
  const routes = new Set<number>();
  for (const entry of incident.timeline) {
    const details = entry.notification;
    if (details?.action === 'trigger' && details.cycle === incident.cycle) {
      for (const index of details.digestRoutes) routes.add(index);
    }
  }
  return [...routes].sort((a, b) => a - b);
}

/**
 * What the `notified` entry of `action` records, computed before `incident.notified` is
 * updated: a trigger goes to the digest routes it matches now, and is an escalation when
 * a trigger was already queued in this cycle.
 */
export function notifiedDetails(
  incident: Incident,
  action: NotificationAction,
  routes: readonly RouteConfig[],
): NotifiedDetails {
  const digestRoutes =
    action === 'trigger'
      ? matchedRouteIndices(incident, routes).filter((index) => routes[index]?.digestMs !== undefined)
      : triggeredDigestRoutes(incident);
  return {
    action,
    cycle: incident.cycle,
    escalation: action === 'trigger' && incident.notified?.cycle === incident.cycle,
    digestRoutes,
  };
}
