import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { errorResponses } from '../schemas.js';

/** Where the roles of this Vigie keep their logs. */
export type EngineKind = 'embedded' | 'kafka+elasticsearch';

/** What GET /api/info answers: facts about this Vigie that the UI shows beside the data. */
export interface ServerInfo {
  /** The version of Vigie serving the API. */
  version: string;
  /** `embedded` (file bus, SQLite) under `vigie all` without Kafka or Elasticsearch. */
  engines: EngineKind;
  /** The collector generates the simulated shop's traffic (collector.demo, `vigie all --demo`). */
  demo: boolean;
}

// The API package's own manifest: ../../../package.json from src/server/routes and
// from dist/server/routes alike.
const VERSION = (
  JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** The version of Vigie, as its packages declare it. */
export function vigieVersion(): string {
  return VERSION;
}

const infoSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['version', 'engines', 'demo'],
  properties: {
    version: { type: 'string', description: 'The version of Vigie serving this API.' },
    engines: {
      type: 'string',
      enum: ['embedded', 'kafka+elasticsearch'],
      description:
        '`embedded`: `vigie all` on its file bus and SQLite store; `kafka+elasticsearch`: the logs are in Elasticsearch.',
    },
    demo: {
      type: 'boolean',
      description:
        'True while the collector generates the simulated shop\'s traffic (collector.demo, `vigie all --demo`): events labelled `labels.demo: "true"` are not real logs.',
    },
  },
} as const;

/**
 * GET /api/info: the version, the engines, and whether the data is simulated. Read-only,
 * and held by every role (as the services overview is): it tells which deployment this
 * is, so it is not public.
 */
export function registerInfoRoute(app: FastifyInstance, info: ServerInfo): void {
  const answer: ServerInfo = { version: info.version, engines: info.engines, demo: info.demo };
  app.get(
    '/api/info',
    {
      config: { permission: 'services' },
      schema: {
        summary: 'What this Vigie is: version, engines, and whether its data is simulated',
        tags: ['ops'],
        response: { 200: infoSchema, ...errorResponses },
      },
    },
    async () => answer,
  );
}
