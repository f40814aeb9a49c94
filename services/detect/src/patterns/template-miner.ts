import { isVariableToken, tokenize, WILDCARD } from './mask.js';
import { resolveOptions, type TemplateMinerOptions } from './options.js';
import { assertSnapshot, type TemplateMinerSnapshot } from './snapshot.js';
import { compareTokens, Fit, mergeTokens } from './token-pattern.js';

/** What a message was matched to. */
export interface TemplateMatch {
  /** Stable id of the template (`t` + base36 counter); never reused, kept across snapshots. */
  templateId: string;
  /** The template as it stands after this message, variables shown as `<*>`. */
  template: string;
  /** True when this message created the template. */
  isNew: boolean;
}

interface Cluster {
  id: string;
  tokens: string[];
  count: number;
  leafKey: string;
  leaf: Cluster[];
}

/**
 * Online log template miner in the manner of Drain: messages are tokenised and their
 * generic variables masked (numbers, ids, addresses, paths, dates...), routed down a
 * fixed-depth prefix tree (length, then first tokens) to a leaf of clusters, and joined
 * to the most similar cluster of the leaf when the share of agreeing positions reaches
 * `similarity` and at most `maxNewVariables` positions need to become variables; some
 * differences (state words, a field present or not) always mean another event. Each
 * message gets its template id on arrival, from the messages seen before it only; a
 * template may generalise later, its id stays.
 *
 * Messages whose first `depth - 2` tokens are variable words (not masked) land in
 * different leaves and never share a template: the price of the prefix tree's speed.
 *
 * Memory is bounded by `maxTemplates`: the least recently matched template is forgotten.
 * Pure: no I/O, no clock.
 */
export class TemplateMiner {
  readonly #options: TemplateMinerOptions;
  readonly #leaves = new Map<string, Cluster[]>();
  // Insertion order of a Map is the recency order: a matched cluster is re-inserted.
  readonly #clusters = new Map<string, Cluster>();
  #nextId = 0;

  /** Creates an empty miner; options default to {@link DEFAULT_TEMPLATE_MINER_OPTIONS}. */
  constructor(options: Partial<TemplateMinerOptions> = {}) {
    this.#options = resolveOptions(options);
  }

  /** Number of templates currently kept. */
  get size(): number {
    return this.#clusters.size;
  }

  /** Matches a message and learns from it: joins (and maybe generalises) a template, or creates one. */
  add(message: string): TemplateMatch {
    const tokens = tokenize(message, this.#options.maxTokens);
    const key = this.#leafKey(tokens);
    const leaf = this.#leaves.get(key);
    const found = leaf ? this.#bestCluster(leaf, tokens) : undefined;
    if (found) {
      generalise(found.tokens, tokens);
      found.count++;
      this.#touch(found);
      return { templateId: found.id, template: found.tokens.join(' '), isNew: false };
    }
    const cluster = this.#insert(`t${(this.#nextId++).toString(36)}`, tokens, 1);
    this.#evict();
    return { templateId: cluster.id, template: tokens.join(' '), isNew: true };
  }

  /** Finds the template a message belongs to without learning anything; undefined if none. */
  match(message: string): TemplateMatch | undefined {
    const tokens = tokenize(message, this.#options.maxTokens);
    const leaf = this.#leaves.get(this.#leafKey(tokens));
    const found = leaf ? this.#bestCluster(leaf, tokens) : undefined;
    return found && { templateId: found.id, template: found.tokens.join(' '), isNew: false };
  }

  /** The state as versioned plain JSON, to be stored and given back to {@link TemplateMiner.restore}. */
  snapshot(): TemplateMinerSnapshot {
    const templates = [...this.#clusters.values()].map((c) => ({
      id: c.id,
      tokens: [...c.tokens],
      count: c.count,
    }));
    return { version: 1, nextId: this.#nextId, templates };
  }

  /** A miner in the state of a snapshot; it then behaves as the one that took it. */
  static restore(
    snapshot: TemplateMinerSnapshot,
    options: Partial<TemplateMinerOptions> = {},
  ): TemplateMiner {
    assertSnapshot(snapshot);
    const miner = new TemplateMiner(options);
    miner.#nextId = snapshot.nextId;
    for (const t of snapshot.templates) miner.#insert(t.id, [...t.tokens], t.count);
    miner.#evict();
    return miner;
  }

  #insert(id: string, tokens: string[], count: number): Cluster {
    const leafKey = this.#leafKey(tokens);
    let leaf = this.#leaves.get(leafKey);
    if (!leaf) {
      leaf = [];
      this.#leaves.set(leafKey, leaf);
    }
    const cluster: Cluster = { id, tokens, count, leafKey, leaf };
    leaf.push(cluster);
    this.#clusters.set(id, cluster);
    if (leaf.length > this.#options.maxLeafTemplates) this.#forget(leaf[0] as Cluster);
    return cluster;
  }

  #leafKey(tokens: string[]): string {
    let key = String(tokens.length);
    const prefix = Math.min(tokens.length, this.#options.depth - 2);
    for (let i = 0; i < prefix; i++) {
      const token = tokens[i] as string;
      key += `\u0000${isVariableToken(token) ? WILDCARD : token}`;
    }
    return key;
  }

  #bestCluster(leaf: Cluster[], tokens: string[]): Cluster | undefined {
    let best: Cluster | undefined;
    let bestScore = -1;
    const n = tokens.length;
    const { maxNewVariables, similarity } = this.#options;
    // Below this many agreeing positions a cluster cannot reach `similarity`.
    const needed = similarity * n;
    // A plain difference costs at least half a change (a partial one).
    const maxDifferences = 2 * maxNewVariables;
    for (const cluster of leaf) {
      const template = cluster.tokens;
      // Cheap pass first, on string equality only: most clusters of a crowded leaf are
      // ruled out here without the finer token comparison.
      let differences = 0;
      for (let i = 0; i < n && differences <= maxDifferences; i++) {
        const t = template[i] as string;
        if (t !== tokens[i] && !t.includes(WILDCARD)) differences++;
      }
      if (differences > maxDifferences || n - differences / 2 < needed) continue;
      let same = 0;
      let changed = 0;
      for (let i = 0; i < n && changed <= maxNewVariables; i++) {
        const fit = compareTokens(template[i] as string, tokens[i] as string);
        if (fit === Fit.Same) same++;
        else if (fit === Fit.Variable) changed++;
        else if (fit === Fit.Partial) {
          // Half a change: the token keeps a constant part, as qualified names that
          // differ in their last segment do.
          changed += 0.5;
          same += 0.5;
        } else changed = Number.POSITIVE_INFINITY;
        if (same + n - i - 1 < needed) changed = Number.POSITIVE_INFINITY;
      }
      if (changed > maxNewVariables) continue;
      const score = n === 0 ? 1 : same / n;
      if (score > bestScore) {
        bestScore = score;
        best = cluster;
      }
    }
    return best && bestScore >= this.#options.similarity ? best : undefined;
  }

  #touch(cluster: Cluster): void {
    this.#clusters.delete(cluster.id);
    this.#clusters.set(cluster.id, cluster);
    // Leaves are kept in recency order too, so that a full leaf drops its stalest.
    const leaf = cluster.leaf;
    if (leaf[leaf.length - 1] !== cluster) {
      leaf.splice(leaf.indexOf(cluster), 1);
      leaf.push(cluster);
    }
  }

  #evict(): void {
    while (this.#clusters.size > this.#options.maxTemplates) {
      this.#forget(this.#clusters.values().next().value as Cluster);
    }
  }

  #forget(cluster: Cluster): void {
    this.#clusters.delete(cluster.id);
    cluster.leaf.splice(cluster.leaf.indexOf(cluster), 1);
    if (cluster.leaf.length === 0) this.#leaves.delete(cluster.leafKey);
  }
}

/** Turns into variables the template positions on which the message disagrees. */
function generalise(template: string[], tokens: string[]): void {
  for (let i = 0; i < template.length; i++) {
    template[i] = mergeTokens(template[i] as string, tokens[i] as string);
  }
}
