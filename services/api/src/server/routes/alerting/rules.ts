import { randomUUID } from 'node:crypto';
import type { AlertRule, RuleCondition, Severity } from '@vigie/common';
import { parseQuery } from '@vigie/common';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { NotFoundError } from '../../errors.js';
import { errorResponses } from '../../schemas.js';
import { BadRequestError } from '../../time.js';
import { type AlertingDeps, actorOf, quoteId } from './context.js';
import { idParams, notFound, ruleInputSchema, ruleSchema } from './schemas.js';

interface RuleInput {
  name: string;
  query: string;
  service?: string;
  windowMs: number;
  condition: { type: RuleCondition['type']; threshold?: number };
  severity: Severity;
  enabled: boolean;
  labels?: Record<string, string>;
}

const ruleAnswer = { type: 'object', required: ['rule'], properties: { rule: ruleSchema } } as const;

/** Checks the query (a `QueryError` answers 400 with its position) and the condition. */
function ruleOf(input: RuleInput, base: Pick<AlertRule, 'id' | 'createdBy' | 'createdAt'>): AlertRule {
  parseQuery(input.query);
  const { type, threshold } = input.condition;
  let condition: RuleCondition;
  if (type === 'anomalous') {
    if (threshold !== undefined) throw new BadRequestError('An anomalous condition takes no threshold');
    condition = { type };
  } else {
    if (threshold === undefined) throw new BadRequestError(`An ${type} condition needs a threshold`);
    condition = { type, threshold };
  }
  return {
    ...base,
    name: input.name,
    query: input.query,
    service: input.service ?? input.name,
    windowMs: input.windowMs,
    condition,
    severity: input.severity,
    enabled: input.enabled,
    labels: input.labels ?? {},
  };
}

/** GET/POST /api/rules and GET/PUT/DELETE /api/rules/:id: log alert rules. */
export function registerRuleRoutes(app: FastifyInstance, deps: AlertingDeps): void {
  const { store, now } = deps;
  const creator = (request: FastifyRequest) => ({
    createdBy: actorOf(request),
    createdAt: new Date(now()).toISOString(),
  });

  app.get(
    '/api/rules',
    {
      config: { permission: 'alerts_read' },
      schema: {
        summary: 'Log alert rules',
        tags: ['rules'],
        response: {
          200: {
            type: 'object',
            required: ['rules'],
            properties: { rules: { type: 'array', items: ruleSchema } },
          },
          ...errorResponses,
        },
      },
    },
    async () => ({ rules: await store.listRules() }),
  );

  app.get<{ Params: { id: string } }>(
    '/api/rules/:id',
    {
      config: { permission: 'alerts_read' },
      schema: {
        summary: 'One log alert rule',
        tags: ['rules'],
        params: idParams,
        response: { 200: ruleAnswer, ...notFound, ...errorResponses },
      },
    },
    async (request) => {
      const rule = await store.getRule(request.params.id);
      if (!rule) throw new NotFoundError(`No rule with id ${quoteId(request.params.id)}`);
      return { rule };
    },
  );

  app.post<{ Body: RuleInput }>(
    '/api/rules',
    {
      config: { permission: 'alert_rules', audit: true },
      schema: {
        summary:
          'Create a log alert rule: a query counted over a window, above/below a threshold or anomalous',
        tags: ['rules'],
        body: ruleInputSchema,
        response: { 201: ruleAnswer, ...errorResponses },
      },
    },
    async (request, reply) => {
      const rule = ruleOf(request.body, { id: randomUUID(), ...creator(request) });
      await store.saveRule(rule);
      return reply.status(201).send({ rule });
    },
  );

  app.put<{ Params: { id: string }; Body: RuleInput }>(
    '/api/rules/:id',
    {
      config: { permission: 'alert_rules', audit: true },
      schema: {
        summary: 'Replace a log alert rule',
        tags: ['rules'],
        params: idParams,
        body: ruleInputSchema,
        response: { 200: ruleAnswer, ...notFound, ...errorResponses },
      },
    },
    async (request) => {
      const existing = await store.getRule(request.params.id);
      if (!existing) throw new NotFoundError(`No rule with id ${quoteId(request.params.id)}`);
      const rule = ruleOf(request.body, existing);
      await store.saveRule(rule);
      return { rule };
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/api/rules/:id',
    {
      config: { permission: 'alert_rules', audit: true },
      schema: {
        summary: 'Delete a log alert rule',
        tags: ['rules'],
        params: idParams,
        response: { 204: { type: 'null', description: 'Deleted.' }, ...notFound, ...errorResponses },
      },
    },
    async (request, reply) => {
      if (!(await store.deleteRule(request.params.id)))
        throw new NotFoundError(`No rule with id ${quoteId(request.params.id)}`);
      return reply.status(204).send();
    },
  );
}
