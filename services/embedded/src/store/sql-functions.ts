import type { ResolvedField } from '@vigie/common';
import { fieldValues, ipBlock, tokens } from '@vigie/common';
import type Database from 'better-sqlite3';

/**
 * SQL functions for what SQLite's own cannot say the way the query language means it:
 * the leaves of a flattened field (keys may hold dots, values may be arrays), wildcards on
 * the words of a text, text fields outside the FTS index, IP addresses as ordered numbers
 * and dates as epoch ms. Values reach them as bound parameters, like everywhere else.
 */
export function registerSqlFunctions(db: Database.Database): void {
  db.table('vigie_field', {
    columns: ['value'],
    parameters: ['doc', 'path'],
    *rows(doc: unknown, path: unknown) {
      if (typeof doc !== 'string' || typeof path !== 'string') return;
      for (const value of fieldValues(JSON.parse(doc), path)) {
        if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
          yield [String(value)];
      }
    },
  });
  db.function('vigie_words_match', { deterministic: true }, (text: unknown, pattern: unknown) => {
    if (typeof text !== 'string' || typeof pattern !== 'string') return 0;
    const regexp = cachedRegExp(pattern);
    return tokens(text).some((word) => regexp.test(word)) ? 1 : 0;
  });
  db.function('vigie_text_match', { deterministic: true }, (text: unknown, mode: unknown, words: unknown) => {
    if (typeof text !== 'string' || typeof words !== 'string') return 0;
    const wanted = words.split(' ').filter((word) => word !== '');
    if (wanted.length === 0) return 0;
    const found = tokens(text);
    if (mode === 'phrase') return containsSequence(found, wanted) ? 1 : 0;
    const set = new Set(found);
    return wanted.every((word) => set.has(word)) ? 1 : 0;
  });
  db.function('vigie_ip', { deterministic: true }, (value: unknown) => ipHex(value));
  db.function('vigie_epoch', { deterministic: true }, (value: unknown) => {
    if (typeof value !== 'string') return null;
    const time = Date.parse(value);
    return Number.isNaN(time) ? null : time;
  });
}

const IP_FIELD: ResolvedField = { path: 'ip', type: 'ip' };
const NO_SPAN = { start: 0, end: 0, line: 1, column: 1 };

/**
 * An address as 32 hex digits of its IPv6-space number (IPv4 mapped), so that SQLite's
 * text comparison orders addresses as numbers; null for anything else.
 */
export function ipHex(value: unknown): string | null {
  if (typeof value !== 'string' || value.includes('/')) return null;
  try {
    return ipBlock(IP_FIELD, value, NO_SPAN)[0].toString(16).padStart(32, '0');
  } catch {
    return null;
  }
}

function containsSequence(words: string[], phrase: string[]): boolean {
  for (let i = 0; i + phrase.length <= words.length; i++) {
    if (phrase.every((word, j) => words[i + j] === word)) return true;
  }
  return false;
}

const regexps = new Map<string, RegExp>();

/** The pattern as an anchored, case-insensitive regular expression (text is matched word by word). */
function cachedRegExp(pattern: string): RegExp {
  let regexp = regexps.get(pattern);
  if (regexp === undefined) {
    let source = '';
    for (let i = 0; i < pattern.length; i++) {
      const c = pattern[i] ?? '';
      if (c === '\\') source += escapeRegExp(pattern[++i] ?? '');
      else if (c === '*') source += '.*';
      else if (c === '?') source += '.';
      else source += escapeRegExp(c);
    }
    regexp = new RegExp(`^${source}$`, 'isu');
    if (regexps.size > 1000) regexps.clear();
    regexps.set(pattern, regexp);
  }
  return regexp;
}

function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
}
