import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, EngineAuthError } from '@vigie/common';
import { makeTestCertificates, type TestCertificates, testLogger } from '@vigie/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ElasticsearchStore, type ElasticsearchStoreOptions } from '../src/index.js';

// The local Elasticsearch has no security module, so what the client sends is checked
// against an https server of the test's own: a certificate from a throwaway CA, the
// Authorization header recorded, answers shaped like Elasticsearch's.
describe('Elasticsearch over https with credentials and a custom CA', () => {
  let dir: string;
  let serverCerts: TestCertificates;
  let otherCerts: TestCertificates;
  let server: Server;
  let url: string;
  const seen: Array<{ path: string | undefined; authorization: string | undefined }> = [];
  let answerStatus = 200;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigie-es-tls-'));
    serverCerts = await makeTestCertificates(dir, 'es');
    otherCerts = await makeTestCertificates(dir, 'other');
    server = createServer(
      { key: await readFile(serverCerts.keyFile), cert: await readFile(serverCerts.certFile) },
      (request, response) => {
        seen.push({ path: request.url, authorization: request.headers.authorization });
        const body =
          answerStatus === 200
            ? { cluster_name: 'fake', status: 'green' }
            : { error: { type: 'security_exception', reason: 'unable to authenticate' }, status: 401 };
        response.writeHead(answerStatus, {
          'content-type': 'application/json',
          'x-elastic-product': 'Elasticsearch',
        });
        response.end(JSON.stringify(body));
      },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }, 60_000);

  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  beforeEach(() => {
    seen.length = 0;
    answerStatus = 200;
  });

  const stores: ElasticsearchStore[] = [];
  afterAll(async () => {
    await Promise.allSettled(stores.map((store) => store.close()));
  });

  function storeWith(options: Partial<ElasticsearchStoreOptions>): ElasticsearchStore {
    const store = new ElasticsearchStore({
      url,
      indexPrefix: 'vigie-tls',
      requestTimeoutMs: 5000,
      totalFieldsLimit: 1000,
      logger: testLogger(),
      ...options,
    });
    stores.push(store);
    return store;
  }

  it('sends the API key and trusts the server through elasticsearch.caFile', async () => {
    await storeWith({ apiKey: 'aWQ6c2VjcmV0LWtleQ==', caFile: serverCerts.caFile }).healthcheck();
    expect(seen).toEqual([
      { path: expect.stringMatching(/^\/_cluster\/health/), authorization: 'ApiKey aWQ6c2VjcmV0LWtleQ==' },
    ]);
  });

  it('sends basic auth when a user name and password are set', async () => {
    await storeWith({ username: 'vigie', password: 'p@ss w0rd', caFile: serverCerts.caFile }).healthcheck();
    expect(seen[0]?.authorization).toBe(`Basic ${Buffer.from('vigie:p@ss w0rd').toString('base64')}`);
  });

  it('refuses a server whose certificate another CA signed, saying so, before sending anything', async () => {
    const error = await storeWith({ apiKey: 'aWQ6c2VjcmV0LWtleQ==', caFile: otherCerts.caFile })
      .healthcheck()
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(error).toBeInstanceOf(EngineAuthError);
    expect((error as Error).message).toBe(
      `Elasticsearch's TLS certificate at ${url} is not trusted (UNABLE_TO_VERIFY_LEAF_SIGNATURE): check elasticsearch.caFile`,
    );
    expect(seen).toEqual([]);
    // Without the CA, the system CAs do not know the server either.
    await expect(storeWith({}).healthcheck()).rejects.toBeInstanceOf(EngineAuthError);
  });

  it('connects without checking the certificate only when tlsRejectUnauthorized is false', async () => {
    await storeWith({ tlsRejectUnauthorized: false }).healthcheck();
    expect(seen).toHaveLength(1);
  });

  it('reports refused credentials as such, naming the user but never the password', async () => {
    answerStatus = 401;
    const error = await storeWith({
      username: 'vigie',
      password: 'hunter2-secret',
      caFile: serverCerts.caFile,
    })
      .healthcheck()
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(error).toBeInstanceOf(EngineAuthError);
    expect((error as Error).message).toBe(
      'Elasticsearch refused the credentials of user "vigie" (elasticsearch.username, elasticsearch.password)',
    );
    expect((error as Error).message).not.toContain('hunter2-secret');
  });

  it('fails at construction, naming the key and the path, when the CA file cannot be read', () => {
    const missing = join(dir, 'no-such-ca.pem');
    expect(() => storeWith({ caFile: missing })).toThrow(ConfigError);
    expect(() => storeWith({ caFile: missing })).toThrow(
      `Invalid configuration: elasticsearch.caFile: cannot read ${missing} (ENOENT)`,
    );
  });
});
