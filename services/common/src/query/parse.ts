import peggy from 'peggy';
import type { QueryNode } from './ast.js';
import { describePosition, positionOf, QueryLimitError, QuerySyntaxError } from './errors.js';
import { GRAMMAR } from './grammar.js';
import { checkLimits, DEFAULT_QUERY_LIMITS, type QueryLimits } from './limits.js';

/** Options of `parseQuery`: any limit left out keeps its default. */
export type ParseOptions = Partial<QueryLimits>;

let parser: peggy.Parser | undefined;

/** The parser is generated from the grammar once, on first use (a few milliseconds). */
function getParser(): peggy.Parser {
  parser ??= peggy.generate(GRAMMAR);
  return parser;
}

/**
 * Parses a query into its tree, or throws a `QueryError` that points at the position to
 * fix: `QuerySyntaxError` for text outside the grammar, `QueryLimitError` for a query
 * over the limits. An empty query is `{ kind: 'all' }`.
 */
export function parseQuery(text: string, options: ParseOptions = {}): QueryNode {
  const limits: QueryLimits = { ...DEFAULT_QUERY_LIMITS, ...options };
  if (text.length > limits.maxLength) {
    throw new QueryLimitError(
      `The query is ${text.length} characters long, more than the ${limits.maxLength} allowed`,
      positionOf(text, limits.maxLength),
    );
  }
  const scan = scanText(text, limits.maxDepth);
  if (scan.tooDeep !== undefined) {
    const at = positionOf(text, scan.tooDeep);
    throw new QueryLimitError(
      `Parentheses nest deeper than ${limits.maxDepth} levels at ${describePosition(at)}`,
      at,
    );
  }
  let root: QueryNode;
  try {
    root = getParser().parse(text) as QueryNode;
  } catch (err) {
    if (err instanceof getParser().SyntaxError) throw toSyntaxError(text, err, scan);
    // Chains such as `NOT NOT NOT …` recurse without parentheses; the stack is the limit.
    if (err instanceof RangeError) {
      throw new QueryLimitError('The query nests too deeply to be read', positionOf(text, 0));
    }
    throw err;
  }
  addLines(text, root);
  checkLimits(root, limits);
  return root;
}

/** Sets the line and column of every span, with one table of line starts. */
function addLines(text: string, root: QueryNode): void {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  const stack = [root];
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((starts[mid] ?? 0) <= node.span.start) low = mid;
      else high = mid - 1;
    }
    node.span.line = low + 1;
    node.span.column = node.span.start - (starts[low] ?? 0) + 1;
    if (node.kind === 'and' || node.kind === 'or') stack.push(...node.children);
    else if (node.kind === 'not') stack.push(node.child);
  }
}

/**
 * One pass before the parser: the parser recurses once per parenthesis, so ten thousand
 * of them must be refused here rather than overflow the stack. It also finds a quote
 * left open, which makes a clearer message than the parser's.
 */
function scanText(text: string, maxDepth: number): TextScan {
  const open: number[] = [];
  let quote: number | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') i++;
    else if (quote !== undefined) {
      if (c === '"') quote = undefined;
    } else if (c === '"') quote = i;
    else if (c === '(') {
      open.push(i);
      if (open.length > maxDepth) return { tooDeep: i };
    } else if (c === ')') open.pop();
  }
  const scan: TextScan = {};
  if (quote !== undefined) scan.openQuote = quote;
  if (open.length > 0) scan.openParen = open.at(-1);
  return scan;
}

/** What `scanText` found: offsets of a parenthesis too deep, a quote or parenthesis never closed. */
interface TextScan {
  tooDeep?: number;
  openQuote?: number;
  openParen?: number;
}

type Expectation = peggy.parser.Expectation;

function describeExpectation(e: Expectation): string {
  switch (e.type) {
    case 'literal':
      return `'${e.text}'`;
    case 'other':
      return e.description;
    case 'end':
      return 'the end of the query';
    default:
      return 'a character';
  }
}

/** Turns Peggy's error into one line that says what is missing, after what, and where. */
function toSyntaxError(text: string, err: peggy.parser.SyntaxError, scan: TextScan): QuerySyntaxError {
  const at = positionOf(text, err.location.start.offset);
  const expected = [...new Set((err.expected ?? []).map(describeExpectation))];
  if (scan.openQuote !== undefined) {
    const quote = positionOf(text, scan.openQuote);
    return new QuerySyntaxError(
      `Unterminated quoted phrase: the '"' at ${describePosition(quote)} is never closed`,
      quote,
      ["'\"'"],
    );
  }
  if (scan.openParen !== undefined && err.found === null) {
    const paren = positionOf(text, scan.openParen);
    return new QuerySyntaxError(`Missing ')': the '(' at ${describePosition(paren)} is never closed`, paren, [
      "')'",
    ]);
  }
  let backslashes = 0;
  while (text[text.length - 1 - backslashes] === '\\') backslashes++;
  if (backslashes % 2 === 1) {
    const end = positionOf(text, text.length - 1);
    return new QuerySyntaxError(`A trailing '\\' escapes nothing at ${describePosition(end)}`, end, expected);
  }
  const rangeStart = Math.max(text.lastIndexOf('['), text.lastIndexOf('{'));
  const rangeEnd = Math.max(text.lastIndexOf(']'), text.lastIndexOf('}'));
  if (rangeStart > rangeEnd && err.found === null) {
    const open = positionOf(text, rangeStart);
    return new QuerySyntaxError(
      `Unterminated range: the '${text[rangeStart]}' at ${describePosition(open)} needs 'a TO b' and a closing ']' or '}'`,
      open,
      expected,
    );
  }
  const depthBefore =
    (text.slice(0, at.offset).match(/(?<!\\)\(/g)?.length ?? 0) -
    (text.slice(0, at.offset).match(/(?<!\\)\)/g)?.length ?? 0);
  if (err.found === ')' && depthBefore <= 0) {
    return new QuerySyntaxError(`Unexpected ')' at ${describePosition(at)}: no '(' is open`, at, expected);
  }
  // Only the end of what came before matters; bounding it keeps these patterns linear.
  const before = text.slice(Math.max(0, at.offset - 256), at.offset).trimEnd();
  const where = describePosition(at);
  const field = /([A-Za-z0-9_@][A-Za-z0-9_@.-]*):$/.exec(before)?.[1];
  if (field !== undefined) {
    return new QuerySyntaxError(`Expected a value after '${field}:' at ${where}`, at, expected);
  }
  const keyword = /(?:^|[\s()])(AND|OR|NOT)$/i.exec(before)?.[1];
  if (keyword !== undefined) {
    return new QuerySyntaxError(`Expected a clause after '${keyword}' at ${where}`, at, expected);
  }
  const operator = /(>=|<=|>|<)$/.exec(before)?.[1];
  if (operator !== undefined) {
    return new QuerySyntaxError(`Expected a value after '${operator}' at ${where}`, at, expected);
  }
  const found = err.found === null ? 'the end of the query' : `'${err.found}'`;
  const list =
    expected.length <= 1
      ? (expected[0] ?? 'nothing')
      : `${expected.slice(0, -1).join(', ')} or ${expected.at(-1)}`;
  return new QuerySyntaxError(`Expected ${list} but found ${found} at ${where}`, at, expected);
}
