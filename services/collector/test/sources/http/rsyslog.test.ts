import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@vigie/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpSource } from '../../../src/sources/http/http-source.js';
import { sourceOptions } from './helpers.js';

// Debian's rsyslog and rsyslog-elasticsearch packages (CI installs them).
const RSYSLOGD = ['/usr/sbin/rsyslogd', '/sbin/rsyslogd'].find((path) => existsSync(path)) ?? 'rsyslogd';
const TOKEN = 'rsyslog-basic-auth-password';

let source: HttpSource | undefined;
let rsyslog: ChildProcess | undefined;
let dir: string | undefined;

afterEach(async () => {
  if (rsyslog?.exitCode === null) {
    const exited = new Promise((resolve) => rsyslog?.once('exit', resolve));
    rsyslog.kill('SIGTERM');
    await exited;
  }
  await source?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
  rsyslog = undefined;
  source = undefined;
  dir = undefined;
});

/** A private rsyslog: imfile on `logFile` → omelasticsearch bulk to the source, basic auth. */
function rsyslogConfig(work: string, logFile: string, port: number): string {
  return `
global(workDirectory="${work}")
module(load="imfile")
module(load="omelasticsearch")
input(type="imfile" File="${logFile}" Tag="shop:" Facility="local0" Severity="warning" ruleset="ship")
ruleset(name="ship") {
  action(type="omelasticsearch" server="127.0.0.1" serverport="${port}" usehttps="off"
         uid="elastic" pwd="${TOKEN}" searchIndex="rsyslog-test" bulkmode="on"
         action.resumeInterval="1" action.resumeRetryCount="-1")
}
`;
}

describe('rsyslog omelasticsearch → /_bulk', () => {
  it('ships the lines of a followed file, in order, with basic auth', async () => {
    expect(
      () => execFileSync(RSYSLOGD, ['-v'], { stdio: 'pipe' }),
      'rsyslogd missing: apt-get install -y rsyslog rsyslog-elasticsearch',
    ).not.toThrow();
    const options = sourceOptions({ token: TOKEN });
    source = new HttpSource(options);
    await source.start();

    dir = await mkdtemp(join(tmpdir(), 'vigie-rsyslog-'));
    const work = join(dir, 'work');
    await mkdir(work);
    const logFile = join(dir, 'shop.log');
    const before = ['checkout started id=1', 'payment "declined" for id=2 \\ retry', 'ünïcode line ✓'];
    await writeFile(logFile, `${before.join('\n')}\n`);
    const conf = join(dir, 'rsyslog.conf');
    await writeFile(conf, rsyslogConfig(work, logFile, source.address().port));

    let output = '';
    rsyslog = spawn(RSYSLOGD, ['-n', '-f', conf, '-i', join(dir, 'rsyslogd.pid')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    rsyslog.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    rsyslog.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });

    const messages = () => options.sink.events.map((e) => e.message);
    // rsyslogd reports its own failures (module missing, server refused) on stderr.
    const arrive = (what: string, count: number) =>
      waitFor(
        what,
        async () => messages(),
        (m) => m.length >= count,
        20_000,
      ).catch((err: Error) => {
        throw new Error(`${err.message}; rsyslogd said: ${output.slice(0, 2000) || 'nothing'}`);
      });
    await arrive('rsyslog to ship the first lines', before.length);
    const after = Array.from({ length: 20 }, (_, i) => `appended line ${i} level=info`);
    await appendFile(logFile, `${after.join('\n')}\n`);
    await arrive('rsyslog to ship the appended lines', before.length + after.length);

    expect(messages()).toEqual([...before, ...after]);
    const events = options.sink.events;
    expect(options.sink.eventCalls.every((e) => e.source === 'http-elasticsearch')).toBe(true);
    expect(events.every((e) => e.log?.level === 'warn' && e.log.syslog?.facility?.name === 'local0')).toBe(
      true,
    );
    expect(
      events.every((e) => typeof e.host?.name === 'string' && e.vigie?.timestamp_fallback === undefined),
    ).toBe(true);
    expect(options.sink.lines).toHaveLength(0);
  }, 60_000);
});
