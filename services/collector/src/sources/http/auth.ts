import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * Checks the `Authorization` header against the ingest token in constant time. Accepts
 * the forms shippers send: `Bearer <token>` (OTLP, Vector, Loki clients), `ApiKey <token>`
 * or `ApiKey base64(id:token)` (Elasticsearch shippers) and basic auth whose password is
 * the token (Filebeat, Fluent Bit, rsyslog `uid`/`pwd`).
 */
export function createTokenCheck(token: string): (header: string | undefined) => boolean {
  // Hashing first makes both sides the same length, so timingSafeEqual never leaks it.
  const expected = digest(token);
  const matches = (candidate: string) => timingSafeEqual(digest(candidate), expected);
  return (header) => {
    if (header === undefined) return false;
    const space = header.indexOf(' ');
    if (space < 0) return false;
    const scheme = header.slice(0, space).toLowerCase();
    const value = header.slice(space + 1).trim();
    if (scheme === 'bearer') return matches(value);
    if (scheme === 'apikey') {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      // Evaluate both forms every time: the answer time must not tell which one was tried.
      const raw = matches(value);
      const pair = colon >= 0 && matches(decoded.slice(colon + 1));
      return raw || pair;
    }
    if (scheme === 'basic') {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      return colon >= 0 && matches(decoded.slice(colon + 1));
    }
    return false;
  };
}

/** True for addresses only this machine can reach: 127.0.0.0/8, ::1 and localhost. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  if (bare === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1' || bare.toLowerCase().startsWith('::ffff:127.');
  return false;
}
