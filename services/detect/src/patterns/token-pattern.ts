import { WILDCARD } from './mask.js';

// A token is read as atoms: wildcards, single punctuation characters and runs of letters
// and digits. Generalising two tokens keeps the atoms they share at both ends.
const ATOMS = /(<\*>|[^A-Za-z0-9])/;

/** Whether text can stand for a `<*>`: it starts and ends on a letter, a digit or a variable. */
function isValue(text: string): boolean {
  if (text.length === 0) return false;
  const first = text.charCodeAt(0);
  const last = text.charCodeAt(text.length - 1);
  return (isAlnum(first) || first === 60) && (isAlnum(last) || last === 62);
}

function isAlnum(code: number): boolean {
  return (
    (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code > 127
  );
}

/**
 * Whether a message token fits a template token, in which each `<*>` stands for a value
 * (so `rhost=<*>` fits `rhost=example.org` but neither a bare `rhost=` nor `rhost=,`,
 * and `step....<*>` does not fit `step.......<*>`).
 */
export function tokenMatches(template: string, token: string): boolean {
  if (template === token || template === WILDCARD) return true;
  if (!template.includes(WILDCARD)) return false;
  const parts = template.split(WILDCARD);
  const first = parts[0] as string;
  const last = parts[parts.length - 1] as string;
  if (!token.startsWith(first) || !token.endsWith(last)) return false;
  let at = first.length;
  const end = token.length - last.length;
  for (let i = 1; i < parts.length - 1; i++) {
    const part = parts[i] as string;
    const found = token.indexOf(part, at + 1);
    if (found < 0 || found + part.length >= end || !isValue(token.slice(at, found))) return false;
    at = found + part.length;
  }
  return end > at && isValue(token.slice(at, end));
}

/**
 * The most specific template token that both tokens fit: the atoms common to their
 * beginnings and ends are kept, what lies between becomes one `<*>`
 * (`tty=ssh` and `tty=:<*>` give `tty=<*>`).
 */
export function mergeTokens(template: string, token: string): string {
  if (tokenMatches(template, token)) return template;
  const a = template.split(ATOMS).filter((s) => s !== '');
  const b = token.split(ATOMS).filter((s) => s !== '');
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (
    tail < a.length - head &&
    tail < b.length - head &&
    a[a.length - 1 - tail] === b[b.length - 1 - tail]
  ) {
    tail++;
  }
  if (head + tail === 0) return WILDCARD;
  const before = a.slice(0, head);
  const after = a.slice(a.length - tail);
  // A shared wildcard next to the new one is absorbed by it.
  if (before[before.length - 1] === WILDCARD) before.pop();
  if (after[0] === WILDCARD) after.shift();
  return [...before, WILDCARD, ...after].join('');
}

/** How a message token stands against the template token at the same position. */
export enum Fit {
  /** It fits: equal, or a value of the template's variable. */
  Same,
  /** It differs in a way a variable can take up, and nothing of it is left. */
  Variable,
  /** It differs in a way a variable can take up, keeping a shared part (`org.example.<*>`). */
  Partial,
  /** It differs in a way that makes it another event. */
  Other,
}

const CAPS_WORD = /^[A-Z][A-Z_]+$/;
const LETTERS = /^[A-Za-z]+$/;

/**
 * Compares a message token with a template token. Besides plain equality, some
 * differences mark another event rather than another value: an upper-case word
 * (`RUNNING`, `JOB_SETUP`: states and event kinds), one token extending the other
 * (`rhost=` / `rhost=<*>`, `(uid=<*>)` / `LOGIN(uid=<*>)`: a field present or not), and
 * a word in another form (`failure;` / `failures;`).
 */
export function compareTokens(template: string, token: string): Fit {
  if (tokenMatches(template, token)) return Fit.Same;
  if (CAPS_WORD.test(template) || CAPS_WORD.test(token)) return Fit.Other;
  if (isInflection(template, token) || extendsField(template, token) || extendsField(token, template)) {
    return Fit.Other;
  }
  if (mergeTokens(template, token) !== WILDCARD) return Fit.Partial;
  return Fit.Variable;
}

/** `a` and `b` differ only by letters added to a word of one of them. */
function isInflection(a: string, b: string): boolean {
  const n = Math.min(a.length, b.length);
  let head = 0;
  while (head < n && a.charCodeAt(head) === b.charCodeAt(head)) head++;
  let tail = 0;
  while (tail < n - head && a.charCodeAt(a.length - 1 - tail) === b.charCodeAt(b.length - 1 - tail)) tail++;
  if (head + tail !== n) return false;
  const long = a.length > b.length ? a : b;
  const before = long.charCodeAt(head - 1);
  const after = long.charCodeAt(long.length - tail);
  const inserted = long.slice(head, long.length - tail);
  return LETTERS.test(inserted) && (isAlnum(before) || isAlnum(after));
}

/** `long` is `short` with more text before or after, not the continuation of a variable. */
function extendsField(long: string, short: string): boolean {
  if (long.length <= short.length) return false;
  if (long.startsWith(short) && !short.endsWith(WILDCARD)) return true;
  return long.endsWith(short) && !short.startsWith(WILDCARD);
}

/** Every regular expression run on message text, for the ReDoS test. */
export const PATTERNS: Readonly<Record<string, RegExp>> = { ATOMS, CAPS_WORD, LETTERS };
