// Online log template mining: the live "new error pattern" detector and `vigie patterns`.
export { runPatternsCommand } from './command.js';
export { maskToken, tokenize, WILDCARD } from './mask.js';
export { DEFAULT_TEMPLATE_MINER_OPTIONS, type TemplateMinerOptions } from './options.js';
export type { TemplateMinerSnapshot } from './snapshot.js';
export { type TemplateMatch, TemplateMiner } from './template-miner.js';
