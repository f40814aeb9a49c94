import { execFile, spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { waitFor } from '@vigie/testkit';
import { afterAll, expect, it } from 'vitest';
import { parse } from 'yaml';
import { assembleStage, buildStage } from './image-context.js';

// The Dockerfile's build stage replayed without Docker (none runs here): its COPY
// instructions applied to the context `.dockerignore` leaves, then its build command.
// `npm ci` is replaced by links to this checkout's installed packages (same lock file;
// the workspace packages link to the copies) and `npm prune` is left out (it would prune
// the checkout's packages through those links), so what is tested is that the image gets
// every source its build reads.

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../..', import.meta.url));
const dockerfile = await readFile(join(repo, 'Dockerfile'), 'utf8');
const workDir = await mkdtemp(join(tmpdir(), 'vigie-image-'));
afterAll(() => rm(workDir, { recursive: true, force: true }));

/** node_modules as `npm ci` would lay it out, from the checkout's own installation. */
async function linkDependencies(target: string): Promise<void> {
  const modules = join(target, 'node_modules');
  await mkdir(join(modules, '@vigie'), { recursive: true });
  for (const entry of await readdir(join(repo, 'node_modules'))) {
    if (entry !== '@vigie') await symlink(join(repo, 'node_modules', entry), join(modules, entry));
  }
  for (const workspace of await readdir(join(repo, 'node_modules', '@vigie'))) {
    const home = workspace === 'ui' ? 'ui' : join('services', workspace);
    await symlink(join(target, home), join(modules, '@vigie', workspace));
    const own = join(repo, home, 'node_modules');
    if (existsSync(own)) await symlink(own, join(target, home, 'node_modules'));
  }
}

it('builds every role and the web UI from what the Dockerfile copies into its build stage', async () => {
  const stage = buildStage(dockerfile);
  const steps = stage.runs.flatMap((command) => command.split('&&').map((step) => step.trim()));
  expect(steps[0]).toMatch(/^npm ci\b/);
  const buildSteps = steps.filter((step) => !/^npm (ci|prune)\b/.test(step));
  expect(buildSteps.length).toBeGreaterThan(0);
  const copied = await assembleStage(repo, stage, workDir);
  expect(copied).toContain('package-lock.json');
  await linkDependencies(workDir);

  for (const step of buildSteps) {
    await run('sh', ['-c', step], { cwd: workDir, maxBuffer: 64 * 1024 * 1024 }).catch(
      (error: { stdout?: string; stderr?: string }) => {
        throw new Error(`"${step}" failed in the image's build stage:\n${error.stdout}\n${error.stderr}`);
      },
    );
  }
  expect(existsSync(join(workDir, 'services/cli/dist/main.js'))).toBe(true);
  // `api.uiDir` is `ui/dist` under the working directory, which the image's WORKDIR is.
  expect(existsSync(join(workDir, 'ui/dist/index.html'))).toBe(true);
  // The final stage links this file as `vigie`.
  expect(dockerfile).toContain('services/cli/dist/main.js');
  const help = await run('node', ['services/cli/dist/main.js', 'help'], { cwd: workDir });
  expect(help.stdout).toMatch(/^Usage: vigie <command>/);
  expect(help.stdout).toMatch(/^ {2}all {2,}/m);
}, 600_000);

interface ComposeService {
  command: string[];
  environment?: Record<string, string>;
}
const compose = parse(await readFile(join(repo, 'deploy/docker-compose.yml'), 'utf8')) as {
  services: Record<string, ComposeService>;
};

/** A compose service's `sh -ec` script with Compose's `$$` escapes undone. */
function script(service: string): string {
  const command = compose.services[service]?.command ?? [];
  expect(command.slice(0, 2)).toEqual(['sh', '-ec']);
  return (command[2] ?? '').replaceAll('$$', '$');
}

/** Runs a compose service's command in the built stage with `vigie` on the PATH, as in the image. */
function startService(service: string, env: Record<string, string>) {
  const command = compose.services[service]?.command ?? [];
  const [file = '', ...args] = command[0] === 'sh' ? ['sh', '-ec', script(service)] : command;
  const child = spawn(file, args, {
    cwd: workDir,
    env: { PATH: `${join(workDir, '.bin')}:${process.env.PATH ?? ''}`, ...env },
  });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { child, exited, output: () => stdout };
}

/** The JSON log line with this message, once logged. */
async function logged(
  run: ReturnType<typeof startService>,
  message: string,
): Promise<Record<string, unknown>> {
  const line = await waitFor(
    message,
    async () =>
      run
        .output()
        .split('\n')
        .find((l) => l.includes(message)),
    (l) => l !== undefined || run.child.exitCode !== null,
    60_000,
    100,
  );
  if (line === undefined) throw new Error(`exited before "${message}": ${run.output().slice(-3000)}`);
  return JSON.parse(line) as Record<string, unknown>;
}

it("runs the compose file's first-start credentials, then the API and the collector that require them", async () => {
  // The build test above made the stage; `vigie` is the image's link to the built CLI.
  expect(existsSync(join(workDir, 'services/cli/dist/main.js'))).toBe(true);
  await mkdir(join(workDir, '.bin'), { recursive: true });
  await writeFile(
    join(workDir, '.bin/vigie'),
    `#!/bin/sh\nexec node ${join(workDir, 'services/cli/dist/main.js')} "$@"\n`,
  );
  await chmod(join(workDir, '.bin/vigie'), 0o755);

  const first = startService('credentials', {});
  expect(await first.exited).toBe(0);
  const key = /vigie_[A-Za-z0-9]+_[A-Za-z0-9_-]+/.exec(first.output())?.[0];
  expect(key, first.output()).toBeDefined();
  const token = (await readFile(join(workDir, 'data/collector/http-token'), 'utf8')).trim();
  expect(token).toMatch(/^[0-9a-f]{64}$/);
  expect(first.output()).toContain(token);
  expect(statSync(join(workDir, 'data/collector/http-token')).mode & 0o777).toBe(0o600);
  // A restart of the stack prints nothing and changes nothing.
  const again = startService('credentials', {});
  expect(await again.exited).toBe(0);
  expect(again.output()).toBe('');

  const engines = {
    VIGIE_ELASTICSEARCH_URL: 'http://127.0.0.1:9200',
    VIGIE_ELASTICSEARCH_INDEX_PREFIX: `vigie-image-${process.pid}`,
    VIGIE_KAFKA_BROKERS: '127.0.0.1:9092',
    VIGIE_OPS_PORT: '0',
  };
  // The compose file's settings, with loopback engines and free ports in place of its own.
  const apiRun = startService('api', {
    ...compose.services.api?.environment,
    ...engines,
    VIGIE_API_PORT: '0',
  });
  const collectorRun = startService('collector', {
    ...compose.services.collector?.environment,
    ...engines,
    VIGIE_COLLECTOR_HTTP_TOKEN: '',
    VIGIE_COLLECTOR_HTTP_PORT: '0',
    VIGIE_COLLECTOR_SYSLOG_ENABLED: 'false',
  });
  try {
    const { url } = (await logged(apiRun, 'Search API listening.')) as { url: string };
    expect((await fetch(`${url}/api/info`)).status).toBe(401);
    expect((await fetch(`${url}/api/info`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(
      200,
    );

    const { port, token: tokenRequired } = (await logged(collectorRun, 'HTTP source listening.')) as {
      port: number;
      token: boolean;
    };
    expect(tokenRequired).toBe(true);
    const ingest = (authorization?: string) =>
      fetch(`http://127.0.0.1:${port}/ingest`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-ndjson', ...(authorization && { authorization }) },
        body: '{"message":"from the compose collector","service.name":"image-test"}\n',
      });
    expect((await ingest()).status).toBe(401);
    expect((await ingest(`Bearer ${token}`)).status).toBeLessThan(300);
  } finally {
    apiRun.child.kill('SIGTERM');
    collectorRun.child.kill('SIGTERM');
    await Promise.all([apiRun.exited, collectorRun.exited]);
  }
}, 180_000);
