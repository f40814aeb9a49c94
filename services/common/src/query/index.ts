export type {
  AllNode,
  AndNode,
  ExistsNode,
  LeafNode,
  NotNode,
  OrNode,
  PhraseNode,
  QueryNode,
  RangeBound,
  RangeNode,
  Span,
  TermNode,
  TextNode,
  WildcardNode,
} from './ast.js';
export { contextSourceOf } from './context-source.js';
export { cursorAfter } from './cursor.js';
export type { QueryPosition } from './errors.js';
export { QueryError, QueryFieldError, QueryLimitError, QuerySyntaxError } from './errors.js';
export type { FieldOptions, FieldType, FieldValue, ResolvedField, UnknownFieldPolicy } from './fields.js';
export {
  coerceValue,
  countableField,
  flattenedPrefix,
  LOG_FIELD_TYPES,
  resolveField,
  unsupported,
} from './fields.js';
export { highlightHit } from './highlight.js';
export type { QueryLimits } from './limits.js';
export { DEFAULT_QUERY_LIMITS } from './limits.js';
export { fieldValues, ipBlock, ipValue, tokens } from './match.js';
export type { ParseOptions } from './parse.js';
export { parseQuery } from './parse.js';
export type { EventPredicate, PredicateOptions } from './predicate.js';
export { toPredicate } from './predicate.js';
