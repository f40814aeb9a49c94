import type { estypes } from '@elastic/elasticsearch';
import type { WriteOutcome } from '@vigie/common';

/**
 * Reads one item of a bulk response: success, a transient failure to send again
 * (429 back-pressure, 5xx such as an unavailable shard), or a refusal for good
 * (mapping conflicts and other 4xx), with Elasticsearch's own reason.
 */
export function itemOutcome(
  item: Partial<Record<estypes.BulkOperationType, estypes.BulkResponseItem>>,
  options: { externalVersions?: boolean } = {},
): WriteOutcome {
  const result = item.index ?? item.create ?? item.update ?? item.delete;
  if (!result) return { status: 'retry', reason: 'empty bulk item' };
  if (result.status >= 200 && result.status < 300) return { status: 'ok' };
  // With external versions, a conflict means the stored document is newer: it stays,
  // which is what the writer wanted.
  if (options.externalVersions && result.status === 409) return { status: 'ok' };
  const reason = describe(result.error);
  if (result.status === 429 || result.status >= 500) return { status: 'retry', reason };
  return { status: 'rejected', reason };
}

function describe(error: estypes.ErrorCause | undefined): string {
  if (!error) return 'unknown error';
  const cause = error.caused_by
    ? ` (caused by ${error.caused_by.type}: ${error.caused_by.reason ?? ''})`
    : '';
  return `${error.type}: ${error.reason ?? ''}${cause}`;
}
