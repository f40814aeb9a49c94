import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KeyStore } from '../../src/index.js';
import { tempDir } from './harness.js';

describe('KeyStore', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let file: string;
  beforeEach(async () => {
    dir = await tempDir();
    file = join(dir.path, 'conf', 'keys.json');
  });
  afterEach(() => dir.remove());

  it('stores only a hash of the secret, in a 0600 file', async () => {
    const store = new KeyStore(file);
    const { key, secret } = await store.create({ name: 'grafana', role: 'viewer' });
    expect(secret).toMatch(/^vigie_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    const text = await readFile(file, 'utf8');
    const secretPart = secret.slice(`vigie_${key.id}_`.length);
    expect(text).not.toContain(secretPart);
    expect(text).not.toContain(secret);
    expect(text).toContain(key.id);
    expect(JSON.parse(text).keys[0].hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('accepts the key it made and refuses altered, unknown and malformed ones', async () => {
    const store = new KeyStore(file);
    const { key, secret } = await store.create({ name: 'ci', role: 'sre' });
    expect(store.verify(secret)).toEqual({ ok: true, key });
    const flipped = secret.slice(0, -1) + (secret.endsWith('A') ? 'B' : 'A');
    expect(store.verify(flipped)).toEqual({ ok: false, reason: 'unknown' });
    expect(store.verify(`vigie_0000000000000000_${secret.slice(-43)}`)).toEqual({
      ok: false,
      reason: 'unknown',
    });
    expect(store.verify('hunter2')).toEqual({ ok: false, reason: 'malformed' });
    expect(store.verify(`${secret}x`)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('refuses revoked keys, and expired keys once their time has come', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const store = new KeyStore(file, () => now);
    const revoked = await store.create({ name: 'old', role: 'admin' });
    const expiring = await store.create({ name: 'temp', role: 'viewer', expires: new Date(now + 60_000) });
    expect(await store.revoke(revoked.key.id)).toBe(true);
    expect(await store.revoke('nope')).toBe(false);
    expect(store.verify(revoked.secret)).toEqual({ ok: false, reason: 'revoked' });
    expect(store.verify(expiring.secret).ok).toBe(true);
    now += 60_000;
    expect(store.verify(expiring.secret)).toEqual({ ok: false, reason: 'expired' });
  });

  it('sees a revocation written by another process after its reload interval', async () => {
    let now = 1_000_000;
    const server = new KeyStore(file, () => now);
    const { key, secret } = await new KeyStore(file).create({ name: 'bot', role: 'viewer' });
    await server.load();
    expect(server.verify(secret).ok).toBe(true);
    await new KeyStore(file).revoke(key.id);
    await server.refresh();
    expect(server.verify(secret).ok).toBe(true);
    now += 1_000;
    await server.refresh();
    expect(server.verify(secret)).toEqual({ ok: false, reason: 'revoked' });
  });

  it('loses no change when several runs create and revoke at once', async () => {
    const first = await new KeyStore(file).create({ name: 'first', role: 'viewer' });
    const runs = Array.from({ length: 12 }, (_, index) =>
      new KeyStore(file).create({ name: `key-${index}`, role: 'viewer' }),
    );
    await Promise.all([...runs, new KeyStore(file).revoke(first.key.id)]);
    const store = new KeyStore(file);
    await store.load();
    expect(store.list()).toHaveLength(13);
    expect(store.verify(first.secret)).toEqual({ ok: false, reason: 'revoked' });
    for (const run of await Promise.all(runs)) expect(store.verify(run.secret).ok).toBe(true);
  });

  it('treats a missing file as no keys and rejects a corrupt one with a clear error', async () => {
    const store = new KeyStore(file);
    await store.load();
    expect(store.hasKeys()).toBe(false);
    await new KeyStore(file).create({ name: 'x', role: 'viewer' });
    await writeFile(file, '{"version":1,"keys":[{"id":"a","name":"b","hash":"c","role":"root"}]}');
    await expect(new KeyStore(file).load()).rejects.toThrow(/unknown role "root"/);
    await writeFile(file, 'not json');
    await expect(new KeyStore(file).load()).rejects.toThrow(/not valid JSON/);
  });
});
