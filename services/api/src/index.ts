export * from './auth/index.js';
export type { ApiConfig, ApiServerOptions } from './server/app.js';
export { createApiServer } from './server/app.js';
export { NotFoundError } from './server/errors.js';
export type { EngineKind, ServerInfo } from './server/routes/info.js';
export type { RunApiOptions, RunningApi } from './server/run.js';
export { runApi } from './server/run.js';
export { BadRequestError, parseRange, parseTime } from './server/time.js';
