import type { LineFormat } from '../model.js';
import { ACCESS_LOG_PATTERNS } from './access-log.js';
import { CONTAINER_PATTERNS } from './container.js';
import { looksLikeLogfmt } from './logfmt.js';
import { SYSLOG_PATTERNS } from './syslog.js';

/** Formats a line can be detected as (`auto` resolved; nginx stands for both access logs). */
export type DetectedFormat = Exclude<LineFormat, 'auto' | 'apache'>;

/** Regular expressions of this module, exported so a test can check them for ReDoS. */
export const DETECT_PATTERNS = {
  // rsyslog's file format: RFC 3339 time, host, then a tag ending with ':'.
  isoSyslog: /^\d{4}-\d{2}-\d{2}T[\d:.]{8,18}(?:Z|[+-]\d{2}:\d{2}) \S+ [^\s:[\]]{1,128}(?:\[\d{1,10}\])?: /,
} as const;

/**
 * The format of one line, from cheap checks of its start, most specific first. A line
 * starting with `{` is JSON even when it does not parse: it then becomes a parse
 * error instead of passing silently as text.
 */
export function detectFormat(text: string): DetectedFormat {
  const first = text[0];
  if (first === '{') return 'json';
  if (first === '<' && SYSLOG_PATTERNS.pri.test(text)) return 'syslog';
  if (first !== undefined && first >= '0' && first <= '9') {
    if (CONTAINER_PATTERNS.cri.test(text)) return 'cri';
    if (DETECT_PATTERNS.isoSyslog.test(text)) return 'syslog';
  }
  if (SYSLOG_PATTERNS.bsdTime.test(text)) return 'syslog';
  if (ACCESS_LOG_PATTERNS.line.test(text)) return 'nginx';
  if (looksLikeLogfmt(text)) return 'logfmt';
  return 'text';
}
