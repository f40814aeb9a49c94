import { parseArgs } from 'node:util';
import { ConfigError } from '@vigie/common';
import { KeyStore } from './key-store.js';
import { isRole, ROLES } from './roles.js';

/** Where `vigie keys` writes its output (stdout in the CLI, an array in tests). */
export type KeysOutput = (line: string) => void;

const UNIT_MS: Record<string, number> = { h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/**
 * Reads an expiry: a duration from now (`12h`, `90d`, `2w`) or an ISO 8601 date.
 * @throws ConfigError for anything else, or a time not in the future.
 */
export function parseExpiry(text: string, now: number = Date.now()): Date {
  const duration = /^(\d{1,5})([hdw])$/.exec(text.trim());
  const unit = duration ? UNIT_MS[duration[2] as string] : undefined;
  const at = duration && unit ? now + Number(duration[1]) * unit : Date.parse(text);
  if (Number.isNaN(at) || at <= now)
    throw new ConfigError(
      `--expires ${JSON.stringify(text)}: expected a future date or a duration such as 90d, 12h, 2w`,
    );
  return new Date(at);
}

/** `vigie keys create`: prints the new key once; only its hash is kept. */
export async function createKeyCommand(
  spec: { keysFile: string; name: string; role: string; expires?: string },
  out: KeysOutput,
): Promise<void> {
  if (spec.name.trim() === '') throw new ConfigError('vigie keys create needs --name NAME');
  if (!isRole(spec.role))
    throw new ConfigError(`--role ${JSON.stringify(spec.role)}: expected one of ${ROLES.join(', ')}`);
  const expires = spec.expires === undefined ? undefined : parseExpiry(spec.expires);
  const store = new KeyStore(spec.keysFile);
  const { key, secret } = await store.create({
    name: spec.name.trim(),
    role: spec.role,
    ...(expires ? { expires } : {}),
  });
  out(
    `Created key ${key.id} (${key.name}, role ${key.role}${key.expires ? `, expires ${key.expires}` : ''}).`,
  );
  out('Copy it now: it is not stored and cannot be shown again.');
  out(secret);
}

/** `vigie keys list`: one line per key, never a secret or hash. */
export async function listKeysCommand(spec: { keysFile: string }, out: KeysOutput): Promise<void> {
  const store = new KeyStore(spec.keysFile);
  await store.load();
  const keys = store.list();
  if (keys.length === 0) {
    out(`No API keys in ${spec.keysFile}.`);
    return;
  }
  const now = Date.now();
  out(['ID', 'NAME', 'ROLE', 'CREATED', 'EXPIRES', 'STATE'].join('\t'));
  for (const key of keys) {
    const state = key.revoked
      ? 'revoked'
      : key.expires && Date.parse(key.expires) <= now
        ? 'expired'
        : 'active';
    out([key.id, key.name, key.role, key.created, key.expires ?? '-', state].join('\t'));
  }
}

/** `vigie keys revoke ID`: the key is refused within a second by running servers. */
export async function revokeKeyCommand(
  spec: { keysFile: string; id: string },
  out: KeysOutput,
): Promise<void> {
  const store = new KeyStore(spec.keysFile);
  if (!(await store.revoke(spec.id))) throw new ConfigError(`no API key has id ${JSON.stringify(spec.id)}`);
  out(`Revoked key ${spec.id}.`);
}

/** Usage of `vigie keys`. */
export const KEYS_USAGE = `vigie keys create --name NAME --role ${ROLES.join('|')} [--expires 90d]
vigie keys list
vigie keys revoke ID
(each takes --config FILE; the keys file is api.keysFile)`;

/**
 * The whole `vigie keys` subcommand from its arguments (after `keys`). `keysFile` is
 * the path, or a function of the `--config FILE` given (if any) that reads it from the
 * configuration.
 * @throws ConfigError on a usage error.
 */
export async function runKeysCommand(
  args: string[],
  keysFile: string | ((configFile: string | undefined) => string),
  out: KeysOutput,
): Promise<void> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      name: { type: 'string' },
      role: { type: 'string' },
      expires: { type: 'string' },
      config: { type: 'string', short: 'c' },
    },
  });
  const [action, ...rest] = positionals;
  const file = () => (typeof keysFile === 'string' ? keysFile : keysFile(values.config));
  if (action === 'create' && rest.length === 0) {
    if (values.name === undefined || values.role === undefined)
      throw new ConfigError(`vigie keys create needs --name and --role\n${KEYS_USAGE}`);
    const spec = { keysFile: file(), name: values.name, role: values.role };
    return createKeyCommand(values.expires === undefined ? spec : { ...spec, expires: values.expires }, out);
  }
  if (action === 'list' && rest.length === 0) return listKeysCommand({ keysFile: file() }, out);
  if (action === 'revoke' && rest.length === 1 && rest[0])
    return revokeKeyCommand({ keysFile: file(), id: rest[0] }, out);
  throw new ConfigError(`usage:\n${KEYS_USAGE}`);
}
