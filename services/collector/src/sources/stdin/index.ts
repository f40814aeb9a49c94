export type { SplitLine } from './line-splitter.js';
export { LineSplitter } from './line-splitter.js';
export type { StdinSourceOptions } from './stdin-source.js';
export { StdinSource } from './stdin-source.js';
