import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  HttpsElasticsearchStandIn,
  makeTestCertificates,
  type TestCertificates,
  VigieProcess,
} from '@vigie/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// `vigie processor` checks Elasticsearch before Kafka: with an https stand-in (the local
// Elasticsearch has no security module), refused credentials and an untrusted
// certificate end it at once with one line, where an unreachable Elasticsearch is waited for.
describe('vigie processor on Elasticsearch over https', () => {
  let dir: string;
  let certificates: TestCertificates;
  let server: HttpsElasticsearchStandIn;
  const processes: VigieProcess[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigie-cli-es-tls-'));
    certificates = await makeTestCertificates(dir, 'es');
    server = await HttpsElasticsearchStandIn.start(certificates);
  }, 60_000);

  afterAll(async () => {
    await Promise.allSettled(processes.map((p) => p.kill('SIGKILL')));
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function processorExit(env: Record<string, string>): Promise<VigieProcess & { code: unknown }> {
    const vigie = new VigieProcess(['processor'], {
      VIGIE_ELASTICSEARCH_URL: server.url,
      // Never reached: the processor stops at Elasticsearch.
      VIGIE_KAFKA_BROKERS: '127.0.0.1:1',
      VIGIE_OPS_PORT: '0',
      ...env,
    });
    processes.push(vigie);
    const code = await Promise.race([
      vigie.exited,
      new Promise<string>((resolve) => setTimeout(() => resolve('still running'), 30_000)),
    ]);
    return Object.assign(vigie, { code });
  }

  it('exits with code 2 when Elasticsearch refuses the API key, which it never prints', async () => {
    server.status = 401;
    const apiKey = 'c2VjcmV0LWlkOnNlY3JldC1rZXk=';
    const vigie = await processorExit({
      VIGIE_ELASTICSEARCH_API_KEY: apiKey,
      VIGIE_ELASTICSEARCH_CA_FILE: certificates.caFile,
    });
    expect(vigie.code).toBe(2);
    expect(vigie.stderr).toContain('vigie: Elasticsearch refused the API key (elasticsearch.apiKey)');
    expect(vigie.stdout + vigie.stderr).not.toContain(apiKey);
    expect(server.seen.map((r) => r.authorization)).toEqual([`ApiKey ${apiKey}`]);
  });

  it('exits with code 2 when the certificate is not signed by elasticsearch.caFile', async () => {
    const other = await makeTestCertificates(dir, 'other');
    const vigie = await processorExit({ VIGIE_ELASTICSEARCH_CA_FILE: other.caFile });
    expect(vigie.code).toBe(2);
    expect(vigie.stderr).toContain(
      `vigie: Elasticsearch's TLS certificate at ${server.url} is not trusted (UNABLE_TO_VERIFY_LEAF_SIGNATURE): check elasticsearch.caFile`,
    );
  });

  it('exits with code 2 naming the CA file when it cannot be read', async () => {
    const missing = join(dir, 'missing.pem');
    const vigie = await processorExit({ VIGIE_ELASTICSEARCH_CA_FILE: missing });
    expect(vigie.code).toBe(2);
    expect(vigie.stderr).toContain(
      `vigie: Invalid configuration: elasticsearch.caFile: cannot read ${missing} (ENOENT)`,
    );
  });
});
