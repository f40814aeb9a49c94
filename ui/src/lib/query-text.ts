// Builds query-language text from values picked in the UI. Values come from logs, so they
// are always quoted with the grammar's escapes (`\"` and `\\`) and never pasted raw.

/** A quoted phrase of the query language: `"a \"b\" c"`. */
export function quoteValue(value: string | number | boolean): string {
  return `"${String(value).replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/** Whether the grammar accepts this as a field name (it has no escapes for field names). */
export function isQueryableField(name: string): boolean {
  return /^[A-Za-z0-9_@][A-Za-z0-9_@.-]*$/.test(name);
}

/** `field:"value"` or `NOT field:"value"`; null when the field name cannot be written. */
export function fieldClause(
  field: string,
  value: string | number | boolean,
  exclude: boolean,
): string | null {
  if (!isQueryableField(field)) return null;
  const clause = `${field}:${quoteValue(value)}`;
  return exclude ? `NOT ${clause}` : clause;
}

/** Adds a clause to a query with AND, wrapping an existing OR-query in parentheses. */
export function addClause(query: string, clause: string): string {
  const current = query.trim();
  if (!current) return clause;
  const needsParens = /\bOR\b/i.test(current) && !/^\(.*\)$/s.test(current);
  return `${needsParens ? `(${current})` : current} AND ${clause}`;
}

/**
 * A `url.path` clause matching the paths of a route template: each `:id` segment becomes
 * the `*` wildcard and every other character is literal (escaped, `*` and `?` included,
 * and a leading letter, so that the value never reads as a keyword such as `OR`).
 */
export function routeClause(route: string): string {
  const literal = (text: string) => text.replace(/[^A-Za-z0-9/._]/g, (c) => `\\${c}`);
  const pattern = route
    .split(':id')
    .map(literal)
    .join('*')
    .replace(/^[A-Za-z]/, (c) => `\\${c}`);
  return `url.path:${pattern}`;
}
