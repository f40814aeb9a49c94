import { addClause, quoteValue } from './query-text.js';

/**
 * Failed logins as the detectors see them: ECS authentication failures, or the sshd/PAM
 * lines the security detector reads from messages without ECS fields.
 */
export const AUTH_FAILURES =
  '(event.category:authentication AND event.outcome:failure) OR "Failed password" OR "Failed publickey" OR "Invalid user" OR "authentication failure"';

/** Anomaly kinds of the security detector. */
export const SECURITY_KINDS = ['brute_force', 'password_spraying', 'scan'] as const;

/** The failed logins of one actor (a source ip or a user name). */
export function failuresOf(field: 'source.ip' | 'user.name', value: string | number | boolean): string {
  return addClause(AUTH_FAILURES, `${field}:${quoteValue(value)}`);
}
