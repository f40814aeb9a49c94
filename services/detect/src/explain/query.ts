// Drill-down queries are written in the search language (KQL subset) by code, from
// values that come out of logs: every value is quoted and escaped here, in one place.

/** A quoted value of the query language; `*` and `?` inside quotes are literal. */
export function quoted(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** A `field:"value"` clause. */
export function equals(field: string, value: string): string {
  return `${field}:${quoted(value)}`;
}

/**
 * A `field:pattern` clause with wildcards, for route templates: every character but
 * the wildcard is escaped.
 */
export function matches(field: string, pattern: string): string {
  const escaped = pattern.replace(/[\\():"<>=\s{}[\]^~!?]/g, (c) => `\\${c}`);
  return `${field}:${escaped}`;
}

/** Clauses joined with AND, each parenthesised when it has an OR inside. */
export function all(...clauses: (string | undefined)[]): string {
  return clauses
    .filter((c): c is string => c !== undefined && c !== '')
    .map((c) => (c.includes(' OR ') ? `(${c})` : c))
    .join(' AND ');
}

/** The errors clause used by drill-downs: level error/fatal or a 5xx status. */
export const ERRORS = 'log.level:(error OR fatal) OR http.response.status_code >= 500';
