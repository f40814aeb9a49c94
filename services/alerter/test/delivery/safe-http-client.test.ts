import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryError } from '../../src/delivery/delivery-error.js';
import type { HostLookup, ResolvedAddress } from '../../src/delivery/pinned-connector.js';
import { createSafeHttpClient, type SafeHttpClient } from '../../src/delivery/safe-http-client.js';
import { answer, LocalServer } from './local-server.js';

const post = (url: string, body = '{"routing_key":"R0UT1NG"}') => ({
  url,
  method: 'POST' as const,
  headers: { 'content-type': 'application/json' },
  body,
});

const v4 = (address: string): ResolvedAddress => ({ address, family: 4 });
const v6 = (address: string): ResolvedAddress => ({ address, family: 6 });
/** A resolver that knows only the given names. */
const names =
  (table: Record<string, ResolvedAddress[]>): HostLookup =>
  async (hostname) => {
    const found = table[hostname];
    if (found === undefined)
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return found;
  };

async function failure(promise: Promise<unknown>): Promise<DeliveryError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DeliveryError);
  return err as DeliveryError;
}

const clients: SafeHttpClient[] = [];
function client(options: Parameters<typeof createSafeHttpClient>[0]): SafeHttpClient {
  const created = createSafeHttpClient(options);
  clients.push(created);
  return created;
}
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

describe('createSafeHttpClient: SSRF guard', () => {
  let loopback: LocalServer;
  let loopback6: LocalServer;
  beforeAll(async () => {
    loopback = await LocalServer.start();
    loopback6 = await LocalServer.start(undefined, '::1');
  });
  afterAll(async () => {
    await loopback.close();
    await loopback6.close();
  });

  it.each([
    ['dotted', 'http://127.0.0.1:PORT/hook'],
    ['decimal', 'http://2130706433:PORT/hook'],
    ['octal', 'http://0177.0.0.1:PORT/hook'],
    ['hex', 'http://0x7f.1:PORT/hook'],
    ['hex, one number', 'http://0x7f000001:PORT/hook'],
    ['short', 'http://127.1:PORT/hook'],
    ['trailing dot', 'http://127.0.0.1.:PORT/hook'],
    ['full-width digits', 'http://①②⑦.0.0.1:PORT/hook'],
    ['IPv4-mapped, dotted', 'http://[::ffff:127.0.0.1]:PORT/hook'],
    ['IPv4-mapped, hex', 'http://[::ffff:7f00:1]:PORT/hook'],
    ['IPv4-compatible', 'http://[::127.0.0.1]:PORT/hook'],
    ['NAT64', 'http://[64:ff9b::127.0.0.1]:PORT/hook'],
    ['unspecified (Linux connects it to the host)', 'http://0.0.0.0:PORT/hook'],
    ['unspecified IPv6', 'http://[::]:PORT/hook'],
  ])('refuses loopback spelt %s, and nothing reaches the server', async (_, template) => {
    const http = client({ allowHttp: true, allowedNetworks: [] });
    const err = await failure(http.send(post(template.replace('PORT', String(loopback.port))), 2000));
    expect(err.reason).toBe('blocked_address');
    expect(err.retriable).toBe(false);
    expect(loopback.requests).toHaveLength(0);
  });

  it('refuses IPv6 loopback, and localhost through the system resolver', async () => {
    const http = client({ allowHttp: true, allowedNetworks: [] });
    for (const url of [`http://[::1]:${loopback6.port}/`, `http://localhost:${loopback.port}/`]) {
      expect((await failure(http.send(post(url), 2000))).reason).toBe('blocked_address');
    }
    expect(loopback.requests).toHaveLength(0);
    expect(loopback6.requests).toHaveLength(0);
  });

  it.each([
    ['loopback', [v4('127.0.0.1')]],
    ['private 10/8', [v4('10.1.2.3')]],
    ['private 172.16/12', [v4('172.20.0.5')]],
    ['private 192.168/16', [v4('192.168.0.10')]],
    ['CGNAT', [v4('100.100.0.1')]],
    ['cloud metadata', [v4('169.254.169.254')]],
    ['0/8', [v4('0.0.0.0')]],
    ['IPv6 loopback', [v6('::1')]],
    ['unique local', [v6('fd00::5')]],
    ['IPv6 link-local', [v6('fe80::1')]],
    ['IPv4-mapped metadata', [v6('::ffff:169.254.169.254')]],
    ['NAT64 of a private address', [v6('64:ff9b::a00:1')]],
    ['6to4 of loopback', [v6('2002:7f00:1::1')]],
    ['one public and one private address', [v4('93.184.215.14'), v4('10.0.0.1')]],
  ])('refuses a name resolving to %s, naming the host but not the path or query', async (_, addresses) => {
    const http = client({
      allowedNetworks: [],
      lookup: names({ 'hooks.vigie.test': addresses }),
      allowHttp: false,
    });
    const err = await failure(
      http.send(post('https://hooks.vigie.test/services/T0/B0/S3CR3T?token=S3CR3T'), 2000),
    );
    expect(err.reason).toBe('blocked_address');
    expect(err.message).toContain('hooks.vigie.test');
    expect(err.message).not.toMatch(/S3CR3T|services|token|R0UT1NG/);
  });

  it('lets allowedNetworks through to a real local server, mapped IPv6 spelling included', async () => {
    loopback.respond = (req, res) => answer(res, 202, { 'x-request': req.path }, '{"status":"success"}');
    const http = client({ allowHttp: true, allowedNetworks: ['127.0.0.1/32'] });
    const first = await http.send(post(`http://127.0.0.1:${loopback.port}/v2/enqueue?x=1`), 2000);
    expect(first).toMatchObject({ status: 202, body: '{"status":"success"}' });
    expect(first.headers['x-request']).toBe('/v2/enqueue?x=1');
    const mapped = await http.send(post(`http://[::ffff:7f00:1]:${loopback.port}/mapped`), 2000);
    expect(mapped.status).toBe(202);
    expect(loopback.requests.map((r) => [r.method, r.path, r.body])).toEqual([
      ['POST', '/v2/enqueue?x=1', '{"routing_key":"R0UT1NG"}'],
      ['POST', '/mapped', '{"routing_key":"R0UT1NG"}'],
    ]);
    loopback.requests.length = 0;
    // ::1 is not in 127.0.0.1/32.
    expect((await failure(http.send(post(`http://[::1]:${loopback6.port}/`), 2000))).reason).toBe(
      'blocked_address',
    );
  });

  it('refuses http:// unless allowHttp, before connecting', async () => {
    const http = client({ allowHttp: false, allowedNetworks: ['127.0.0.1/32'] });
    const err = await failure(http.send(post(`http://127.0.0.1:${loopback.port}/hook`), 2000));
    expect(err.reason).toBe('insecure_scheme');
    expect(loopback.requests).toHaveLength(0);
    expect((await failure(http.send(post('ftp://example.com/x'), 2000))).reason).toBe('insecure_scheme');
    expect((await failure(http.send(post('not a url'), 2000))).reason).toBe('invalid_url');
  });
});

describe('createSafeHttpClient: pinning and redirects', () => {
  // The "public" receiver lives on 127.0.0.2 (allowed); the internal target on 127.0.0.1, same port.
  let receiver: LocalServer;
  let internal: LocalServer;
  beforeAll(async () => {
    internal = await LocalServer.start((_, res) => answer(res, 200, {}, '{"secret":"internal"}'));
    receiver = await LocalServer.start(undefined, '127.0.0.2', internal.port);
  });
  afterAll(async () => {
    await receiver.close();
    await internal.close();
  });
  afterEach(() => {
    receiver.requests.length = 0;
    internal.requests.length = 0;
  });

  /** Answers the checked address first, then 127.0.0.1 (a rebinding DNS server), counting calls. */
  function rebinding(): HostLookup & { calls: number } {
    const lookup = Object.assign(
      async (): Promise<ResolvedAddress[]> => {
        lookup.calls += 1;
        return lookup.calls === 1 ? [v4('127.0.0.2')] : [v4('127.0.0.1')];
      },
      { calls: 0 },
    );
    return lookup;
  }

  it('connects to the address it checked: a rebinding answer cannot reach the internal server', async () => {
    receiver.respond = (_, res) => answer(res, 200, { connection: 'close' });
    const lookup = rebinding();
    const http = client({ allowHttp: true, allowedNetworks: ['127.0.0.2/32'], lookup });
    const url = `http://rebind.vigie.test:${internal.port}/hook`;
    expect((await http.send(post(url), 2000)).status).toBe(200);
    // The server closed the connection: the next request resolves again, gets 127.0.0.1, and is refused.
    expect((await failure(http.send(post(url), 2000))).reason).toBe('blocked_address');
    expect(receiver.requests).toHaveLength(1);
    expect(receiver.requests[0]?.headers.host).toBe(`rebind.vigie.test:${internal.port}`);
    expect(internal.requests).toHaveLength(0);
    // One resolution per connection: the socket never resolved the name on its own.
    expect(lookup.calls).toBe(2);
  });

  it('follows a 307 within the origin, re-checking the new connection', async () => {
    receiver.respond = (req, res) =>
      req.path === '/hook'
        ? answer(res, 307, { location: '/moved', connection: 'close' })
        : answer(res, 200, {}, '{"ok":true}');
    const http = client({
      allowHttp: true,
      allowedNetworks: ['127.0.0.2/32'],
      lookup: names({ 'a.test': [v4('127.0.0.2')] }),
    });
    const response = await http.send(post(`http://a.test:${internal.port}/hook`), 2000);
    expect(response).toMatchObject({ status: 200, body: '{"ok":true}' });
    expect(receiver.requests.map((r) => [r.path, r.body])).toEqual([
      ['/hook', '{"routing_key":"R0UT1NG"}'],
      ['/moved', '{"routing_key":"R0UT1NG"}'],
    ]);

    receiver.requests.length = 0;
    const lookup = rebinding();
    const rebound = client({ allowHttp: true, allowedNetworks: ['127.0.0.2/32'], lookup });
    const err = await failure(rebound.send(post(`http://rebind.vigie.test:${internal.port}/hook`), 2000));
    expect(err.reason).toBe('blocked_address');
    expect(receiver.requests.map((r) => r.path)).toEqual(['/hook']);
    expect(internal.requests).toHaveLength(0);
  });

  it.each([
    ['307 to loopback', 307, 'http://127.0.0.1:PORT/steal'],
    ['308 to the metadata service', 308, 'http://169.254.169.254/latest/meta-data/'],
    ['302 within the origin', 302, '/other'],
    ['301', 301, 'http://127.0.0.2:PORT/other'],
    ['303', 303, '/other'],
    ['307 to another port', 307, 'http://127.0.0.2:1/other'],
    ['307 to https', 307, 'https://127.0.0.2:PORT/other'],
  ])('refuses a redirect: %s', async (_, status, location) => {
    receiver.respond = (_req, res) =>
      answer(res, status, { location: location.replace('PORT', String(internal.port)) });
    const http = client({ allowHttp: true, allowedNetworks: ['127.0.0.2/32'] });
    const err = await failure(http.send(post(`http://127.0.0.2:${internal.port}/hook`), 2000));
    expect(err.reason).toBe('redirect_refused');
    expect(err.retriable).toBe(false);
    expect(receiver.requests).toHaveLength(1);
    expect(internal.requests).toHaveLength(0);
  });

  it('stops after three redirect hops', async () => {
    receiver.respond = (req, res) => answer(res, 308, { location: `${req.path}x` });
    const http = client({ allowHttp: true, allowedNetworks: ['127.0.0.2/32'] });
    const err = await failure(http.send(post(`http://127.0.0.2:${internal.port}/a`), 2000));
    expect(err.reason).toBe('too_many_redirects');
    expect(receiver.requests.map((r) => r.path)).toEqual(['/a', '/ax', '/axx', '/axxx']);
  });
});

describe('createSafeHttpClient: failures', () => {
  it('times out on a receiver that never answers, and reads at most maxResponseBytes', async () => {
    const silent = await LocalServer.start(() => undefined);
    const chatty = await LocalServer.start((_, res) => answer(res, 200, {}, 'x'.repeat(100_000)));
    try {
      const http = client({ allowHttp: true, allowedNetworks: ['127.0.0.1/32'], maxResponseBytes: 1000 });
      const started = Date.now();
      const err = await failure(http.send(post(`http://127.0.0.1:${silent.port}/slow`), 300));
      expect(err.reason).toBe('timeout');
      expect(err.retriable).toBe(true);
      expect(Date.now() - started).toBeLessThan(2000);
      expect((await http.send(post(`http://127.0.0.1:${chatty.port}/`), 2000)).body).toHaveLength(1000);
    } finally {
      await silent.close();
      await chatty.close();
    }
  });

  it('reports a refused connection and an unknown name as retriable, host only', async () => {
    const closed = await LocalServer.start();
    const port = closed.port;
    await closed.close();
    const http = client({ allowHttp: true, allowedNetworks: ['127.0.0.1/32'], lookup: names({}) });
    const refused = await failure(http.send(post(`http://127.0.0.1:${port}/t0k3n`), 2000));
    expect(refused).toMatchObject({ reason: 'connection_failed', retriable: true });
    expect(refused.message).toBe('Request to 127.0.0.1 failed: connection_failed (ECONNREFUSED)');
    const unknown = await failure(http.send(post('https://nowhere.vigie.test/t0k3n'), 2000));
    expect(unknown).toMatchObject({ reason: 'dns_failed', retriable: true });
    expect(unknown.message).not.toContain('t0k3n');
  });
});
