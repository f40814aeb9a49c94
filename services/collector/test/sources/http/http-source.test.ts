import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import { ConfigError } from '@vigie/common';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpSource } from '../../../src/sources/http/http-source.js';
import { metricValue, sourceOptions } from './helpers.js';

const sources: HttpSource[] = [];
afterEach(async () => {
  await Promise.all(sources.splice(0).map((s) => s.stop()));
});

function track(source: HttpSource): HttpSource {
  sources.push(source);
  return source;
}

describe('HttpSource', () => {
  it('refuses to start on a non-loopback address without a token', async () => {
    const source = track(new HttpSource(sourceOptions({ host: '0.0.0.0' })));
    await expect(source.start()).rejects.toBeInstanceOf(ConfigError);
    await expect(source.start()).rejects.toThrow(/collector\.http\.token/);
    expect(() => source.address()).toThrow(/before start/);
  });

  it('starts on a non-loopback address with a token', async () => {
    const token = 'a-long-enough-ingest-token';
    const source = track(new HttpSource(sourceOptions({ host: '0.0.0.0', token })));
    await source.start();
    const { port } = source.address();
    const health = await fetch(`http://127.0.0.1:${port}/health`);
    expect(health.status).toBe(200);
    const denied = await fetch(`http://127.0.0.1:${port}/ingest`, {
      method: 'POST',
      body: '{"message":"x"}',
    });
    expect(denied.status).toBe(401);
  });

  it('listens on a free port, takes real requests end to end, and stops idempotently', async () => {
    const options = sourceOptions();
    const source = track(new HttpSource(options));
    await source.stop();
    await source.start();
    const { host, port } = source.address();
    expect(host).toBe('127.0.0.1');
    expect(port).toBeGreaterThan(0);

    const response = await fetch(`http://127.0.0.1:${port}/ingest`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson', 'content-encoding': 'gzip' },
      body: gzipSync('{"message":"over the wire"}\nplain\n'),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ accepted: 2, invalid: 1 });
    expect(options.sink.events.map((e) => e.message)).toEqual(['over the wire', 'plain']);
    expect(
      await metricValue(options.registry, 'vigie_http_requests_total', { route: '/ingest', status: '200' }),
    ).toBe(1);

    await source.stop();
    await source.stop();
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
  });

  it('survives bodiless and empty requests that claim gzip', async () => {
    const source = track(new HttpSource(sourceOptions()));
    await source.start();
    const base = `http://127.0.0.1:${source.address().port}`;
    const gzip = { 'content-encoding': 'gzip' };
    expect((await fetch(`${base}/`, { headers: gzip })).status).toBe(200);
    expect((await fetch(`${base}/health`, { headers: gzip })).status).toBe(200);
    const empty = await fetch(`${base}/ingest`, {
      method: 'POST',
      headers: { ...gzip, 'content-type': 'text/plain', 'content-length': '0' },
    });
    expect(empty.status).toBe(200);
    const truncated = await fetch(`${base}/ingest`, {
      method: 'POST',
      headers: { ...gzip, 'content-type': 'text/plain' },
      body: gzipSync('{"message":"cut short"}\n').subarray(0, 12),
    });
    expect(truncated.status).toBe(400);
    // Still serving: an uncaught stream error would have ended the process (and the test run).
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await fetch(`${base}/health`)).status).toBe(200);
  });

  it('survives clients that hang up in the middle of a body', async () => {
    const options = sourceOptions();
    const source = track(new HttpSource(options));
    await source.start();
    const { port } = source.address();
    const body = gzipSync(Buffer.alloc(100_000, 'a'));
    for (const encoding of ['gzip', 'identity']) {
      const socket = connect(port, '127.0.0.1');
      await new Promise((resolve) => socket.once('connect', resolve));
      socket.write(
        `POST /ingest HTTP/1.1\r\nHost: vigie\r\nContent-Type: text/plain\r\nContent-Encoding: ${encoding}\r\nTransfer-Encoding: chunked\r\n\r\n`,
      );
      socket.write(`${(200).toString(16)}\r\n`);
      socket.write(body.subarray(0, 200));
      socket.write('\r\n');
      await new Promise((resolve) => setTimeout(resolve, 50));
      socket.destroy();
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
    expect(options.sink.events).toHaveLength(0);
  });

  it('answers 413 to a chunked gzip bomb on a real socket', async () => {
    const options = sourceOptions({ maxBodyBytes: 32 * 1024 });
    const source = track(new HttpSource(options));
    await source.start();
    const bomb = gzipSync(Buffer.alloc(30 * 1024 * 1024));
    const response = await fetch(`http://127.0.0.1:${source.address().port}/ingest`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson', 'content-encoding': 'gzip' },
      // A stream body goes out chunked: no Content-Length for the server to check first.
      body: new Blob([bomb]).stream(),
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(413);
    expect(options.sink.events).toHaveLength(0);
  });
});
