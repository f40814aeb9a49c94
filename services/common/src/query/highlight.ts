import type { SearchHit } from '../ports/log-search.js';
import { HIGHLIGHT_END, HIGHLIGHT_START } from '../ports/log-search.js';
import type { QueryNode } from './ast.js';
import { tokens } from './match.js';

/**
 * Marks the words of the query's positive free-text and `message` clauses in the hit's
 * message, as Elasticsearch's highlighter does, with the same text markers (never HTML): the
 * memory and SQLite stores share it.
 */
export function highlightHit(hit: SearchHit, query: QueryNode): void {
  const words = new Set<string>();
  const visit = (node: QueryNode): void => {
    if (node.kind === 'and' || node.kind === 'or') node.children.forEach(visit);
    else if ((node.kind === 'text' || node.kind === 'term' || node.kind === 'phrase') && isMessage(node))
      for (const word of tokens(node.value)) words.add(word);
  };
  visit(query);
  if (words.size === 0) return;
  let marked = false;
  const message = hit.event.message.replace(/[\p{L}\p{N}_]+(?:['.][\p{L}\p{N}_]+)*/gu, (word) => {
    if (!words.has(word.toLowerCase())) return word;
    marked = true;
    return `${HIGHLIGHT_START}${word}${HIGHLIGHT_END}`;
  });
  if (marked) hit.highlight = { message: [message] };
}

function isMessage(node: QueryNode): boolean {
  return node.kind === 'text' || ('field' in node && node.field === 'message');
}
