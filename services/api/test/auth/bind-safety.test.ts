import { describe, expect, it } from 'vitest';
import { checkBindSafety, isLoopbackHost } from '../../src/index.js';

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
});
