import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { bodyText } from '../body.js';
import { readBulk } from '../bulk.js';
import { deliver, eventContext, type RouteContext } from '../context.js';
import { SOURCE_IDS } from '../options.js';

// Shippers refuse clusters older than themselves or of another major: claim a recent 8.x.
const VERSION = '8.19.0';
const Anything = Type.Object({}, { additionalProperties: true });
const Index = Type.Object({
  index: Type.String({ minLength: 1, description: 'Index named by the client.' }),
});
const Name = Type.Object({ name: Type.String({ description: 'Template or policy name.' }) });

const BulkResponse = Type.Object({
  took: Type.Integer({ description: 'Milliseconds spent, including the wait for durability.' }),
  errors: Type.Boolean({ description: 'True when some action was refused.' }),
  items: Type.Array(Type.Record(Type.String(), Anything), {
    description: 'One result per action, in order.',
  }),
});

// Error types Elasticsearch uses for these statuses; shippers log them as they are.
const ERROR_TYPES: Record<number, string> = {
  400: 'illegal_argument_exception',
  401: 'security_exception',
  404: 'resource_not_found_exception',
  413: 'content_too_long_exception',
  415: 'media_type_header_exception',
  503: 'es_rejected_execution_exception',
};

/** Vigie's error body `{ statusCode, error, message }` in Elasticsearch's shape. */
function elasticsearchError(status: number, payload: string): string {
  let reason = payload;
  try {
    const body = JSON.parse(payload) as { message?: unknown };
    if (typeof body.message === 'string') reason = body.message;
  } catch {
    // Not JSON: the text is the reason.
  }
  const type = ERROR_TYPES[status] ?? 'exception';
  return JSON.stringify({ error: { root_cause: [{ type, reason }], type, reason }, status });
}

/**
 * Elasticsearch compatibility, enough for Filebeat, Fluent Bit, Vector, Logstash and
 * rsyslog omelasticsearch: `_bulk` (with or without an index in the path) and the calls
 * shippers make first (cluster info, license, template and ILM checks), answered so
 * that they carry on without setting anything up. Every answer has the
 * `X-Elastic-Product` header that Elastic's own clients check.
 */
export const elasticsearchRoutes: FastifyPluginAsync<{ context: RouteContext }> = async (
  app,
  { context },
) => {
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('x-elastic-product', 'Elasticsearch');
    return reply.statusCode >= 400 && typeof payload === 'string'
      ? elasticsearchError(reply.statusCode, payload)
      : payload;
  });

  const bulk = async (index: string | undefined, request: Parameters<typeof eventContext>[0]) => {
    const started = Date.now();
    const base = eventContext(request, SOURCE_IDS.elasticsearch, context.defaultService);
    const batch = readBulk(bodyText(request), index, base);
    await deliver(context, '/_bulk', SOURCE_IDS.elasticsearch, batch.events, batch.lines);
    const errors = batch.items.some((item) => Object.values(item).some((result) => result.status !== 201));
    return { took: Date.now() - started, errors, items: batch.items };
  };
  const bulkSchema = { response: { 200: BulkResponse } };
  app.post('/_bulk', { schema: bulkSchema }, async (request) => bulk(undefined, request));
  app.put('/_bulk', { schema: bulkSchema }, async (request) => bulk(undefined, request));
  const indexedSchema = { params: Index, response: { 200: BulkResponse } };
  app.post('/:index/_bulk', { schema: indexedSchema }, async (request) =>
    bulk((request.params as { index: string }).index, request),
  );
  app.put('/:index/_bulk', { schema: indexedSchema }, async (request) =>
    bulk((request.params as { index: string }).index, request),
  );

  const info = () => ({
    name: context.hostName,
    cluster_name: 'vigie',
    cluster_uuid: 'vigie',
    version: {
      number: VERSION,
      build_flavor: 'default',
      build_type: 'vigie',
      build_snapshot: false,
      lucene_version: '9.12.0',
      minimum_wire_compatibility_version: '7.17.0',
      minimum_index_compatibility_version: '7.0.0',
    },
    tagline: 'You Know, for Search',
  });
  const license = { status: 'active', uid: 'vigie', type: 'basic', issue_date_in_millis: 0 };
  const plain = { response: { 200: Anything } };
  app.get('/', { schema: plain }, async () => info());
  app.get('/_license', { schema: plain }, async () => ({ license }));
  app.get('/_xpack', { schema: plain }, async () => ({
    build: { hash: 'vigie', date: '1970-01-01T00:00:00.000Z' },
    license: { uid: 'vigie', type: 'basic', mode: 'basic', status: 'active' },
    features: {},
  }));
  app.get('/_cluster/health', { schema: plain }, async () => ({
    cluster_name: 'vigie',
    status: 'green',
    timed_out: false,
    number_of_nodes: 1,
    number_of_data_nodes: 1,
  }));
  app.get('/_nodes/http', { schema: plain }, async () => ({
    _nodes: { total: 1, successful: 1, failed: 0 },
    cluster_name: 'vigie',
    nodes: { vigie: { name: context.hostName, version: VERSION, roles: ['data', 'ingest', 'master'] } },
  }));

  // Template and ILM set-up: answered as done, since Vigie owns its storage mapping.
  // HEAD checks are answered by the GET routes (fastify's exposeHeadRoutes).
  const catText = { response: { 200: Type.String({ description: 'No templates: an empty table.' }) } };
  app.get('/_cat/templates', { schema: catText }, async (_request, reply) =>
    reply.type('text/plain').send(''),
  );
  app.get('/_cat/templates/:name', { schema: { params: Name, ...catText } }, async (_request, reply) =>
    reply.type('text/plain').send(''),
  );
  for (const prefix of ['/_index_template', '/_template', '/_ilm/policy', '/_component_template']) {
    app.get(`${prefix}/:name`, { schema: { params: Name, ...plain } }, async () =>
      prefix === '/_index_template' ? { index_templates: [] } : {},
    );
    app.put(`${prefix}/:name`, { schema: { params: Name, ...plain } }, async () => ({ acknowledged: true }));
  }
};
