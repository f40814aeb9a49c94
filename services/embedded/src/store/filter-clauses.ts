import { VigieError } from '@vigie/common';

/**
 * The WHERE clause of a list query built from optional filters. Every fragment is a constant
 * of the calling code with `?` placeholders; values only ever travel as bound parameters.
 */
export class FilterClauses {
  private readonly conditions: string[] = [];
  /** The values of the placeholders, in order. */
  readonly params: Array<string | number> = [];

  /** Adds `condition` (with as many `?` as `values`) when `when` holds. */
  add(when: boolean, condition: string, ...values: Array<string | number>): this {
    if (when) {
      this.conditions.push(condition);
      this.params.push(...values);
    }
    return this;
  }

  /** ` WHERE a AND b`, or nothing without conditions. */
  get where(): string {
    return this.conditions.length === 0 ? '' : ` WHERE ${this.conditions.join(' AND ')}`;
  }
}

/** A `LIMIT` SQLite reads as meant: a negative one would mean "no limit" to it. */
export function boundedLimit(limit: number | undefined, fallback: number): number {
  return Math.max(0, Math.floor(limit ?? fallback));
}

/**
 * Epoch ms of an ISO 8601 time; throws on anything else, so no row sorts on a bad date.
 * The caller's mistake, not the store's: not retriable.
 */
export function epochMs(iso: string, what: string): number {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) {
    throw new VigieError(
      'VIGIE_ERR_INVALID_TIME',
      `${what} is not a date: ${JSON.stringify(String(iso).slice(0, 64))}`,
      { httpStatus: 400 },
    );
  }
  return ms;
}
