import type { FieldOptions, FieldValue, QueryNode, RangeNode, ResolvedField, Span } from '@vigie/common';
import { coerceValue, flattenedPrefix, ipBlock, ipValue, resolveField, unsupported } from '@vigie/common';

/** Bounds of an Elasticsearch `range` clause. */
export interface ElasticsearchRange {
  gt?: FieldValue;
  gte?: FieldValue;
  lt?: FieldValue;
  lte?: FieldValue;
}

/**
 * The subset of the Elasticsearch query DSL the translation produces. It is plain data,
 * structurally compatible with the client's `QueryDslQueryContainer`, so this package
 * needs no Elasticsearch client.
 */
export type ElasticsearchQuery =
  | { match_all: Record<string, never> }
  | {
      bool: {
        filter?: ElasticsearchQuery[];
        should?: ElasticsearchQuery[];
        must_not?: ElasticsearchQuery[];
        minimum_should_match?: number;
      };
    }
  | { term: Record<string, { value: FieldValue }> }
  | { terms: Record<string, FieldValue[]> }
  | { match: Record<string, { query: string; operator: 'and' }> }
  | { match_phrase: Record<string, { query: string }> }
  | { wildcard: Record<string, { value: string; case_insensitive?: boolean }> }
  | { prefix: Record<string, { value: string }> }
  | { range: Record<string, ElasticsearchRange> }
  | { exists: { field: string } };

/** Options of `toElasticsearchQuery`. */
export interface ElasticsearchQueryOptions extends FieldOptions {
  /** Fields searched by free text; `message` by default. */
  defaultFields?: readonly string[];
}

/**
 * Translates a query tree into the Elasticsearch query DSL, clause by clause: values are
 * always data in a clause, never text for Elasticsearch to parse (no `query_string`).
 * Every clause is a filter: logs are sorted by time, so scores would be wasted work.
 * Throws a `QueryFieldError` for a clause that does not fit its field.
 */
export function toElasticsearchQuery(
  root: QueryNode,
  options: ElasticsearchQueryOptions = {},
): ElasticsearchQuery {
  const defaultFields = options.defaultFields ?? ['message'];
  const field = (name: string, span: Span) => resolveField(name, span, options);

  const translate = (node: QueryNode): ElasticsearchQuery => {
    switch (node.kind) {
      case 'all':
        return { match_all: {} };
      case 'and': {
        const filter: ElasticsearchQuery[] = [];
        const mustNot: ElasticsearchQuery[] = [];
        for (const child of node.children) {
          if (child.kind === 'not') mustNot.push(translate(child.child));
          else filter.push(translate(child));
        }
        return {
          bool: { ...(filter.length > 0 && { filter }), ...(mustNot.length > 0 && { must_not: mustNot }) },
        };
      }
      case 'or':
        return anyOf(node.children.map(translate));
      case 'not':
        return { bool: { must_not: [translate(node.child)] } };
      case 'text':
        return anyOf(
          defaultFields.map((name) =>
            translate({
              kind: node.phrase ? 'phrase' : 'term',
              field: name,
              value: node.value,
              span: node.span,
            }),
          ),
        );
      case 'term':
      case 'phrase': {
        const target = field(node.field, node.span);
        if (target.type === 'text') {
          return node.kind === 'phrase'
            ? { match_phrase: { [target.path]: { query: node.value } } }
            : { match: { [target.path]: { query: node.value, operator: 'and' } } };
        }
        // Checked here so that a bad address is the user's error, not Elasticsearch's 400.
        if (target.type === 'ip') ipBlock(target, node.value, node.span);
        return { term: { [target.path]: { value: coerceValue(target, node.value, node.span) } } };
      }
      case 'wildcard': {
        if (node.field === null) {
          return anyOf(defaultFields.map((name) => translate({ ...node, field: name })));
        }
        const target = field(node.field, node.span);
        if (!['text', 'keyword', 'flattened-key'].includes(target.type)) {
          throw unsupported(target, 'A wildcard', node.span);
        }
        if (target.type === 'flattened-key') {
          return { prefix: { [target.path]: { value: flattenedPrefix(target, node.pattern, node.span) } } };
        }
        // Text is indexed lower-cased, so only a case-insensitive pattern can match it.
        const value =
          target.type === 'text' ? { value: node.pattern, case_insensitive: true } : { value: node.pattern };
        return { wildcard: { [target.path]: value } };
      }
      case 'range':
        return range(field(node.field, node.span), node);
      case 'exists':
        return { exists: { field: field(node.field, node.span).path } };
    }
  };
  return translate(root);
}

/** One clause of several must hold; several `term`s on one field become one `terms`. */
function anyOf(clauses: ElasticsearchQuery[]): ElasticsearchQuery {
  const [first] = clauses;
  if (clauses.length === 1 && first !== undefined) return first;
  const terms = clauses.map((clause) => ('term' in clause ? Object.entries(clause.term)[0] : undefined));
  const fieldName = terms[0]?.[0];
  if (fieldName !== undefined && terms.every((term) => term?.[0] === fieldName)) {
    return { terms: { [fieldName]: terms.map((term) => term?.[1].value ?? '') } };
  }
  return { bool: { should: clauses, minimum_should_match: 1 } };
}

function range(target: ResolvedField, node: RangeNode): ElasticsearchQuery {
  if (target.type === 'text' || target.type === 'boolean') throw unsupported(target, 'A range', node.span);
  if (target.type === 'ip')
    for (const b of [node.lower, node.upper]) if (b) ipValue(target, b.value, node.span);
  const bounds: ElasticsearchRange = {};
  if (node.lower)
    bounds[node.lower.inclusive ? 'gte' : 'gt'] = coerceValue(target, node.lower.value, node.span);
  if (node.upper)
    bounds[node.upper.inclusive ? 'lte' : 'lt'] = coerceValue(target, node.upper.value, node.span);
  return { range: { [target.path]: bounds } };
}
