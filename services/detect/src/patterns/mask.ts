/** The placeholder that stands for a variable part of a message in a template. */
export const WILDCARD = '<*>';

// Whole-token shapes that are variables whatever the log source: URLs, e-mail addresses,
// file paths, UUIDs, MAC and IPv6 addresses, clock times and dates. They are tested on
// the token stripped of surrounding quotes and brackets.
const URL = /^[a-z][a-z0-9+.-]*:\/\/?\S/i;
const EMAIL = /^[^@\s]+@[^@\s]+\.[a-z]{2,}$/i;
const PATH = /^(?:~|\.{1,2})?\/[^/]|^[a-z]:\\|^[\w.-]+(?:\/[\w.-]+){2,}$/i;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const COLON_HEX = /^[0-9a-f]{1,4}(?::[0-9a-f]{0,4}){2,7}(?:%\w+)?$/i;
const HOST = /^[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+\.[a-z]{2,6}$/;
const HEX_WORD = /^(?:0x)?[0-9a-f]{8,}$/i;
// Characters that separate the parts of a token which may vary on their own, such as
// `key=value`, `host:port`, `name(42)` or `a,b`. Dots, dashes and underscores are kept
// inside a part, so `10.0.0.1`, `2024-05-01` or `blk_-42` are each one part.
const SEPARATORS = /([=:,;()[\]{}"'<>|#@]|\.{2,})/;
const OPENERS = '([{<"\'';
const CLOSERS = ')]}>"\',;:.!?';

// Parts of dates written in words; time zones only right after a variable (a time).
const DATE_WORD =
  /^(?:Mon(?:day)?|Tue(?:sday)?|Wed(?:nesday)?|Thu(?:rsday)?|Fri(?:day)?|Sat(?:urday)?|Sun(?:day)?|Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t|tember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)[,.]?$/;
const TIME_ZONE = /^(?:UTC|GMT|Z|[A-Z]{1,3}[SD]T)$/;

/** Cheap test first: most words are not capitalised or are too long to be a date part. */
function isDateWord(token: string): boolean {
  const first = token.charCodeAt(0);
  return first >= 65 && first <= 87 && token.length <= 10 && DATE_WORD.test(token);
}

/** True for a character code of an ASCII digit. */
function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** True when the token contains a character that could make it a variable. */
function mayBeVariable(token: string): boolean {
  for (let i = 0; i < token.length; i++) {
    const code = token.charCodeAt(i);
    // digits, '/', '@', '\'
    if (isDigit(code) || code === 47 || code === 64 || code === 92) return true;
  }
  return false;
}

function hasDigit(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (isDigit(text.charCodeAt(i))) return true;
  return false;
}

/** Whether a whole token, bare of quotes and brackets, is a generic variable. */
function isVariableShape(core: string): boolean {
  return (
    URL.test(core) ||
    EMAIL.test(core) ||
    PATH.test(core) ||
    UUID.test(core) ||
    COLON_HEX.test(core) ||
    ((HEX_WORD.test(core) || HOST.test(core)) && hasDigit(core))
  );
}

/**
 * Replaces the variable parts of one whitespace-free token with {@link WILDCARD}: the
 * whole token when it has a generic variable shape (URL, path, address, id...), else
 * each part between separators that holds a number (numbers, sizes, durations, ids,
 * versions, `key=42` values), see `maskPart`. Words are kept: they are left to the
 * clustering, which tells constant words from variable ones by comparing messages.
 */
export function maskToken(token: string): string {
  if (!mayBeVariable(token)) return isDateWord(token) ? WILDCARD : token;
  let start = 0;
  let end = token.length;
  while (start < end && OPENERS.includes(token[start] as string)) start++;
  while (end > start && CLOSERS.includes(token[end - 1] as string)) end--;
  const core = token.slice(start, end);
  if (core.length > 0 && isVariableShape(core)) {
    return token.slice(0, start) + WILDCARD + token.slice(end);
  }
  if (!hasDigit(token)) return token;
  const parts = token.split(SEPARATORS);
  for (let i = 0; i < parts.length; i += 2) {
    const part = parts[i] as string;
    if (hasDigit(part)) parts[i] = maskPart(part);
  }
  return parts.join('');
}

const ID_PREFIX = /^[A-Za-z]+_/;
const SEGMENT_SEPARATORS = /[-_.]/;

/**
 * Names that merely contain a digit (`ssh2`, `jk2_init`, `log4j`) are words: no segment
 * starts with a digit or is more than a third digits. Numbers, hashes and numbered
 * hosts (`web-01`, `7d9f8b6c5`) are not.
 */
function looksLikeWord(part: string): boolean {
  for (const segment of part.split(SEGMENT_SEPARATORS)) {
    if (segment === '') continue;
    if (isDigit(segment.charCodeAt(0))) return false;
    let digits = 0;
    for (let i = 0; i < segment.length; i++) if (isDigit(segment.charCodeAt(i))) digits++;
    if (digits * 3 > segment.length) return false;
  }
  return true;
}

/**
 * A digit-bearing part: generic shapes (hosts, addresses) are one variable, an id keeps
 * its word prefix (`blk_<*>`), a name with a digit stays, a dotted name keeps its
 * constant segments.
 */
function maskPart(part: string): string {
  if (isVariableShape(part)) return WILDCARD;
  const prefix = ID_PREFIX.exec(part);
  if (prefix) return prefix[0] + WILDCARD;
  if (looksLikeWord(part)) return part;
  return part.includes('.') ? maskDotted(part) : WILDCARD;
}

/**
 * Masks the digit-bearing segments of a dotted name, keeping the others
 * (`org.example.v2.Job` gives `org.example.<*>.Job`, `core.42` gives `core.<*>`);
 * neighbouring variables merge, so numbers and addresses stay one `<*>`.
 */
function maskDotted(part: string): string {
  const segments = part.split('.');
  let out = '';
  let previousWild = false;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] as string;
    const wild = hasDigit(segment);
    if (wild && previousWild) continue;
    out += (i > 0 ? '.' : '') + (wild ? WILDCARD : segment);
    previousWild = wild;
  }
  return out;
}

/** True when a (masked) token holds a variable part. */
export function isVariableToken(token: string): boolean {
  return token.includes(WILDCARD);
}

// A token this long is data (a blob, an encoded payload), not a word of a template.
const MAX_TOKEN_LENGTH = 256;

// Units written apart from their number (`9.2 KB`, `30 ms`): the unit belongs to the value.
const UNIT = /^(?:[kmgtp]i?b|b|bytes?|[mun\u00b5]?s|secs?|min|[kmg]hz)([,;:.)\]]*)$/i;

/**
 * Splits a message on whitespace, masks every token and keeps at most `maxTokens`
 * tokens (the rest of a very long message does not take part in its template). A run
 * of variables becomes one, so that lists of ids of any length share a template, and a
 * unit following a number is folded into it.
 */
export function tokenize(message: string, maxTokens: number): string[] {
  const tokens: string[] = [];
  let i = 0;
  const n = message.length;
  while (i < n && tokens.length < maxTokens) {
    while (i < n && message.charCodeAt(i) <= 32) i++;
    if (i >= n) break;
    let j = i + 1;
    while (j < n && message.charCodeAt(j) > 32) j++;
    const raw = message.slice(i, j);
    i = j;
    const last = tokens.length - 1;
    const previous = tokens[last];
    const token =
      raw.length > MAX_TOKEN_LENGTH || (previous === WILDCARD && TIME_ZONE.test(raw))
        ? WILDCARD
        : maskToken(raw);
    if (previous?.endsWith(WILDCARD)) {
      if (token === previous) continue;
      const unit = UNIT.exec(token);
      if (unit) {
        tokens[last] = previous + (unit[1] as string);
        continue;
      }
    }
    tokens.push(token);
  }
  return tokens;
}

/** Every regular expression run on message text, for the ReDoS test. */
export const PATTERNS: Readonly<Record<string, RegExp>> = {
  URL,
  EMAIL,
  PATH,
  UUID,
  COLON_HEX,
  HOST,
  HEX_WORD,
  SEPARATORS,
  DATE_WORD,
  TIME_ZONE,
  UNIT,
  ID_PREFIX,
  SEGMENT_SEPARATORS,
};
