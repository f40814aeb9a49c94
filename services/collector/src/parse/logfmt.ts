import logfmt from 'logfmt';
import type { Draft } from './build.js';
import { mapJsonLogger } from './json.js';

/** Regular expressions of this module, exported so a test can check them for ReDoS. */
export const LOGFMT_PATTERNS = {
  start: /^[A-Za-z_]/,
  pair: /(?:^| )[A-Za-z_][\w.@/-]*=/g,
  count: /^\d{1,10}$/,
} as const;

/** Whether a line reads as logfmt: at least two `key=` pairs, the first one leading. */
export function looksLikeLogfmt(text: string): boolean {
  if (!LOGFMT_PATTERNS.start.test(text)) return false;
  const pair = LOGFMT_PATTERNS.pair;
  pair.lastIndex = 0;
  let pairs = 0;
  let first = -1;
  for (let m = pair.exec(text); m !== null && pairs < 2; m = pair.exec(text)) {
    if (first < 0) first = m.index;
    pairs++;
  }
  return pairs >= 2 && first === 0;
}

/**
 * Parses a logfmt line (`time=... level=info msg="..." key=value`) with the `logfmt`
 * package, then maps logger field names like JSON. A bare key is `true`, as in logfmt.
 * Returns undefined when the line holds no `key=value` pair at all.
 */
export function parseLogfmt(text: string): Draft | undefined {
  const parsed = logfmt.parse(text);
  const fields: Record<string, unknown> = {};
  let pairs = 0;
  for (const [key, value] of Object.entries(parsed)) {
    if (value === undefined) continue;
    if (value !== true) pairs++;
    fields[key] = value;
  }
  if (pairs === 0) return undefined;
  // logfmt values are text: the pid is the one number the schema needs typed here.
  if (typeof fields.pid === 'string' && LOGFMT_PATTERNS.count.test(fields.pid))
    fields.pid = Number(fields.pid);
  const draft = mapJsonLogger(fields);
  if (draft.message === undefined && draft.msg === undefined) draft.message = text;
  return draft;
}
