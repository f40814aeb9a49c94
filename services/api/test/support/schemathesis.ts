import { execFile, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/**
 * The schemathesis binary from the virtualenv under .cache/, installed at the pinned
 * version by deploy/local/fuzz-env.sh when missing (CI installs it in its install step).
 */
export async function schemathesisBinary(): Promise<string> {
  const { stdout } = await promisify(execFile)('bash', ['deploy/local/fuzz-env.sh'], { cwd: REPO_ROOT });
  return stdout.trim();
}

/** What a schemathesis run printed and how it ended. */
export interface SchemathesisRun {
  exitCode: number | null;
  output: string;
}

/** Runs `schemathesis run <args>` from the repository root; never rejects on a failing run. */
export function runSchemathesis(binary: string, args: string[]): Promise<SchemathesisRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, ['run', ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, NO_COLOR: '1', PYTHONUNBUFFERED: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (exitCode) => resolve({ exitCode, output }));
  });
}

/** One request of a HAR report, as far as the test reads it. */
export interface HarExchange {
  method: string;
  url: string;
  status: number;
  responseText: string;
}

interface HarFile {
  log: {
    entries: Array<{
      request: { method: string; url: string };
      response: { status: number; content?: { text?: string; encoding?: string } };
    }>;
  };
}

/** The requests schemathesis made, from the HAR report it wrote. */
export async function readHar(path: string): Promise<HarExchange[]> {
  const har = JSON.parse(await readFile(path, 'utf8')) as HarFile;
  return har.log.entries.map(({ request, response }) => {
    const text = response.content?.text ?? '';
    return {
      method: request.method,
      url: request.url,
      status: response.status,
      responseText:
        response.content?.encoding === 'base64' ? Buffer.from(text, 'base64').toString('utf8') : text,
    };
  });
}
