import { ENGINES } from './engines.js';

/**
 * A few raw Elasticsearch REST calls for tests (setting up a conflicting index,
 * cleaning up a prefix) that the product's own port rightly does not offer.
 */
export async function esRequest(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${ENGINES.elasticsearchUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? null : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined };
}

/** Deletes every index and template of a test's prefix. */
export async function deletePrefix(prefix: string): Promise<void> {
  await esRequest(
    'DELETE',
    `/${prefix}-*?ignore_unavailable=true&allow_no_indices=true&expand_wildcards=all`,
  );
  // Every template of the prefix (logs, dead letters, anomalies, metrics, state, audit...).
  await esRequest('DELETE', `/_index_template/${prefix}-*`);
}
