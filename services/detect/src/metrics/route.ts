// Paths carry ids; metrics per raw path would make one series per order. Segments that
// look like values become `:id` so `/api/orders/123/items` and `/api/orders/456/items`
// share the series `/api/orders/:id/items`.

const VALUE_SEGMENT =
  /^(?:\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{16,}|[A-Za-z0-9_-]{20,}|.*\d.*\d.*\d.*)$/i;

/** Longest route kept; longer paths are cut (a scanner's path is not a route). */
const MAX_ROUTE_LENGTH = 200;

/** The route template of a request path (query string removed, value-like segments as `:id`). */
export function routeTemplate(path: string): string {
  const query = path.indexOf('?');
  const withoutQuery = query === -1 ? path : path.slice(0, query);
  const segments = withoutQuery.split('/');
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] as string;
    if (mayBeValue(segment) && VALUE_SEGMENT.test(segment)) segments[i] = ':id';
  }
  const route = segments.join('/') || '/';
  return route.length > MAX_ROUTE_LENGTH ? route.slice(0, MAX_ROUTE_LENGTH) : route;
}

/** Cheap pre-check: a segment without digits and shorter than 16 characters is a word. */
function mayBeValue(segment: string): boolean {
  if (segment.length >= 16) return true;
  for (let i = 0; i < segment.length; i++) {
    const c = segment.charCodeAt(i);
    if (c >= 48 && c <= 57) return true;
  }
  return false;
}

/** A search pattern that matches the paths of a route template (`:id` becomes `*`). */
export function routePattern(route: string): string {
  return route.replaceAll(':id', '*');
}
