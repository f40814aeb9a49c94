/**
 * How to start a worker: the built `worker.js` next to this module, or, when this module
 * runs from its TypeScript source (vitest, tsx), `worker.ts` behind tsx's loader — Node 20
 * does not apply `--import tsx` given in a worker's `execArgv`, so a small bootstrap
 * registers it in the worker itself.
 */
export function workerEntry(): { entry: string | URL; eval: boolean } {
  const self = import.meta.url;
  if (!self.endsWith('.ts')) return { entry: new URL('./worker.js', self), eval: false };
  const source = JSON.stringify(new URL('./worker.ts', self).href);
  return {
    entry: `import('tsx/esm/api').then(({ register }) => { register(); return import(${source}); });`,
    eval: true,
  };
}
