import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KeyStore, parseExpiry, runKeysCommand } from '../../src/index.js';
import { tempDir } from './harness.js';

describe('vigie keys', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let keysFile: string;
  let lines: string[];
  const out = (line: string) => lines.push(line);
  beforeEach(async () => {
    dir = await tempDir();
    keysFile = join(dir.path, 'keys.json');
    lines = [];
  });
  afterEach(() => dir.remove());

  it('creates a key, prints it once, lists it without its secret and revokes it', async () => {
    await runKeysCommand(
      ['create', '--name', 'grafana', '--role', 'viewer', '--expires', '90d'],
      keysFile,
      out,
    );
    const secret = lines.at(-1) as string;
    expect(secret).toMatch(/^vigie_[0-9a-f]{16}_/);
    const store = new KeyStore(keysFile);
    await store.load();
    const verdict = store.verify(secret);
    expect(verdict.ok && verdict.key.role).toBe('viewer');
    const expires = Date.parse(verdict.ok ? (verdict.key.expires ?? '') : '');
    expect(Math.abs(expires - (Date.now() + 90 * 86_400_000))).toBeLessThan(60_000);
    expect(await readFile(keysFile, 'utf8')).not.toContain(secret.slice(-43));

    lines = [];
    await runKeysCommand(['list'], keysFile, out);
    const listed = lines.join('\n');
    expect(listed).toContain('grafana');
    expect(listed).toContain('active');
    expect(listed).not.toContain(secret.slice(-43));
    expect(listed).not.toContain('sha256');

    const id = secret.split('_')[1] as string;
    await runKeysCommand(['revoke', id], keysFile, out);
    lines = [];
    await runKeysCommand(['list'], keysFile, out);
    expect(lines.join('\n')).toMatch(new RegExp(`${id}.*revoked`));
    await store.load();
    expect(store.verify(secret)).toEqual({ ok: false, reason: 'revoked' });
  });

  it('rejects unknown roles, bad expiries, unknown ids and bad usage', async () => {
    await expect(runKeysCommand(['create', '--name', 'x', '--role', 'root'], keysFile, out)).rejects.toThrow(
      /viewer, sre, security, admin/,
    );
    await expect(
      runKeysCommand(['create', '--name', 'x', '--role', 'admin', '--expires', 'soon'], keysFile, out),
    ).rejects.toThrow(/--expires/);
    await expect(runKeysCommand(['revoke', 'nope'], keysFile, out)).rejects.toThrow(/no API key has id/);
    await expect(runKeysCommand(['create', '--role', 'admin'], keysFile, out)).rejects.toThrow(/--name/);
    await expect(runKeysCommand(['delete'], keysFile, out)).rejects.toThrow(/usage/);
    await expect(runKeysCommand(['list', '--secret'], keysFile, out)).rejects.toThrow();
  });

  it('reads expiries as durations or dates in the future', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseExpiry('12h', now).toISOString()).toBe('2026-01-01T12:00:00.000Z');
    expect(parseExpiry('2w', now).toISOString()).toBe('2026-01-15T00:00:00.000Z');
    expect(parseExpiry('2026-06-01T00:00:00Z', now).toISOString()).toBe('2026-06-01T00:00:00.000Z');
    expect(() => parseExpiry('2025-06-01', now)).toThrow(/future/);
    expect(() => parseExpiry('0d', now)).toThrow();
  });
});
