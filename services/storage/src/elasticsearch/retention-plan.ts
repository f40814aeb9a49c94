import { DAY_MS, utcDayStart } from './log-indices.js';

/** How long one environment's logs are kept; unset fields fall back to the defaults. */
export interface EnvironmentRetention {
  maxAgeDays?: number;
  maxBytes?: number;
}

/** What retention keeps (`elasticsearch.retention` without its schedule). */
export interface LogRetentionPolicy {
  /** Indices whose whole UTC day is older than this are deleted. */
  maxAgeDays: number;
  /** Total primary store bytes of all log indices; the oldest days go first past it. */
  maxBytes?: number;
  /** Overrides by exact `service.environment`, applied to that environment's own indices. */
  environments: Record<string, EnvironmentRetention>;
}

/** One daily log index as listed before a pass. */
export interface LogIndexStats {
  index: string;
  /** Start (epoch ms) of its UTC day. */
  day: number;
  /** The environment the index belongs to, when it is an environment's own index. */
  environment?: string;
  /** Primary store size in bytes. */
  bytes: number;
}

/** Why an index is deleted: its age, the total size limit, or its environment's size limit. */
export type RetentionReason = 'max_age' | 'max_bytes' | 'environment_max_bytes';

/** An index a pass deletes, and why. */
export interface PlannedDeletion extends LogIndexStats {
  reason: RetentionReason;
}

const oldestFirst = (a: LogIndexStats, b: LogIndexStats) => a.day - b.day || a.index.localeCompare(b.index);

/**
 * The indices to delete at `now`, oldest first within each reason. First by age: an
 * index goes once its whole day is older than its environment's `maxAgeDays` (or the
 * default). Then by size: while an environment's own indices exceed its `maxBytes`, and
 * then while all log indices exceed `maxBytes`, the oldest remaining day goes first.
 * Today's index (and any later one, written by a clock running ahead) is never deleted
 * for size, so the indices being written stay, even when they alone exceed the limit.
 * Pure: the caller lists the indices and deletes what this returns.
 */
export function planLogRetention(
  indices: readonly LogIndexStats[],
  policy: LogRetentionPolicy,
  now: number,
): PlannedDeletion[] {
  const today = utcDayStart(now);
  const planned: PlannedDeletion[] = [];
  let remaining = [...indices].sort(oldestFirst);

  const override = (index: LogIndexStats): EnvironmentRetention | undefined =>
    index.environment === undefined ? undefined : policy.environments[index.environment];
  const byAge = (index: LogIndexStats) => {
    const maxAgeDays = override(index)?.maxAgeDays ?? policy.maxAgeDays;
    return index.day + DAY_MS <= now - maxAgeDays * DAY_MS;
  };
  for (const index of remaining) if (byAge(index)) planned.push({ ...index, reason: 'max_age' });
  remaining = remaining.filter((index) => !byAge(index));

  const shrink = (scope: LogIndexStats[], maxBytes: number, reason: RetentionReason) => {
    let total = scope.reduce((sum, index) => sum + index.bytes, 0);
    const gone = new Set<LogIndexStats>();
    for (const index of scope) {
      if (total <= maxBytes || index.day >= today) break;
      planned.push({ ...index, reason });
      gone.add(index);
      total -= index.bytes;
    }
    remaining = remaining.filter((index) => !gone.has(index));
  };
  for (const [environment, limits] of Object.entries(policy.environments)) {
    if (limits.maxBytes === undefined) continue;
    const own = remaining.filter((index) => index.environment === environment);
    shrink(own, limits.maxBytes, 'environment_max_bytes');
  }
  if (policy.maxBytes !== undefined) shrink(remaining, policy.maxBytes, 'max_bytes');
  return planned;
}

/**
 * The longest `maxAgeDays` of the policy: dead letters, bucket metrics and closed
 * anomalies are kept as long as the logs kept longest, since they explain them.
 */
export function longestMaxAgeDays(policy: LogRetentionPolicy): number {
  let longest = policy.maxAgeDays;
  for (const limits of Object.values(policy.environments))
    longest = Math.max(longest, limits.maxAgeDays ?? policy.maxAgeDays);
  return longest;
}
