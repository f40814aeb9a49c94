import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkBindSafety, isLoopbackHost, KeyStore, keysFileHasKeys } from '../../src/index.js';
import { tempDir } from './harness.js';

describe('checkBindSafety', () => {
  it('refuses a host reachable from elsewhere when no key is configured', () => {
    for (const host of [
      '0.0.0.0',
      '::',
      '10.0.0.5',
      '192.168.1.2',
      'vigie.example.com',
      '::ffff:10.0.0.1',
      '128.0.0.1',
    ])
      expect(() => checkBindSafety(host, false), host).toThrow(/no API key is configured.*vigie keys create/);
  });

  it('accepts any host once keys are configured', () => {
    expect(() => checkBindSafety('0.0.0.0', true)).not.toThrow();
    expect(() => checkBindSafety('::', true)).not.toThrow();
  });

  it('accepts loopback without keys', () => {
    for (const host of [
      '127.0.0.1',
      '127.1.2.3',
      '::1',
      '[::1]',
      'localhost',
      'LOCALHOST',
      '::ffff:127.0.0.1',
    ])
      expect(() => checkBindSafety(host, false), host).not.toThrow();
    expect(isLoopbackHost('127.0.0.1.evil.com')).toBe(false);
  });

  it('raises a ConfigError with its stable code', () => {
    expect(() => checkBindSafety('0.0.0.0', false)).toThrow(
      expect.objectContaining({ code: 'VIGIE_ERR_CONFIG' }),
    );
  });

  it('reads whether keys are configured from the keys file', async () => {
    const dir = await tempDir();
    const file = join(dir.path, 'keys.json');
    try {
      expect(await keysFileHasKeys(file)).toBe(false);
      expect(() => checkBindSafety('0.0.0.0', false)).toThrow();
      await new KeyStore(file).create({ name: 'ops', role: 'admin' });
      expect(await keysFileHasKeys(file)).toBe(true);
    } finally {
      await dir.remove();
    }
  });
});
