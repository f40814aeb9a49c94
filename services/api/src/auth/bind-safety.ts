import { isIP } from 'node:net';
import { ConfigError } from '@vigie/common';

/** True for a host that only this machine can reach: 127.0.0.0/8, ::1 or localhost. */
export function isLoopbackHost(host: string): boolean {
  const bare = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
  if (bare === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) {
    if (bare === '::1' || bare === '0:0:0:0:0:0:0:1') return true;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(bare);
    return mapped !== null && mapped[1]?.startsWith('127.') === true;
  }
  return false;
}

/**
 * Refuses to serve the API beyond this machine without keys: without keys nobody is
 * asked who they are, which is only acceptable on loopback. Call before `listen`.
 * @throws ConfigError when `host` is not loopback and no key is configured.
 */
export function checkBindSafety(host: string, keysConfigured: boolean): void {
  if (keysConfigured || isLoopbackHost(host)) return;
  throw new ConfigError(
    `api.host is ${host}, which is reachable from other machines, and no API key is configured: ` +
      'create one with `vigie keys create --name <name> --role admin` or bind to 127.0.0.1',
  );
}
