import type { QueryNode, Span } from './ast.js';
import { describePosition, QueryLimitError } from './errors.js';

/** What a query may cost. Every limit is checked before the query reaches a storage. */
export interface QueryLimits {
  /** Longest query text, in characters. */
  maxLength: number;
  /** Most leaf clauses (`field:value`, ranges, free-text words). */
  maxClauses: number;
  /** Deepest nesting of parentheses and operators. */
  maxDepth: number;
  /** Most wildcard clauses: each one walks a field's terms dictionary. */
  maxWildcards: number;
  /** Accept a `*` or `?` at the start of a value on any field (it scans every term). */
  allowLeadingWildcards: boolean;
  /** Fields with few distinct values where a leading wildcard stays cheap. */
  leadingWildcardFields: readonly string[];
}

/** Limits that let every hand-typed query through and stop generated abuse. */
export const DEFAULT_QUERY_LIMITS: QueryLimits = {
  maxLength: 16_384,
  maxClauses: 1024,
  maxDepth: 32,
  maxWildcards: 16,
  allowLeadingWildcards: false,
  leadingWildcardFields: [
    'log.level',
    'service.name',
    'service.environment',
    'host.name',
    'http.request.method',
    'event.outcome',
  ],
};

const refuse = (message: string, span: Span) =>
  new QueryLimitError(`${message} at ${describePosition(span)}`, {
    offset: span.start,
    end: span.end,
    line: span.line,
    column: span.column,
  });

/**
 * Checks a parsed tree against the limits. It walks with an explicit stack: the tree
 * came from a parser that already bounded its depth, but this must not trust that.
 */
export function checkLimits(root: QueryNode, limits: QueryLimits): void {
  let clauses = 0;
  let wildcards = 0;
  const stack: Array<{ node: QueryNode; depth: number }> = [{ node: root, depth: 1 }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const { node, depth } = item;
    if (depth > limits.maxDepth) {
      throw refuse(`The query nests deeper than ${limits.maxDepth} levels`, node.span);
    }
    switch (node.kind) {
      case 'and':
      case 'or':
        for (const child of node.children) stack.push({ node: child, depth: depth + 1 });
        continue;
      case 'not':
        stack.push({ node: node.child, depth: depth + 1 });
        continue;
      case 'all':
        continue;
      case 'wildcard': {
        wildcards++;
        if (wildcards > limits.maxWildcards) {
          throw refuse(`The query has more than ${limits.maxWildcards} wildcard clauses`, node.span);
        }
        const leading = node.pattern.startsWith('*') || node.pattern.startsWith('?');
        const allowed =
          limits.allowLeadingWildcards ||
          (node.field !== null && limits.leadingWildcardFields.includes(node.field));
        if (leading && !allowed) {
          throw refuse(
            `A value cannot start with a wildcard ('${node.pattern}'): it would scan every term of ${node.field ?? 'the message'}`,
            node.span,
          );
        }
        break;
      }
      default:
        break;
    }
    clauses++;
    if (clauses > limits.maxClauses) {
      throw refuse(`The query has more than ${limits.maxClauses} clauses`, node.span);
    }
  }
}
