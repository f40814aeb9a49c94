import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryError } from '../../src/delivery/delivery-error.js';
import { createSafeHttpClient } from '../../src/delivery/safe-http-client.js';

const HOST = 'hooks.vigie.test';

describe('createSafeHttpClient over TLS', () => {
  let dir: string;
  let cert: Buffer;
  let server: Server;
  const seen: Array<{ servername: string | false | null; host: string | undefined }> = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigie-tls-'));
    // A self-signed certificate for the receiver's name only (not for 127.0.0.1).
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        `/CN=${HOST}`,
        '-addext',
        `subjectAltName=DNS:${HOST}`,
      ],
      { stdio: 'ignore' },
    );
    cert = readFileSync(join(dir, 'cert.pem'));
    server = createServer({ key: readFileSync(join(dir, 'key.pem')), cert }, (req, res) => {
      seen.push({ servername: (req.socket as TLSSocket).servername, host: req.headers.host });
      req.resume();
      req.on('end', () => res.writeHead(202).end('{"status":"success"}'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  const port = () => (server.address() as AddressInfo).port;
  const post = (url: string) => ({ url, method: 'POST' as const, headers: {}, body: '{}' });

  it('connects to the pinned address while SNI and certificate checks use the host name', async () => {
    const http = createSafeHttpClient({
      allowHttp: false,
      allowedNetworks: ['127.0.0.1/32'],
      lookup: async () => [{ address: '127.0.0.1', family: 4 }],
      ca: cert,
    });
    try {
      const response = await http.send(post(`https://${HOST}:${port()}/v2/enqueue`), 3000);
      expect(response).toMatchObject({ status: 202, body: '{"status":"success"}' });
      expect(seen).toEqual([{ servername: HOST, host: `${HOST}:${port()}` }]);

      // The same server by address: its certificate does not name 127.0.0.1.
      const err = await http
        .send(post(`https://127.0.0.1:${port()}/v2/enqueue`), 3000)
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DeliveryError);
      expect(err).toMatchObject({ reason: 'tls_failed' });
    } finally {
      await http.close();
    }
  });

  it('does not trust the certificate without the CA', async () => {
    const http = createSafeHttpClient({
      allowHttp: false,
      allowedNetworks: ['127.0.0.1/32'],
      lookup: async () => [{ address: '127.0.0.1', family: 4 }],
    });
    try {
      const err = await http.send(post(`https://${HOST}:${port()}/`), 3000).catch((e: unknown) => e);
      expect(err).toMatchObject({ reason: 'tls_failed', retriable: true });
    } finally {
      await http.close();
    }
  });
});
