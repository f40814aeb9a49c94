export type { SyslogFrame } from './framer.js';
export { SyslogFramer } from './framer.js';
export type { BatchingOptions } from './line-batcher.js';
export type { SyslogSourceOptions } from './options.js';
export { SYSLOG_DEFAULTS } from './options.js';
export { SyslogSource } from './syslog-source.js';
