import { passesLuhn } from './luhn.js';

/**
 * A redaction rule: what to look for and what to put instead. `replace` receives the
 * match and its groups, and returns undefined to leave a match alone (a digit run that
 * fails the Luhn check is not a card number).
 */
export interface RedactionRule {
  name: string;
  pattern: RegExp;
  replace: (match: string, groups: Array<string | undefined>) => string | undefined;
}

const MASK = '[REDACTED]';

// Key names whose values are secrets, optionally prefixed (`db_password`) or suffixed (`token_id`).
const SECRET_KEY =
  '(?:[A-Za-z0-9]{1,32}[_-]){0,3}(?:password|passwd|pwd|secret|api[_-]?key|apikey|token|auth[_-]?token|access[_-]?token|refresh[_-]?token|client[_-]?secret|private[_-]?key)(?:[_-][A-Za-z0-9]{1,32})?';

/** Regular expressions of the default rules, exported so a test can check them for ReDoS. */
export const REDACT_PATTERNS = {
  awsSecretKey:
    /\b(aws[_-]?secret[_-]?access[_-]?key|aws[_-]?secret[_-]?key|secret[_-]?access[_-]?key)(["']?\s{0,8}[:=]\s{0,8}["']?)([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])/gi,
  authorization:
    /\b(authorization["']?\s{0,8}[:=]\s{0,8}["']?)((?:Bearer|Basic|Digest|Token|Negotiate)\s{1,8})?[^\s"',;]+/gi,
  bearer: /\b(Bearer|Basic)(\s{1,8})[A-Za-z0-9\-._~+/]{8,}=*/gi,
  jwt: /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*/g,
  secretPair: new RegExp(
    `(?<![A-Za-z0-9_-])(${SECRET_KEY})(["']?\\s{0,8}[:=]\\s{0,8})("(?:[^"\\\\]|\\\\.){0,512}"|'[^']{0,512}'|[^\\s&,;"'}\\]]+)`,
    'gi',
  ),
  awsAccessKeyId: /\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b/g,
  creditCard: /\b\d(?:[ -]?\d){12,18}\b/g,
  secretKey: new RegExp(`^${SECRET_KEY}$`, 'i'),
  separators: /[ -]/g,
} as const;

/** Whether a field name (a label or attribute key) says its value is a secret. */
export function isSecretKey(key: string): boolean {
  return key.length <= 200 && REDACT_PATTERNS.secretKey.test(key);
}

/**
 * The default rules, in the order they run: labelled secrets first, so that their
 * values are masked whole before narrower rules could mask a piece of them.
 */
export const DEFAULT_RULES: readonly RedactionRule[] = [
  {
    name: 'aws_secret_key',
    pattern: REDACT_PATTERNS.awsSecretKey,
    replace: (_m, [key, separator]) => `${key}${separator}${MASK}`,
  },
  {
    name: 'authorization',
    pattern: REDACT_PATTERNS.authorization,
    replace: (_m, [prefix, scheme]) => `${prefix}${scheme ?? ''}${MASK}`,
  },
  {
    name: 'bearer_token',
    pattern: REDACT_PATTERNS.bearer,
    replace: (_m, [scheme, space]) => `${scheme}${space}${MASK}`,
  },
  { name: 'jwt', pattern: REDACT_PATTERNS.jwt, replace: () => MASK },
  {
    name: 'secret_pair',
    pattern: REDACT_PATTERNS.secretPair,
    replace: (_m, [key, separator, value]) => {
      const quote = value?.startsWith('"') ? '"' : value?.startsWith("'") ? "'" : '';
      if (value?.startsWith('[REDACTED', quote.length)) return undefined;
      return `${key}${separator}${quote}${MASK}${quote}`;
    },
  },
  { name: 'aws_access_key_id', pattern: REDACT_PATTERNS.awsAccessKeyId, replace: () => MASK },
  {
    name: 'credit_card',
    pattern: REDACT_PATTERNS.creditCard,
    replace: (match) => {
      const digits = match.replace(REDACT_PATTERNS.separators, '');
      return digits.length >= 13 && digits.length <= 19 && passesLuhn(digits) ? MASK : undefined;
    },
  },
];
