import { routePattern } from '../metrics/route.js';
import type { Contributor } from '../model.js';
import type { Candidate } from '../tracker.js';
import { all, ERRORS, equals, matches, quoted } from './query.js';

const KIND_LABELS: Record<Candidate['kind'], string> = {
  error_spike: 'Error spike',
  latency: 'Latency anomaly',
  volume_high: 'Traffic far above normal',
  volume_low: 'Traffic far below normal',
  new_pattern: 'New error pattern',
  brute_force: 'Brute-force logins',
  password_spraying: 'Password spraying',
  scan: 'Scanning',
};

/** "api", "api route /orders/:id", "api host web-2", "auth from 10.0.0.7". */
export function subjectOf(candidate: Candidate): string {
  const { service, dimension } = candidate;
  if (dimension.field === 'url.path') return `${service} route ${dimension.value}`;
  if (dimension.field === 'host.name') return `${service} host ${dimension.value}`;
  return service;
}

/** One sentence: what, where, how far from normal, what explains it, what changed before. */
export function explanation(candidate: Candidate, contributors: Contributor[], change?: string): string {
  let sentence = `${KIND_LABELS[candidate.kind]} on ${subjectOf(candidate)}: ${candidate.verdict.describe}`;
  // A value is named only when it clearly concentrates the excess: with three hosts, one
  // at 57 % is noise. The new pattern's sentence already quotes its template.
  const top = contributors.find(
    (c) => !(c.field === candidate.dimension.field && c.value === candidate.dimension.value),
  );
  if (top && top.share >= 0.75 && candidate.kind !== 'new_pattern') {
    sentence += `; ${Math.round(top.share * 100)}% of the excess is ${top.field} ${top.value}`;
  }
  if (change) sentence += `; ${change}`;
  return `${sentence}.`;
}

/** The search query behind an anomaly. Values are quoted by the query helpers. */
export function drilldownQuery(candidate: Candidate, template?: string): string {
  const { service, dimension, kind, verdict } = candidate;
  const serviceClause = equals('service.name', service);
  let dimensionClause: string | undefined;
  if (dimension.field === 'url.path' && dimension.value)
    dimensionClause = matches('url.path', routePattern(dimension.value));
  else if (dimension.field === 'host.name' && dimension.value)
    dimensionClause = equals('host.name', dimension.value);
  switch (kind) {
    case 'error_spike':
      return all(serviceClause, dimensionClause, ERRORS);
    case 'latency':
      return all(serviceClause, dimensionClause, `event.duration >= ${Math.round(verdict.upper * 1e6)}`);
    case 'new_pattern':
      return all(
        serviceClause,
        ERRORS,
        template ? `message:${quoted(longestConstantPart(template))}` : undefined,
      );
    case 'brute_force':
    case 'password_spraying':
      return all(
        serviceClause,
        equals('event.outcome', 'failure'),
        dimension.field && dimension.value ? equals(dimension.field, dimension.value) : undefined,
      );
    case 'scan':
      return all(
        dimension.value ? equals('source.ip', dimension.value) : undefined,
        'http.response.status_code:(401 OR 403 OR 404)',
      );
    default:
      return all(serviceClause, dimensionClause);
  }
}

/** The longest run of a template without variables: the phrase to search for. */
export function longestConstantPart(template: string): string {
  const parts = template.split('<*>').map((p) => p.trim());
  return parts.reduce((best, part) => (part.length > best.length ? part : best), '');
}
