import { VigieError } from '../errors.js';

/** A position in the query text; `line` and `column` count from 1, as editors do. */
export interface QueryPosition {
  offset: number;
  line: number;
  column: number;
  /** Offset past the offending text, when it is longer than one character. */
  end?: number;
}

/** The line and column of `offset` in `text`. */
export function positionOf(text: string, offset: number): QueryPosition {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { offset, line, column: offset - lineStart + 1 };
}

/** "column 8", or "line 2, column 3" once the query spans several lines. */
export function describePosition(position: Pick<QueryPosition, 'line' | 'column'>): string {
  return position.line === 1
    ? `column ${position.column}`
    : `line ${position.line}, column ${position.column}`;
}

/** A query the user must fix: answered with HTTP 400, never retried. */
export class QueryError extends VigieError implements QueryPosition {
  /** Offset of the offending character in the query (0-based). */
  readonly offset: number;
  /** Line of the offending character (1-based). */
  readonly line: number;
  /** Column of the offending character in its line (1-based). */
  readonly column: number;
  /** Offset past the offending text (at least `offset + 1`), for an editor to underline it. */
  readonly end: number;

  constructor(code: string, message: string, position: QueryPosition) {
    super(code, message, { httpStatus: 400 });
    this.name = 'QueryError';
    this.offset = position.offset;
    this.line = position.line;
    this.column = position.column;
    this.end = Math.max(position.end ?? 0, position.offset + 1);
  }
}

/** The query does not follow the grammar; `expected` names what could have come there. */
export class QuerySyntaxError extends QueryError {
  /** What the parser could have accepted at the position, e.g. `value`, `")"`. */
  readonly expected: string[];

  constructor(message: string, position: QueryPosition, expected: string[]) {
    super('VIGIE_ERR_QUERY_SYNTAX', message, position);
    this.name = 'QuerySyntaxError';
    this.expected = expected;
  }
}

/** The query is valid but too costly: too long, too deep, too many clauses or wildcards. */
export class QueryLimitError extends QueryError {
  constructor(message: string, position: QueryPosition) {
    super('VIGIE_ERR_QUERY_LIMIT', message, position);
    this.name = 'QueryLimitError';
  }
}

/** A clause does not fit its field: unknown field, a word where a number is due, a range on text. */
export class QueryFieldError extends QueryError {
  /** The field the clause names. */
  readonly field: string;

  constructor(field: string, message: string, position: QueryPosition) {
    super('VIGIE_ERR_QUERY_FIELD', message, position);
    this.name = 'QueryFieldError';
    this.field = field;
  }
}
