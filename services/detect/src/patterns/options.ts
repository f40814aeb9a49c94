/**
 * Settings of a {@link TemplateMiner}. The defaults are the one configuration used for
 * every log source, live and offline; they are not meant to be tuned per system.
 */
export interface TemplateMinerOptions {
  /**
   * Depth of the prefix tree: the message length is the first level, then the first
   * `depth - 2` tokens (variables share one branch); clusters are compared only within a
   * leaf. Larger values split more eagerly. Default 4.
   */
  depth: number;
  /**
   * Minimum share of positions on which a message must agree with a template to join
   * its cluster, in [0, 1]. Default 0.7.
   */
  similarity: number;
  /**
   * Most positions of a template that one message may turn into variables; a message
   * that differs from every template on more positions starts its own. Messages of one
   * event differ by their values, which are mostly masked already; two or more new
   * differences at once are the mark of another event. Default 1.
   */
  maxNewVariables: number;
  /**
   * Most templates kept; past it the least recently matched one is forgotten (its id is
   * never reused). Bounds memory. Default 5000.
   */
  maxTemplates: number;
  /**
   * Most templates kept in one leaf of the tree (same length and first tokens); past it
   * the leaf's least recently matched one is forgotten. Bounds the work per message when
   * many different messages look alike at their start. Default 100.
   */
  maxLeafTemplates: number;
  /** Tokens of a message taken into account; the rest of a longer message is ignored. Default 64. */
  maxTokens: number;
}

/** The defaults of {@link TemplateMinerOptions}. */
export const DEFAULT_TEMPLATE_MINER_OPTIONS: Readonly<TemplateMinerOptions> = Object.freeze({
  depth: 4,
  similarity: 0.7,
  maxNewVariables: 1,
  maxTemplates: 5000,
  maxLeafTemplates: 100,
  maxTokens: 64,
});

/** Defaults filled in and values checked; throws a RangeError on an invalid value. */
export function resolveOptions(options: Partial<TemplateMinerOptions> = {}): TemplateMinerOptions {
  const resolved = { ...DEFAULT_TEMPLATE_MINER_OPTIONS, ...options };
  const errors: string[] = [];
  if (!Number.isInteger(resolved.depth) || resolved.depth < 3) errors.push('depth must be an integer >= 3');
  if (!(resolved.similarity >= 0 && resolved.similarity <= 1)) errors.push('similarity must be in [0, 1]');
  if (!Number.isInteger(resolved.maxNewVariables) || resolved.maxNewVariables < 0) {
    errors.push('maxNewVariables must be an integer >= 0');
  }
  if (!Number.isInteger(resolved.maxTemplates) || resolved.maxTemplates < 1) {
    errors.push('maxTemplates must be an integer >= 1');
  }
  if (!Number.isInteger(resolved.maxLeafTemplates) || resolved.maxLeafTemplates < 1) {
    errors.push('maxLeafTemplates must be an integer >= 1');
  }
  if (!Number.isInteger(resolved.maxTokens) || resolved.maxTokens < 1)
    errors.push('maxTokens must be an integer >= 1');
  if (errors.length > 0) throw new RangeError(`Invalid template miner options: ${errors.join('; ')}.`);
  return resolved;
}
