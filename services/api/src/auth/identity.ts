import type { KeyInfo, KeyRejection } from './key-store.js';
import type { Role } from './roles.js';

/** Name the audit log gives requests served without a key (loopback, no keys configured). */
export const ANONYMOUS_NAME = 'anonymous@loopback';

/** Who is making a request, as decided by the access-control plugin. */
export type Identity =
  | { kind: 'key'; key: KeyInfo }
  /** Loopback server without any key: the local user may do everything. */
  | { kind: 'anonymous'; role: Role }
  /** A key is needed and none or a bad one came. */
  | { kind: 'refused'; reason: 'missing' | KeyRejection }
  /** A route that needs no key (outside /api, or `permission: 'public'`). */
  | { kind: 'open' };

/** Reads the key from `Authorization: Bearer <key>` or `X-API-Key: <key>`. */
export function presentedKey(headers: Record<string, string | string[] | undefined>): string | undefined {
  const authorization = headers.authorization;
  if (typeof authorization === 'string') {
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization);
    if (match) return match[1];
  }
  const apiKey = headers['x-api-key'];
  if (typeof apiKey === 'string' && apiKey.trim() !== '') return apiKey.trim();
  return undefined;
}

/** The actor fields of an audit record. */
export function auditActor(identity: Identity): { key_id: string | null; name: string; role: string } {
  switch (identity.kind) {
    case 'key':
      return { key_id: identity.key.id, name: identity.key.name, role: identity.key.role };
    case 'anonymous':
      return { key_id: null, name: ANONYMOUS_NAME, role: identity.role };
    case 'refused':
      return { key_id: null, name: `refused:${identity.reason}`, role: 'none' };
    case 'open':
      return { key_id: null, name: 'public', role: 'none' };
  }
}
