/**
 * How to start the worker thread whose module is `name` (without extension) next to the
 * module at `from` (its `import.meta.url`): the built `<name>.js`, or, when that module runs
 * from its TypeScript source (vitest, tsx), `<name>.ts` behind tsx's loader — Node 20 does
 * not apply `--import tsx` given in a worker's `execArgv`, so a small bootstrap registers
 * it in the worker itself. The result goes to `new Worker(entry, { eval })`.
 */
export function workerEntry(from: string, name: string): { entry: string | URL; eval: boolean } {
  if (!from.endsWith('.ts')) return { entry: new URL(`./${name}.js`, from), eval: false };
  const source = JSON.stringify(new URL(`./${name}.ts`, from).href);
  return {
    entry: `import('tsx/esm/api').then(({ register }) => { register(); return import(${source}); });`,
    eval: true,
  };
}
