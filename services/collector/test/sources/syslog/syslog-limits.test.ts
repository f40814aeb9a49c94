import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import type { Socket } from 'node:net';
import { createRegistry } from '@vigie/common';
import { CapturingSink, metricValue, testLogger, until } from '@vigie/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import type { RawLine } from '../../../src/model.js';
import { SyslogSource } from '../../../src/sources/syslog/index.js';
import { openTcp, sendTcp, sendUdp, startSyslog } from './peers.js';

const started: SyslogSource[] = [];
const sockets: Socket[] = [];

async function start(sink: CapturingSink<RawLine>, overrides = {}) {
  const result = await startSyslog(sink, overrides);
  started.push(result.source);
  return result;
}

async function open(port: number): Promise<Socket> {
  const socket = await openTcp(port);
  sockets.push(socket);
  socket.on('error', () => {});
  return socket;
}

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(started.splice(0).map((source) => source.stop()));
});

/** `count` messages of about 1 KB, numbered, in newline framing. */
const messages = (prefix: string, from: number, count: number) =>
  Array.from({ length: count }, (_, i) => `<13>${prefix} ${from + i} ${'p'.repeat(1000)}\n`).join('');

describe('SyslogSource backpressure', () => {
  it('stops reading a TCP peer while the sink refuses, then delivers everything in order', async () => {
    const sink = new CapturingSink<RawLine>();
    sink.refuse();
    const { tcp, registry } = await start(sink);
    const socket = await open(tcp);

    // Write until the collector stops reading and every buffer on the way is full.
    let sent = 0;
    let stalled = false;
    while (!stalled && sent < 200_000) {
      if (!socket.write(messages('m', sent, 1000))) {
        const drained = once(socket, 'drain').then(() => true);
        const timeout = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 500));
        stalled = !(await Promise.race([drained, timeout]));
      }
      sent += 1000;
    }
    expect(stalled).toBe(true);
    expect(sink.lines).toHaveLength(0);
    expect(await metricValue(registry, 'vigie_collector_syslog_backpressure_pauses_total')).toBeGreaterThan(
      0,
    );
    // Only what fits in the batcher (plus one socket chunk) was read; the rest waits in the kernel.
    const read = await metricValue(registry, 'vigie_collector_syslog_messages_total', { transport: 'tcp' });
    expect(read).toBeLessThan(sent);

    sink.accept();
    socket.end();
    await until('every message', () => sink.lines.length === sent, 30_000);
    expect(sink.refused).toBeGreaterThan(0);
    const numbers = sink.texts.map((text) => Number(text.split(' ')[1]));
    expect(numbers).toEqual(Array.from({ length: sent }, (_, i) => i));
    expect(sink.lines.map((line) => line.origin.sequence)).toEqual(numbers);
  }, 40_000);

  it('retries refused batches of concurrent connections without loss, in order per connection', async () => {
    const sink = new CapturingSink<RawLine>({ refuseFirst: 5 });
    const { tcp } = await start(sink);
    await Promise.all(
      ['a', 'b', 'c'].map((name) => sendTcp(tcp, messages(name, 0, 700), messages(name, 700, 300))),
    );
    await until('3000 messages', () => sink.lines.length === 3000);
    expect(sink.refused).toBe(5);
    for (const name of ['a', 'b', 'c']) {
      const ofConnection = sink.texts.filter((text) => text.startsWith(`<13>${name} `));
      expect(ofConnection.map((text) => Number(text.split(' ')[1]))).toEqual(
        Array.from({ length: 1000 }, (_, i) => i),
      );
    }
  });

  it('keeps UDP messages in a bounded queue while the sink is slow, and counts what it drops', async () => {
    const sink = new CapturingSink<RawLine>();
    sink.holdCalls();
    const { udp, registry } = await start(sink, { udpQueueSize: 5 });
    await sendUdp(udp, '<13>first');
    await until('the first batch on its way', () => sink.attempts === 1);
    await sendUdp(udp, ...Array.from({ length: 20 }, (_, i) => `<13>queued ${i}`));
    await until(
      '20 more received',
      async () =>
        (await metricValue(registry, 'vigie_collector_syslog_messages_total', { transport: 'udp' })) === 21,
    );
    expect(await metricValue(registry, 'vigie_discarded_events_total', { reason: 'udp_queue_full' })).toBe(
      15,
    );
    sink.releaseCalls();
    await until('the queued messages', () => sink.lines.length === 6);
    expect(sink.texts).toEqual(['<13>first', ...Array.from({ length: 5 }, (_, i) => `<13>queued ${i}`)]);
  });

  it('counts batches the sink fails on for good, and keeps the connection', async () => {
    const sink = new CapturingSink<RawLine>({ failWith: new Error('parser bug') });
    const { tcp, registry } = await start(sink);
    await sendTcp(tcp, '<13>one\n<13>two\n');
    await until(
      'two discarded',
      async () =>
        (await metricValue(registry, 'vigie_discarded_events_total', { reason: 'sink_error' })) === 2,
    );
    expect(sink.attempts).toBe(1);
    expect(sink.lines).toHaveLength(0);
  });
});

describe('SyslogSource limits', () => {
  it('refuses connections past maxConnections', async () => {
    const { tcp, registry } = await start(new CapturingSink<RawLine>(), { maxConnections: 2 });
    await open(tcp);
    await open(tcp);
    const third = await open(tcp);
    await once(third, 'close');
    expect(await metricValue(registry, 'vigie_collector_syslog_refused_connections_total')).toBe(1);
    expect(await metricValue(registry, 'vigie_collector_syslog_connections')).toBe(2);
  });

  it('closes idle connections, but not one paused by backpressure', async () => {
    const sink = new CapturingSink<RawLine>();
    const { tcp, registry } = await start(sink, { idleTimeoutMs: 150 });
    const idle = await open(tcp);
    await once(idle, 'close');

    sink.refuse();
    const paused = await open(tcp);
    let closedAt = 0;
    paused.on('close', () => {
      closedAt = Date.now();
    });
    paused.write('<13>waiting\n');
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(closedAt).toBe(0);
    sink.accept();
    await until('the message', () => sink.lines.length === 1);
    const acceptedAt = Date.now();
    await until('the idle close', () => closedAt > 0);
    expect(closedAt - acceptedAt).toBeGreaterThanOrEqual(100);
    await until(
      'no connection left',
      async () => (await metricValue(registry, 'vigie_collector_syslog_connections')) === 0,
    );
  });
});

describe('SyslogSource lifecycle', () => {
  it('stops idempotently, also without start, and frees its ports', async () => {
    const unstarted = new SyslogSource({
      host: '127.0.0.1',
      port: 0,
      maxLineBytes: 1024,
      sink: new CapturingSink<RawLine>(),
      logger: testLogger(),
      registry: createRegistry(),
      hostName: 'collector-1',
    });
    expect(() => unstarted.addresses()).toThrow(/not listening/);
    await unstarted.stop();
    await unstarted.stop();

    const { source, tcp, udp } = await start(new CapturingSink<RawLine>());
    await source.stop();
    await source.stop();
    expect(() => source.addresses()).toThrow(/not listening/);
    await expect(source.start()).rejects.toThrow(/only be called once/);
    // Same port again for both listeners: the first source released them.
    const tcpAgain = await start(new CapturingSink<RawLine>(), { port: tcp });
    expect(tcpAgain.tcp).toBe(tcp);
    const udpAgain = await start(new CapturingSink<RawLine>(), { port: udp });
    expect(udpAgain.udp).toBe(udp);
  });

  it('releases its ports when stopped while starting', async () => {
    const probe = await start(new CapturingSink<RawLine>());
    const port = probe.tcp;
    await probe.source.stop();
    const racing = new SyslogSource({
      host: '127.0.0.1',
      port,
      maxLineBytes: 1024,
      sink: new CapturingSink<RawLine>(),
      logger: testLogger(),
      registry: createRegistry(),
      hostName: 'collector-1',
    });
    const starting = racing.start();
    await racing.stop();
    await starting;
    expect(() => racing.addresses()).toThrow(/not listening/);
    const after = await start(new CapturingSink<RawLine>(), { port });
    expect(after.tcp).toBe(port);
  });

  it('fails to start on a port in use and releases what it bound', async () => {
    const first = await start(new CapturingSink<RawLine>());
    await expect(startSyslog(new CapturingSink<RawLine>(), { port: first.tcp })).rejects.toThrow(
      /EADDRINUSE/,
    );
    // The UDP port of the first source is taken too: this time the TCP listener had bound.
    const blocker = createSocket('udp4');
    await new Promise<void>((resolve) => blocker.bind(0, '127.0.0.1', () => resolve()));
    const port = blocker.address().port;
    await expect(startSyslog(new CapturingSink<RawLine>(), { port })).rejects.toThrow(/EADDRINUSE/);
    blocker.close();
    // Its TCP listener was released: the port can be taken again.
    const retried = await start(new CapturingSink<RawLine>(), { port });
    expect(retried.tcp).toBe(port);
  });

  it('hands on what it received when stopped', async () => {
    const sink = new CapturingSink<RawLine>();
    const { source, tcp, udp } = await start(sink, { batching: { maxDelayMs: 60_000 } });
    const socket = await open(tcp);
    socket.write('<13>tcp one\n<13>tcp two');
    await sendUdp(udp, '<13>udp one');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(sink.lines).toHaveLength(0);
    await source.stop();
    expect(sink.texts.sort()).toEqual(['<13>tcp one', '<13>tcp two', '<13>udp one']);
  });

  it('gives up after stopTimeoutMs when the sink keeps refusing, and counts the loss', async () => {
    const sink = new CapturingSink<RawLine>();
    sink.refuse();
    const { source, tcp, registry } = await start(sink, { stopTimeoutMs: 200 });
    await sendTcp(tcp, '<13>a\n<13>b\n<13>c\n');
    await until('a refusal', () => sink.refused > 0);
    const before = Date.now();
    await source.stop();
    expect(Date.now() - before).toBeLessThan(2000);
    expect(await metricValue(registry, 'vigie_discarded_events_total', { reason: 'shutdown' })).toBe(3);
  });
});
