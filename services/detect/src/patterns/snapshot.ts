/** Versioned plain-JSON state of a {@link TemplateMiner}, as written by `snapshot()`. */
export interface TemplateMinerSnapshot {
  /** Format version; `restore` rejects others. */
  version: 1;
  /** Counter of the next template id, so that ids are never reused after a restore. */
  nextId: number;
  /** Templates from least to most recently matched, as tokens (`<*>` for variables). */
  templates: Array<{ id: string; tokens: string[]; count: number }>;
}

/**
 * Checks that a value read back from storage is a snapshot this version can restore;
 * throws a TypeError naming every problem found.
 */
export function assertSnapshot(value: unknown): asserts value is TemplateMinerSnapshot {
  const problems: string[] = [];
  const snapshot = value as Partial<TemplateMinerSnapshot> | null;
  if (typeof snapshot !== 'object' || snapshot === null) {
    throw new TypeError('Invalid template miner snapshot: not an object.');
  }
  if (snapshot.version !== 1) problems.push(`unsupported version ${String(snapshot.version)}`);
  if (!Number.isInteger(snapshot.nextId) || (snapshot.nextId as number) < 0) {
    problems.push('nextId must be an integer >= 0');
  }
  if (!Array.isArray(snapshot.templates)) problems.push('templates must be an array');
  else {
    const ids = new Set<string>();
    snapshot.templates.forEach((t, i) => {
      const valid =
        typeof t?.id === 'string' &&
        !ids.has(t.id) &&
        Array.isArray(t.tokens) &&
        t.tokens.every((token) => typeof token === 'string') &&
        Number.isInteger(t.count);
      if (!valid) problems.push(`templates[${i}] is not { id (unique), tokens: string[], count }`);
      else ids.add(t.id);
    });
  }
  if (problems.length > 0) throw new TypeError(`Invalid template miner snapshot: ${problems.join('; ')}.`);
}
