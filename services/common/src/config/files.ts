import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors.js';

/**
 * Reads a file the configuration names (a CA, a certificate, a key) at start-up, so a
 * wrong path fails there with the key and the path rather than at the first connection.
 */
export function readConfiguredFile(path: string, key: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new ConfigError(`Invalid configuration: ${key}: cannot read ${path} (${reason})`);
  }
}
