/**
 * Plain UTF-16 code-unit order: the order Elasticsearch and SQLite sort keywords in, which
 * `localeCompare` does not follow. In-memory stores and pure code sort with it to agree.
 */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
