import { cp, mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';

// A CommonJS module whose types declare an ES default export: required, it is the factory.
const dockerignore: typeof import('@balena/dockerignore').default = createRequire(import.meta.url)(
  '@balena/dockerignore',
);

// No Docker engine runs here, so the image's build stage is replayed on the file system:
// the build context as `.dockerignore` filters it, the stage's COPY instructions, then its
// build command. What this catches is the usual way an image breaks: a source the build
// needs was never copied in.

/** One `COPY <sources…> <destination>` of the build stage (not `--from`). */
export interface CopyInstruction {
  sources: string[];
  destination: string;
}

/** The first stage of a Dockerfile: its working directory and copies. */
export interface BuildStage {
  workdir: string;
  copies: CopyInstruction[];
  runs: string[];
}

/** Instructions of a Dockerfile, continuation lines joined, comments dropped. */
export function instructions(dockerfile: string): { keyword: string; args: string }[] {
  const joined = dockerfile
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('#'))
    .join('\n')
    .replace(/\\\n/g, ' ');
  return joined
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => {
      const [keyword = '', ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    });
}

/** The build stage: everything from the first FROM to the second. */
export function buildStage(dockerfile: string): BuildStage {
  const stage: BuildStage = { workdir: '/', copies: [], runs: [] };
  let froms = 0;
  for (const { keyword, args } of instructions(dockerfile)) {
    if (keyword === 'FROM' && ++froms > 1) break;
    if (keyword === 'WORKDIR') stage.workdir = args;
    if (keyword === 'RUN') stage.runs.push(args);
    if (keyword === 'COPY') {
      const words = args.split(/\s+/);
      if (words.some((word) => word.startsWith('--'))) continue;
      const destination = words.pop() ?? '';
      stage.copies.push({ sources: words, destination });
    }
  }
  return stage;
}

/** Every file of the context that `.dockerignore` lets through, relative paths. */
async function contextFiles(root: string, ignoreFile: string): Promise<string[]> {
  const ignore = dockerignore({ ignorecase: false }).add((await readFile(ignoreFile, 'utf8')).split('\n'));
  const files: string[] = [];
  async function walk(dir: string): Promise<void> {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      const rel = relative(root, path);
      if (ignore.ignores(rel)) continue;
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) files.push(rel);
    }
  }
  await walk(root);
  return files;
}

/**
 * Lays out what the build stage's COPY instructions put in its working directory, under
 * `target`: a source ending in `/` or naming a directory copies its content into the
 * destination, a file into the destination directory (`./`) or under its new name.
 */
export async function assembleStage(root: string, stage: BuildStage, target: string): Promise<string[]> {
  const files = await contextFiles(root, join(root, '.dockerignore'));
  const copied: string[] = [];
  for (const { sources, destination } of stage.copies) {
    const into = join(target, destination);
    const toDirectory = destination.endsWith('/') || sources.length > 1;
    for (const source of sources) {
      const clean = source.replace(/^\.\//, '').replace(/\/$/, '');
      const isDirectory = clean === '.' || (await stat(join(root, clean))).isDirectory();
      const prefix = clean === '.' ? '' : `${clean}/`;
      const chosen = isDirectory
        ? files.filter((file) => file.startsWith(prefix))
        : files.filter((file) => file === clean);
      for (const file of chosen) {
        const rel = isDirectory
          ? file.slice(prefix.length)
          : toDirectory
            ? (file.split('/').pop() ?? file)
            : '';
        const path = rel === '' ? into : join(into, rel);
        await mkdir(dirname(path), { recursive: true });
        await cp(join(root, file), path);
        copied.push(relative(target, path));
      }
    }
  }
  return copied;
}
