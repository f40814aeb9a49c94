import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, EngineAuthError } from '@vigie/common';
import {
  HttpsElasticsearchStandIn,
  makeTestCertificates,
  type TestCertificates,
  testLogger,
} from '@vigie/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ElasticsearchStore, type ElasticsearchStoreOptions } from '../src/index.js';

// The local Elasticsearch has no security module, so what the client sends is checked
// against an https stand-in with a certificate from a throwaway CA.
describe('Elasticsearch over https with credentials and a custom CA', () => {
  let dir: string;
  let serverCerts: TestCertificates;
  let otherCerts: TestCertificates;
  let server: HttpsElasticsearchStandIn;
  const stores: ElasticsearchStore[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigie-es-tls-'));
    serverCerts = await makeTestCertificates(dir, 'es');
    otherCerts = await makeTestCertificates(dir, 'other');
    server = await HttpsElasticsearchStandIn.start(serverCerts);
  }, 60_000);

  afterAll(async () => {
    await Promise.allSettled(stores.map((store) => store.close()));
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  beforeEach(() => {
    server.seen.length = 0;
    server.status = 200;
  });

  function storeWith(options: Partial<ElasticsearchStoreOptions>): ElasticsearchStore {
    const store = new ElasticsearchStore({
      url: server.url,
      indexPrefix: 'vigie-tls',
      requestTimeoutMs: 5000,
      totalFieldsLimit: 1000,
      logger: testLogger(),
      ...options,
    });
    stores.push(store);
    return store;
  }

  const failureOf = (operation: Promise<void>) =>
    operation.then(
      () => undefined,
      (err: unknown) => err as Error,
    );

  it('sends the API key and trusts the server through elasticsearch.caFile', async () => {
    await storeWith({ apiKey: 'aWQ6c2VjcmV0LWtleQ==', caFile: serverCerts.caFile }).healthcheck();
    expect(server.seen).toEqual([
      {
        method: 'GET',
        path: expect.stringMatching(/^\/_cluster\/health/),
        authorization: 'ApiKey aWQ6c2VjcmV0LWtleQ==',
      },
    ]);
  });

  it('sends basic auth when a user name and password are set', async () => {
    await storeWith({ username: 'vigie', password: 'p@ss w0rd', caFile: serverCerts.caFile }).healthcheck();
    expect(server.seen[0]?.authorization).toBe(`Basic ${Buffer.from('vigie:p@ss w0rd').toString('base64')}`);
  });

  it('refuses a server whose certificate another CA signed, saying so, before sending anything', async () => {
    const error = await failureOf(
      storeWith({ apiKey: 'aWQ6c2VjcmV0LWtleQ==', caFile: otherCerts.caFile }).healthcheck(),
    );
    expect(error).toBeInstanceOf(EngineAuthError);
    expect(error?.message).toBe(
      `Elasticsearch's TLS certificate at ${server.url} is not trusted (UNABLE_TO_VERIFY_LEAF_SIGNATURE): check elasticsearch.caFile`,
    );
    expect(server.seen).toEqual([]);
    // Without the CA, the system CAs do not know the server either.
    await expect(storeWith({}).healthcheck()).rejects.toBeInstanceOf(EngineAuthError);
  });

  it('connects without checking the certificate only when tlsRejectUnauthorized is false', async () => {
    await storeWith({ tlsRejectUnauthorized: false }).healthcheck();
    expect(server.seen).toHaveLength(1);
  });

  it('reports refused credentials as such, naming the user but never the password', async () => {
    server.status = 401;
    const error = await failureOf(
      storeWith({ username: 'vigie', password: 'hunter2-secret', caFile: serverCerts.caFile }).healthcheck(),
    );
    expect(error).toBeInstanceOf(EngineAuthError);
    expect(error?.message).toBe(
      'Elasticsearch refused the credentials of user "vigie" (elasticsearch.username, elasticsearch.password)',
    );
    expect(error?.message).not.toContain('hunter2-secret');
  });

  it('fails at construction, naming the key and the path, when the CA file cannot be read', () => {
    const missing = join(dir, 'no-such-ca.pem');
    expect(() => storeWith({ caFile: missing })).toThrow(ConfigError);
    expect(() => storeWith({ caFile: missing })).toThrow(
      `Invalid configuration: elasticsearch.caFile: cannot read ${missing} (ENOENT)`,
    );
  });
});
