import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadConfig } from '@vigie/common';
import { testLogger } from '@vigie/testkit';
import Fastify from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { accessControlFromConfig, KeyStore, runKeysCli } from '../../src/index.js';
import { tempDir } from './harness.js';

describe('access control from the configuration', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let keysFile: string;
  const defaults = loadConfig({ env: {} }).config;
  const configWith = (api: Record<string, unknown>) => ({
    ...defaults,
    api: { ...defaults.api, keysFile, auditIndex: false, ...api },
  });
  beforeEach(async () => {
    dir = await tempDir();
    keysFile = join(dir.path, 'keys.json');
  });
  afterEach(() => dir.remove());

  it('refuses 0.0.0.0 without keys, accepts it once a key exists', async () => {
    const exposed = configWith({ host: '0.0.0.0', auditFile: join(dir.path, 'audit.log') });
    await expect(accessControlFromConfig(exposed, testLogger())).rejects.toThrow(/no API key is configured/);
    await new KeyStore(keysFile).create({ name: 'ops', role: 'admin' });
    const access = await accessControlFromConfig(exposed, testLogger());
    const app = Fastify();
    await access.auth(app);
    app.get('/api/search', { config: { permission: 'search' } }, async () => ({ ok: true }));
    expect((await app.inject({ url: '/api/search' })).statusCode).toBe(401);
    await app.close();
    await access.close();
  });

  it('refuses a configuration that audits nowhere', async () => {
    await expect(accessControlFromConfig(configWith({ auditFile: '' }), testLogger())).rejects.toThrow(
      /audited somewhere/,
    );
  });

  it('runs vigie keys on the keys file named by --config', async () => {
    const configFile = join(dir.path, 'vigie.json');
    await writeFile(configFile, JSON.stringify({ api: { keysFile } }));
    const lines: string[] = [];
    await runKeysCli(['create', '--config', configFile, '--name', 'ci', '--role', 'sre'], (line) =>
      lines.push(line),
    );
    const store = new KeyStore(keysFile);
    await store.load();
    expect(store.list().map((key) => [key.name, key.role])).toEqual([['ci', 'sre']]);
    expect(store.verify(lines.at(-1) as string).ok).toBe(true);
  });
});
