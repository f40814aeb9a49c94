import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { connect } from 'node:net';
import { promisify } from 'node:util';
import { CapturingSink, metricValue, until } from '@vigie/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import type { RawLine } from '../../../src/model.js';
import type { SyslogSource } from '../../../src/sources/syslog/index.js';
import { octetCounted, sendTcp, sendUdp, startSyslog } from './peers.js';

const run = promisify(execFile);
const started: SyslogSource[] = [];

async function start(sink: CapturingSink<RawLine>, overrides = {}) {
  const result = await startSyslog(sink, overrides);
  started.push(result.source);
  return result;
}

/** Sends `messages` with util-linux `logger`, one connection (or socket) for all of them. */
async function logger(port: number, transport: string[], messages: string[]): Promise<void> {
  const child = run('logger', [
    ...transport,
    '--server',
    '127.0.0.1',
    '--port',
    String(port),
    '--rfc5424',
    '--tag',
    'vigie-test',
  ]);
  child.child.stdin?.end(`${messages.join('\n')}\n`);
  await child;
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((source) => source.stop()));
});

describe('SyslogSource with util-linux logger', () => {
  const messages = ['first message', 'second message', 'third message'];
  const rfc5424 = /^<13>1 \d{4}-\d\d-\d\dT[^ ]+ [^ ]+ vigie-test - - \[timeQuality[^\]]*\] (.*)$/;

  for (const [name, transport, source] of [
    ['UDP', ['--udp'], 'syslog-udp'],
    ['TCP with newline framing', ['--tcp'], 'syslog-tcp'],
    ['TCP with octet counting', ['--tcp', '--octet-count'], 'syslog-tcp'],
  ] as const) {
    it(`receives RFC 5424 messages over ${name}`, async () => {
      const sink = new CapturingSink<RawLine>();
      const { tcp, udp, registry } = await start(sink);
      await logger(transport[0] === '--udp' ? udp : tcp, [...transport], messages);
      await until('three messages', () => sink.lines.length === 3);

      expect(sink.texts.map((text) => rfc5424.exec(text)?.[1])).toEqual(messages);
      expect(new Set(sink.lineCalls.map((call) => call.source))).toEqual(new Set([source]));
      const protocol = source === 'syslog-udp' ? 'udp' : 'tcp';
      const stream = sink.lines[0]?.origin.stream ?? '';
      expect(stream).toMatch(protocol === 'udp' ? /^udp:127\.0\.0\.1:\d+$/ : /^tcp:127\.0\.0\.1:\d+#1$/);
      sink.lines.forEach((line, i) => {
        expect(line.origin).toEqual({ source, hostName: 'collector-1', stream, sequence: i });
        expect(line.hints).toEqual({ format: 'syslog', service: 'edge' });
        expect(line.truncated).toBeUndefined();
        expect(line.receivedAt).toBeGreaterThan(Date.now() - 10_000);
      });
      expect(
        await metricValue(registry, 'vigie_collector_syslog_messages_total', { transport: protocol }),
      ).toBe(3);
      // What each message cost on the wire besides its text: the framing.
      const framing = (text: string) =>
        protocol === 'udp'
          ? 0
          : source === 'syslog-tcp' && transport.length === 2
            ? `${Buffer.byteLength(text)} `.length
            : 1;
      expect(await metricValue(registry, 'vigie_collector_syslog_bytes_total', { transport: protocol })).toBe(
        sink.texts.reduce((sum, text) => sum + Buffer.byteLength(text) + framing(text), 0),
      );
    });
  }
});

describe('SyslogSource over TCP', () => {
  it('frames several messages of one write, a frame split across writes and mixed framing', async () => {
    const sink = new CapturingSink<RawLine>();
    const { tcp } = await start(sink);
    const split = octetCounted('<14>1 - host app - - - split\nacross writes');
    const localPort = await sendTcp(
      tcp,
      Buffer.concat([octetCounted('<13>1 - host app - - - one'), Buffer.from('<13>two\n<13>three\r\n')]),
      split.subarray(0, 5),
      Buffer.concat([split.subarray(5), Buffer.from('<15>four\0')]),
      'no PRI and no trailer',
    );
    await until('six messages', () => sink.lines.length === 6);
    expect(sink.texts).toEqual([
      '<13>1 - host app - - - one',
      '<13>two',
      '<13>three',
      '<14>1 - host app - - - split\nacross writes',
      '<15>four',
      'no PRI and no trailer',
    ]);
    expect(sink.lines.map((line) => line.origin.sequence)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(sink.lines[0]?.origin.stream).toBe(`tcp:127.0.0.1:${localPort}#1`);
  });

  it('numbers connections and counts each one from 0', async () => {
    const sink = new CapturingSink<RawLine>();
    const { tcp } = await start(sink);
    const first = await sendTcp(tcp, '<13>a\n<13>b\n');
    const second = await sendTcp(tcp, '<13>c\n');
    await until('three messages', () => sink.lines.length === 3);
    expect(sink.lines.map((line) => [line.origin.stream, line.origin.sequence])).toEqual([
      [`tcp:127.0.0.1:${first}#1`, 0],
      [`tcp:127.0.0.1:${first}#1`, 1],
      [`tcp:127.0.0.1:${second}#2`, 0],
    ]);
  });

  it('cuts a 10 MiB frame to maxLineBytes, flags it, and reads the next message', async () => {
    const sink = new CapturingSink<RawLine>();
    const { tcp, registry } = await start(sink);
    const huge = octetCounted(Buffer.concat([Buffer.from('<13>1 '), Buffer.alloc(10 * 1024 * 1024, 'z')]));
    await sendTcp(tcp, huge, '<13>after\n');
    await until('two messages', () => sink.lines.length === 2);
    expect(sink.lines[0]?.truncated).toBe(true);
    expect(sink.texts[0]).toBe(`<13>1 ${'z'.repeat(1018)}`);
    expect(sink.lines[1]).toMatchObject({ text: '<13>after', origin: { sequence: 1 } });
    expect(sink.lines[1]?.truncated).toBeUndefined();
    expect(await metricValue(registry, 'vigie_collector_syslog_truncated_total', { transport: 'tcp' })).toBe(
      1,
    );
  });

  it('replaces invalid UTF-8 instead of failing', async () => {
    const sink = new CapturingSink<RawLine>();
    const { tcp } = await start(sink);
    await sendTcp(
      tcp,
      Buffer.concat([Buffer.from('<13>bad '), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('\n')]),
    );
    await until('one message', () => sink.lines.length === 1);
    expect(sink.texts).toEqual(['<13>bad \uFFFD(\uFFFD']);
  });
});

describe('SyslogSource on IPv6', () => {
  it('listens on ::1 and writes IPv6 peers in brackets', async () => {
    const sink = new CapturingSink<RawLine>();
    const { tcp, udp } = await start(sink, { host: '::1' });
    const tcpPeer = connect({ host: '::1', port: tcp });
    await once(tcpPeer, 'connect');
    const tcpPort = tcpPeer.localPort;
    tcpPeer.end('<13>over tcp\n');
    const udpPeer = createSocket('udp6');
    await new Promise<void>((resolve) => udpPeer.bind(0, '::1', () => resolve()));
    await new Promise((resolve) => udpPeer.send('<13>over udp', udp, '::1', resolve));
    const udpPort = udpPeer.address().port;
    udpPeer.close();
    await until('two messages', () => sink.lines.length === 2);
    expect(Object.fromEntries(sink.lines.map((line) => [line.text, line.origin.stream]))).toEqual({
      '<13>over tcp': `tcp:[::1]:${tcpPort}#1`,
      '<13>over udp': `udp:[::1]:${udpPort}`,
    });
  });
});

describe('SyslogSource over UDP', () => {
  it('takes one message per datagram, cut when too long, counted per sender', async () => {
    const sink = new CapturingSink<RawLine>();
    const { udp, registry } = await start(sink);
    const localPort = await sendUdp(
      udp,
      '<13>1 - host app - - - hello\n',
      'without PRI',
      Buffer.concat([Buffer.from('<13>'), Buffer.from([0xff]), Buffer.alloc(2000, 'y')]),
    );
    const otherPort = await sendUdp(udp, '<13>other sender');
    await until('four messages', () => sink.lines.length === 4);
    expect(sink.texts.slice(0, 2)).toEqual(['<13>1 - host app - - - hello', 'without PRI']);
    expect(sink.texts[2]).toBe(`<13>\uFFFD${'y'.repeat(1019)}`);
    expect(sink.lines[2]?.truncated).toBe(true);
    expect(sink.lines.map((line) => [line.origin.stream, line.origin.sequence])).toEqual([
      [`udp:127.0.0.1:${localPort}`, 0],
      [`udp:127.0.0.1:${localPort}`, 1],
      [`udp:127.0.0.1:${localPort}`, 2],
      [`udp:127.0.0.1:${otherPort}`, 0],
    ]);
    expect(await metricValue(registry, 'vigie_collector_syslog_truncated_total', { transport: 'udp' })).toBe(
      1,
    );
  });
});
