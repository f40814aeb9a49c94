/**
 * The abstract syntax tree of a search query. It names fields and values only, never a
 * storage: `toElasticsearchQuery` and `toPredicate` are two translations of the same
 * tree, and the embedded store will add a third.
 */

/** Where a node came from in the query text, so that errors can point at it. */
export interface Span {
  /** Offset of the first character (0-based). */
  start: number;
  /** Offset past the last character. */
  end: number;
  /** Line of the first character (1-based). */
  line: number;
  /** Column of the first character in its line (1-based). */
  column: number;
}

/** Every clause must hold; `a b` and `a AND b`. */
export interface AndNode {
  kind: 'and';
  children: QueryNode[];
  span: Span;
}

/** At least one clause must hold; `a OR b`. */
export interface OrNode {
  kind: 'or';
  children: QueryNode[];
  span: Span;
}

/** The clause must not hold; `NOT a` and `-a`. */
export interface NotNode {
  kind: 'not';
  child: QueryNode;
  span: Span;
}

/** `field:value`: the field holds this value (exact for keywords, all words for text). */
export interface TermNode {
  kind: 'term';
  field: string;
  value: string;
  span: Span;
}

/** `field:"some words"`: the field holds this exact value, or these words in this order for text. */
export interface PhraseNode {
  kind: 'phrase';
  field: string;
  value: string;
  span: Span;
}

/**
 * `field:/api/orders/*`: a value with `*` (any run of characters) or `?` (one character).
 * In `pattern`, a literal `*`, `?` or `\` is escaped with `\`, as Elasticsearch expects.
 * A `null` field is free text (`timeout*`), searched in the default fields.
 */
export interface WildcardNode {
  kind: 'wildcard';
  field: string | null;
  pattern: string;
  span: Span;
}

/** One end of a range: the value as typed (numbers and dates are interpreted by the translation). */
export interface RangeBound {
  value: string;
  inclusive: boolean;
}

/** `field >= 500`, `field:[a TO b]`, `field:{a TO *]`: a missing bound is open. */
export interface RangeNode {
  kind: 'range';
  field: string;
  lower?: RangeBound;
  upper?: RangeBound;
  span: Span;
}

/** `field:*`: the field has a value. */
export interface ExistsNode {
  kind: 'exists';
  field: string;
  span: Span;
}

/** Free text, a bare word or a quoted phrase, searched in the default fields (`message`). */
export interface TextNode {
  kind: 'text';
  value: string;
  /** True when quoted: the words must appear in this order. */
  phrase: boolean;
  span: Span;
}

/** The empty query: every event. */
export interface AllNode {
  kind: 'all';
  span: Span;
}

/** A node of the query tree. */
export type QueryNode =
  | AndNode
  | OrNode
  | NotNode
  | TermNode
  | PhraseNode
  | WildcardNode
  | RangeNode
  | ExistsNode
  | TextNode
  | AllNode;

/** The leaves of the tree: the clauses counted against `maxClauses`. */
export type LeafNode = Exclude<QueryNode, AndNode | OrNode | NotNode | AllNode>;
