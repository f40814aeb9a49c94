export type { DemoSourceOptions } from './demo-source.js';
export { DemoSource } from './demo-source.js';
