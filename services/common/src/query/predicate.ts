import type { LogEvent } from '../schema/log-event.js';
import type { QueryNode, RangeBound, RangeNode, Span } from './ast.js';
import {
  coerceValue,
  type FieldOptions,
  flattenedPrefix,
  type ResolvedField,
  resolveField,
  unsupported,
} from './fields.js';
import {
  containsSequence,
  dateValue,
  fieldValues,
  ipBlock,
  ipNumber,
  ipValue,
  tokens,
  wildcardRegExp,
} from './match.js';

/** A query compiled to a test on one in-memory event. */
export type EventPredicate = (event: LogEvent) => boolean;

/** Options of `toPredicate`: the same field catalogue and default fields as the search. */
export interface PredicateOptions extends FieldOptions {
  /** Fields searched by free text; `message` by default. */
  defaultFields?: readonly string[];
}

type ValueTest = (value: unknown) => boolean;

/**
 * Compiles a query tree into a function that tells whether an event matches, with the
 * semantics of `toElasticsearchQuery` on the same tree (for live tail and stores without
 * a query engine). Field errors are thrown here, once, not per event. Known gaps: text is
 * split by an approximation of the `standard` analyzer, and relative dates are refused.
 */
export function toPredicate(root: QueryNode, options: PredicateOptions = {}): EventPredicate {
  const defaultFields = options.defaultFields ?? ['message'];

  const compile = (node: QueryNode): EventPredicate => {
    switch (node.kind) {
      case 'all':
        return () => true;
      case 'and': {
        const children = node.children.map(compile);
        return (event) => children.every((test) => test(event));
      }
      case 'or': {
        const children = node.children.map(compile);
        return (event) => children.some((test) => test(event));
      }
      case 'not': {
        const child = compile(node.child);
        return (event) => !child(event);
      }
      case 'text': {
        const kind = node.phrase ? 'phrase' : 'term';
        const children = defaultFields.map((field) => compile({ ...node, kind, field }));
        return (event) => children.some((test) => test(event));
      }
      case 'wildcard':
        if (node.field === null) {
          const children = defaultFields.map((field) => compile({ ...node, field }));
          return (event) => children.some((test) => test(event));
        }
        return onField(
          resolve(node.field, node.span),
          wildcardTest(resolve(node.field, node.span), node.pattern, node.span),
        );
      case 'term':
      case 'phrase': {
        const target = resolve(node.field, node.span);
        return onField(target, valueTest(target, node.kind, node.value, node.span));
      }
      case 'range': {
        const target = resolve(node.field, node.span);
        return onField(target, rangeTest(target, node));
      }
      case 'exists': {
        const target = resolve(node.field, node.span);
        return (event) => fieldValues(event, target.path).length > 0;
      }
    }
  };
  const resolve = (name: string, span: Span) => resolveField(name, span, options);
  return compile(root);
}

/** The event matches when any value of the field passes the test. */
function onField(target: ResolvedField, test: ValueTest): EventPredicate {
  return (event) => fieldValues(event, target.path).some(test);
}

function valueTest(target: ResolvedField, kind: 'term' | 'phrase', value: string, span: Span): ValueTest {
  switch (target.type) {
    case 'text': {
      const wanted = tokens(value);
      if (kind === 'phrase') return (v) => typeof v === 'string' && containsSequence(tokens(v), wanted);
      return (v) => {
        if (typeof v !== 'string' || wanted.length === 0) return false;
        const words = new Set(tokens(v));
        return wanted.every((word) => words.has(word));
      };
    }
    case 'ip': {
      const [low, high] = ipBlock(target, value, span);
      return (v) => {
        const ip = ipNumber(v);
        return ip !== undefined && ip >= low && ip <= high;
      };
    }
    case 'date': {
      const time = dateValue(target, value, span);
      return (v) => typeof v === 'string' && Date.parse(v) === time;
    }
    case 'integer':
    case 'long':
    case 'boolean': {
      const wanted = coerceValue(target, value, span);
      return (v) => v === wanted;
    }
    default:
      // Keywords, and flattened keys that index every leaf as its string form.
      return (v) => String(v) === value;
  }
}

function wildcardTest(target: ResolvedField, pattern: string, span: Span): ValueTest {
  if (target.type === 'text') {
    // Elasticsearch matches the pattern against each indexed (lower-cased) word.
    const regexp = wildcardRegExp(pattern, true);
    return (v) => typeof v === 'string' && tokens(v).some((word) => regexp.test(word));
  }
  if (target.type !== 'keyword' && target.type !== 'flattened-key')
    throw unsupported(target, 'A wildcard', span);
  if (target.type === 'flattened-key') {
    const prefix = flattenedPrefix(target, pattern, span);
    return (v) => String(v).startsWith(prefix);
  }
  const regexp = wildcardRegExp(pattern, false);
  return (v) => regexp.test(String(v));
}

function rangeTest(target: ResolvedField, node: RangeNode): ValueTest {
  const { lower, upper, span } = node;
  switch (target.type) {
    case 'text':
    case 'boolean':
    case 'flattened':
      throw unsupported(target, 'A range', span);
    case 'integer':
    case 'long':
      return compareWith(
        lower,
        upper,
        (b) => coerceValue(target, b, span) as number,
        (v) => (typeof v === 'number' ? v : undefined),
      );
    case 'date':
      return compareWith(
        lower,
        upper,
        (b) => dateValue(target, b, span),
        (v) => (typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? Date.parse(v) : undefined),
      );
    case 'ip':
      return compareWith(lower, upper, (b) => ipValue(target, b, span), ipNumber);
    default:
      return compareWith(
        lower,
        upper,
        (b) => b,
        (v) => (v === undefined ? undefined : String(v)),
      );
  }
}

/** Tests a value against optional bounds, both converted to one comparable type. */
function compareWith<T extends number | string | bigint>(
  lower: RangeBound | undefined,
  upper: RangeBound | undefined,
  bound: (value: string) => T,
  read: (value: unknown) => T | undefined,
): ValueTest {
  const low = lower && { value: bound(lower.value), inclusive: lower.inclusive };
  const high = upper && { value: bound(upper.value), inclusive: upper.inclusive };
  return (raw) => {
    const v = read(raw);
    if (v === undefined) return false;
    if (low && (low.inclusive ? v < low.value : v <= low.value)) return false;
    if (high && (high.inclusive ? v > high.value : v >= high.value)) return false;
    return true;
  };
}
