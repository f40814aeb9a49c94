/**
 * The query grammar, in Peggy's PEG notation. Precedence, loosest first: `OR`, then
 * `AND` (explicit or implied by whitespace), then `NOT` / `-`. Keywords are
 * case-insensitive; quote them (`"or"`) to search for the word. In unquoted values `\`
 * escapes the next character, and `*` / `?` are wildcards unless escaped.
 *
 * Actions build the nodes of `ast.ts`. A field's values (`status:(500 OR 503)`) are
 * parsed with an empty field, then `withField` sets it on every leaf.
 */
export const GRAMMAR = String.raw`
{
  // Offsets only: location() recounts lines from the start for each node, which made
  // chains of NOT quadratic. parseQuery fills line and column in one pass afterwards.
  const span = () => {
    const r = range();
    return { start: r.start, end: r.end, line: 0, column: 0 };
  };
  const join = (kind, head, tail) =>
    tail.length === 0 ? head : { kind, children: [head, ...tail], span: span() };
  const escapeWildcard = (c) => (c === '*' || c === '?' || c === '\\' ? '\\' + c : c);
  // An unquoted value: a term, or a wildcard pattern when it holds an unescaped * or ?.
  const valueNode = (parts, field) => {
    if (parts.every((p) => p.lit !== undefined)) {
      return { kind: 'term', field, value: parts.map((p) => p.lit).join(''), span: span() };
    }
    const pattern = parts.map((p) => (p.lit !== undefined ? escapeWildcard(p.lit) : p.wild)).join('');
    return { kind: 'wildcard', field, pattern, span: span() };
  };
  const withField = (node, field) => {
    if (node.kind === 'and' || node.kind === 'or') node.children.forEach((c) => withField(c, field));
    else if (node.kind === 'not') withField(node.child, field);
    else node.field = field;
    return node;
  };
  const comparison = (field, op, value) => {
    const bound = { value, inclusive: op.length === 2 };
    return op[0] === '>'
      ? { kind: 'range', field, lower: bound, span: span() }
      : { kind: 'range', field, upper: bound, span: span() };
  };
  const bracket = (field, open, lower, upper, close) => {
    if (lower === null && upper === null) return { kind: 'exists', field, span: span() };
    const node = { kind: 'range', field, span: span() };
    if (lower !== null) node.lower = { value: lower, inclusive: open === '[' };
    if (upper !== null) node.upper = { value: upper, inclusive: close === ']' };
    return node;
  };
}

Query = _ q:Or? _ { return q ?? { kind: 'all', span: span() }; }

Or = head:And tail:(_ OrKeyword _ @And)* { return join('or', head, tail); }

And = head:Not tail:((_ AndKeyword _ / _) @Not)* { return join('and', head, tail); }

Not
  = NotKeyword _ child:Not { return { kind: 'not', child, span: span() }; }
  / "-" child:Not { return { kind: 'not', child, span: span() }; }
  / Primary

Primary
  = "(" _ q:Or _ ")" { return q; }
  / FieldClause
  / FreeText

FieldClause
  = field:Field _ op:Comparator _ value:Bound { return comparison(field, op, value); }
  / field:Field ":" _ value:FieldValue {
      const node = withField(value, field);
      node.span = span();
      return node;
    }

FieldValue
  = "*" !ValueChar { return { kind: 'exists', field: '', span: span() }; }
  / op:Comparator _ value:Bound { return comparison('', op, value); }
  / open:RangeOpen _ lower:RangeEnd __ "TO"i __ upper:RangeEnd _ close:[\]}]
    { return bracket('', open, lower, upper, close); }
  / "(" _ group:GroupOr _ ")" { return group; }
  / value:Quoted { return { kind: 'phrase', field: '', value, span: span() }; }
  / parts:Unquoted { return valueNode(parts, ''); }

GroupOr = head:GroupAnd tail:(_ OrKeyword _ @GroupAnd)* { return join('or', head, tail); }

GroupAnd = head:GroupNot tail:((_ AndKeyword _ / _) @GroupNot)* { return join('and', head, tail); }

GroupNot
  = NotKeyword _ child:GroupNot { return { kind: 'not', child, span: span() }; }
  / "-" child:GroupNot { return { kind: 'not', child, span: span() }; }
  / "(" _ group:GroupOr _ ")" { return group; }
  / value:Quoted { return { kind: 'phrase', field: '', value, span: span() }; }
  / !Keyword parts:Unquoted { return valueNode(parts, ''); }

FreeText
  = value:Quoted { return { kind: 'text', value, phrase: true, span: span() }; }
  / !Keyword parts:Unquoted {
      const node = valueNode(parts, null);
      return node.kind === 'term' ? { kind: 'text', value: node.value, phrase: false, span: node.span } : node;
    }

Field "field name" = $([A-Za-z0-9_@] [A-Za-z0-9_@.\-]*)

RangeOpen "range" = [[{]

Comparator "comparison operator" = ">=" / "<=" / ">" / "<"

RangeEnd "range bound" = "*" !BoundChar { return null; } / Bound

Bound "value" = Quoted / chars:BoundChar+ { return chars.join(''); }

BoundChar = "\\" c:. { return c; } / [^ \t\r\n()[\]{}"\\]

Quoted "quoted phrase" = '"' chars:QuotedChar* '"' { return chars.join(''); }

QuotedChar = "\\" c:. { return c; } / [^"\\]

Unquoted "value" = ValuePart+

ValuePart
  = "\\" c:. { return { lit: c }; }
  / c:[*?] { return { wild: c }; }
  / c:ValueChar { return { lit: c }; }

ValueChar = [^ \t\r\n()"\\:<>{}[\]*?]

Keyword = AndKeyword / OrKeyword / NotKeyword

AndKeyword = "AND"i !WordEnd

OrKeyword = "OR"i !WordEnd

NotKeyword = "NOT"i !WordEnd

WordEnd = ValueChar / [\\*?]

_ "whitespace" = [ \t\r\n]*

__ "whitespace" = [ \t\r\n]+
`;
