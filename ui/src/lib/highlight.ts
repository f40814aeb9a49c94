// Highlight fragments carry hits between \u0001 and \u0002 (control characters, not
// HTML). They are split into plain text parts; components render each part as text.

/** One run of a highlighted fragment. */
export interface TextPart {
  text: string;
  hit: boolean;
}

const START = '\u0001';
const END = '\u0002';

/** Splits a fragment into runs of plain text and hits; stray markers are dropped. */
export function splitHighlight(fragment: string): TextPart[] {
  const parts: TextPart[] = [];
  let hit = false;
  let current = '';
  for (const char of fragment) {
    if (char === START || char === END) {
      if (current) parts.push({ text: current, hit });
      current = '';
      hit = char === START;
    } else {
      current += char;
    }
  }
  if (current) parts.push({ text: current, hit });
  return parts;
}
