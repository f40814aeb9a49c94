import { Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { DEPLOY_DATASET, type LogEvent } from '@vigie/common';
import type { FastifyPluginAsync } from 'fastify';
import { BodyError, bodyText, parseJsonBody } from '../body.js';
import { deliver, type RouteContext } from '../context.js';
import { SOURCE_IDS } from '../options.js';

const Deploy = Type.Object(
  {
    service: Type.String({ minLength: 1, maxLength: 256, description: 'service.name that was deployed.' }),
    version: Type.String({ minLength: 1, maxLength: 256, description: 'The version now running.' }),
    environment: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    at: Type.Optional(Type.String({ description: 'When the rollout started (ISO 8601); now when absent.' })),
    description: Type.Optional(
      Type.String({ maxLength: 2048, description: 'Change summary, ticket, author.' }),
    ),
  },
  { additionalProperties: false },
);

const checkDeploy = TypeCompiler.Compile(Deploy);

const Accepted = Type.Object({ accepted: Type.Literal(1), '@timestamp': Type.String() });

/**
 * `POST /api/deploys`: a deploy marker from a CI/CD pipeline. It travels as a log event
 * of the service (dataset `vigie.deploy`) so it lands on the service's partition, in
 * order with its logs: anomalies that start soon after it say so, and searches show it.
 */
export const deployRoutes: FastifyPluginAsync<{ context: RouteContext }> = async (app, { context }) => {
  app.post('/api/deploys', { schema: { response: { 200: Accepted } } }, async (request) => {
    // Bodies reach routes as bytes (see body.ts), so the schema is checked here.
    const body = parseJsonBody(bodyText(request));
    if (!checkDeploy.Check(body)) {
      const problems = [...checkDeploy.Errors(body)]
        .slice(0, 5)
        .map((e) => `${e.path || '/'}: ${e.message.toLowerCase()}`);
      throw new BodyError('invalid_payload', 400, `Invalid deploy marker: ${problems.join('; ')}`);
    }
    const at = body.at === undefined ? Date.now() : Date.parse(body.at);
    if (!Number.isFinite(at))
      throw new BodyError('invalid_payload', 400, `Invalid deploy marker: /at: not an ISO 8601 time`);
    const timestamp = new Date(at).toISOString();
    const event: LogEvent = {
      '@timestamp': timestamp,
      message: `Deploy of ${body.service} ${body.version}${body.description ? `: ${body.description}` : ''}`,
      service: { name: body.service, version: body.version },
      event: { dataset: DEPLOY_DATASET, action: 'deploy', category: ['configuration'] },
      vigie: { source: SOURCE_IDS.deploys, stream: `http:${request.ip}#${request.id}` },
    };
    if (body.environment) event.service.environment = body.environment;
    await deliver(context, '/api/deploys', SOURCE_IDS.deploys, [event]);
    return { accepted: 1 as const, '@timestamp': timestamp };
  });
};
