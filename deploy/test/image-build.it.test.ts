import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';
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
