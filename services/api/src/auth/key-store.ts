import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ConfigError } from '@vigie/common';
import { withFileLock } from './file-lock.js';
import { isRole, type Role } from './roles.js';

/** What the keys file says about one key. The secret itself is never stored. */
export interface StoredKey {
  /** Public identifier, also the second part of the key (`vigie_<id>_<secret>`). */
  id: string;
  /** Who or what holds the key, for the audit log (`grafana`, `alice`). */
  name: string;
  role: Role;
  /** ISO 8601 creation time. */
  created: string;
  /** ISO 8601 time after which the key is refused; absent for keys that do not expire. */
  expires?: string;
  revoked: boolean;
  /** `sha256:<hex>` of the secret part. */
  hash: string;
}

/** A key as the rest of the code sees it once verified: no hash. */
export type KeyInfo = Omit<StoredKey, 'hash'>;

/** Why a presented key was refused. */
export type KeyRejection = 'malformed' | 'unknown' | 'revoked' | 'expired';

export type Verification = { ok: true; key: KeyInfo } | { ok: false; reason: KeyRejection };

interface KeysFile {
  version: 1;
  keys: StoredKey[];
}

const KEY_PATTERN = /^vigie_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
const RELOAD_CHECK_MS = 1_000;
// Compared against when the id is unknown, so that path costs the same hash and compare.
const DUMMY_HASH = hashSecret('vigie-no-such-key');

/**
 * SHA-256 is enough here: the secret is 256 random bits, so a slow password hash adds
 * nothing against brute force and would cost every request.
 */
function hashSecret(secret: string): string {
  return `sha256:${createHash('sha256').update(secret).digest('hex')}`;
}

function hashesEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function parseKeysFile(text: string, path: string): KeysFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ConfigError(`keys file ${path} is not valid JSON`);
  }
  const file = parsed as Partial<KeysFile> | null;
  if (file?.version !== 1 || !Array.isArray(file.keys))
    throw new ConfigError(`keys file ${path} is not a Vigie keys file (version 1)`);
  const problems: string[] = [];
  for (const [index, key] of file.keys.entries()) {
    if (typeof key?.id !== 'string' || typeof key.hash !== 'string' || typeof key.name !== 'string')
      problems.push(`key ${index}: id, name and hash are required`);
    else if (!isRole(key.role)) problems.push(`key ${key.id}: unknown role ${JSON.stringify(key.role)}`);
  }
  if (problems.length > 0) throw new ConfigError(`keys file ${path}: ${problems.join('; ')}`);
  return file as KeysFile;
}

/**
 * The API keys, kept hashed in a JSON file (mode 0600, replaced atomically). The server
 * reads it and notices changes made by `vigie keys` within about a second, so a revoked
 * key stops working without a restart.
 */
export class KeyStore {
  private keys: StoredKey[] = [];
  private loadedStamp = '';
  private lastCheck = 0;

  constructor(
    /** Path of the keys file; a missing file means no keys. */
    readonly path: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** Reads the file (again, when it changed since the last read). */
  async load(): Promise<void> {
    this.lastCheck = this.now();
    let stamp: string;
    try {
      const info = await stat(this.path);
      stamp = `${info.mtimeMs}:${info.size}:${info.ino}`;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      this.keys = [];
      this.loadedStamp = '';
      return;
    }
    if (stamp === this.loadedStamp) return;
    this.keys = parseKeysFile(await readFile(this.path, 'utf8'), this.path).keys;
    this.loadedStamp = stamp;
  }

  /** Reloads when the last check is more than a second old; cheap enough for every request. */
  async refresh(): Promise<void> {
    if (this.now() - this.lastCheck >= RELOAD_CHECK_MS) await this.load();
  }

  /** True when the file holds at least one key, revoked or not. */
  hasKeys(): boolean {
    return this.keys.length > 0;
  }

  list(): KeyInfo[] {
    return this.keys.map(({ hash: _hash, ...info }) => info);
  }

  /** Checks a presented key in constant time with respect to its secret. */
  verify(presented: string): Verification {
    const match = KEY_PATTERN.exec(presented);
    if (!match) return { ok: false, reason: 'malformed' };
    const [, id, secret] = match as unknown as [string, string, string];
    const stored = this.keys.find((key) => key.id === id);
    const equal = hashesEqual(hashSecret(secret), stored?.hash ?? DUMMY_HASH);
    if (!stored || !equal) return { ok: false, reason: 'unknown' };
    if (stored.revoked) return { ok: false, reason: 'revoked' };
    if (stored.expires !== undefined && Date.parse(stored.expires) <= this.now())
      return { ok: false, reason: 'expired' };
    const { hash: _hash, ...key } = stored;
    return { ok: true, key };
  }

  /** Creates a key and returns it with its full secret, which exists nowhere else. */
  async create(spec: {
    name: string;
    role: Role;
    expires?: Date;
  }): Promise<{ key: KeyInfo; secret: string }> {
    return withFileLock(this.path, () => this.createLocked(spec));
  }

  private async createLocked(spec: { name: string; role: Role; expires?: Date }) {
    await this.reread();
    const id = randomBytes(8).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    const stored: StoredKey = {
      id,
      name: spec.name,
      role: spec.role,
      created: new Date(this.now()).toISOString(),
      revoked: false,
      hash: hashSecret(secret),
    };
    if (spec.expires) stored.expires = spec.expires.toISOString();
    await this.save([...this.keys, stored]);
    const { hash: _hash, ...key } = stored;
    return { key, secret: `vigie_${id}_${secret}` };
  }

  /** Marks a key revoked; returns false when no key has this id. */
  async revoke(id: string): Promise<boolean> {
    return withFileLock(this.path, () => this.revokeLocked(id));
  }

  private async revokeLocked(id: string): Promise<boolean> {
    await this.reread();
    const target = this.keys.find((key) => key.id === id);
    if (!target) return false;
    await this.save(this.keys.map((key) => (key.id === id ? { ...key, revoked: true } : key)));
    return true;
  }

  /** Reads the file whatever its stamp says: under the lock, the latest version counts. */
  private async reread(): Promise<void> {
    this.loadedStamp = '';
    await this.load();
  }

  /** Writes a temporary file beside the target (0600, fsynced) and renames it over. */
  private async save(keys: StoredKey[]): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    const temporary = `${this.path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    const content: KeysFile = { version: 1, keys };
    const handle = await open(temporary, 'wx', 0o600);
    try {
      await handle.writeFile(`${JSON.stringify(content, null, 2)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await rename(temporary, this.path);
    } catch (err) {
      await unlink(temporary).catch(() => undefined);
      throw err;
    }
    await this.reread();
  }
}

/** True when the keys file at `path` holds at least one key (for `checkBindSafety`). */
export async function keysFileHasKeys(path: string): Promise<boolean> {
  const store = new KeyStore(path);
  await store.load();
  return store.hasKeys();
}
