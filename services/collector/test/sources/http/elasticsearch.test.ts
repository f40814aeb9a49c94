import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { appPerTest, BackpressureError, ndjson } from './helpers.js';

const setup = appPerTest();

const headers = { 'content-type': 'application/x-ndjson' };

describe('Elasticsearch _bulk', () => {
  it('takes index and create actions, and refuses delete and update per item', async () => {
    const { app, sink } = await setup();
    const response = await app.inject({
      method: 'POST',
      url: '/_bulk',
      headers,
      payload: ndjson(
        { index: { _index: 'filebeat-8', _id: 'a1' } },
        {
          '@timestamp': '2026-11-28T12:00:00Z',
          message: 'one',
          'log.level': 'info',
          host: { name: 'web-1' },
        },
        { delete: { _index: 'filebeat-8', _id: 'old' } },
        { update: { _index: 'filebeat-8', _id: 'u1' } },
        { doc: { message: 'changed' } },
        { create: { _index: 'logs' } },
        { message: 'two', service: { name: 'shop' } },
      ),
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['x-elastic-product']).toBe('Elasticsearch');
    const body = response.json();
    expect(body.errors).toBe(true);
    expect(body.items).toHaveLength(4);
    expect(body.items[0]).toEqual({
      index: expect.objectContaining({ _index: 'filebeat-8', _id: 'a1', status: 201, result: 'created' }),
    });
    expect(body.items[1].delete).toMatchObject({
      _id: 'old',
      status: 400,
      error: { type: 'illegal_argument_exception' },
    });
    expect(body.items[2].update).toMatchObject({ _id: 'u1', status: 400 });
    expect(body.items[3].create).toMatchObject({ _index: 'logs', status: 201, result: 'created' });
    expect(body.items[3].create._id).toMatch(/^[\w-]{10,}$/);
    expect(sink.eventCalls.every((e) => e.source === 'http-elasticsearch')).toBe(true);
    expect(sink.events).toHaveLength(2);
    expect(sink.events[0]).toMatchObject({
      message: 'one',
      log: { level: 'info' },
      host: { name: 'web-1' },
      event: { sequence: 0 },
      vigie: { source: 'http-elasticsearch' },
    });
    expect(sink.events[1]).toMatchObject({
      message: 'two',
      service: { name: 'shop' },
      event: { sequence: 1 },
    });
  });

  it('uses the index of the path, hands message-only documents to the line parsers, and says errors: false', async () => {
    const { app, sink } = await setup();
    const response = await app.inject({
      method: 'PUT',
      url: '/syslog-2026.11.28/_bulk?refresh=false',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      payload: gzipSync(
        ndjson(
          { index: {} },
          { message: '<34>Oct 11 22:14:15 mymachine su: failed' },
          { create: {} },
          '{"message":"x", "level":"warn"}',
        ),
      ),
    });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.errors).toBe(false);
    expect(body.items.map((i: Record<string, { _index: string }>) => Object.values(i)[0]?._index)).toEqual([
      'syslog-2026.11.28',
      'syslog-2026.11.28',
    ]);
    expect(sink.lines).toHaveLength(1);
    expect(sink.lineCalls[0]?.source).toBe('http-elasticsearch');
    expect(sink.lines[0]).toMatchObject({
      text: '<34>Oct 11 22:14:15 mymachine su: failed',
      origin: { source: 'http-elasticsearch', sequence: 0 },
      hints: { service: 'default-svc' },
    });
    expect(sink.lines[0]?.origin.stream).toMatch(/^http:/);
    expect(sink.events).toMatchObject([{ message: 'x', log: { level: 'warn' }, event: { sequence: 1 } }]);
  });

  it('keeps a document that is not JSON as text, and refuses a malformed action line with its number', async () => {
    const { app, sink } = await setup();
    const kept = await app.inject({
      method: 'POST',
      url: '/logs/_bulk',
      headers,
      payload: ndjson({ index: {} }, 'not json {'),
    });
    expect(kept.statusCode).toBe(200);
    expect(sink.events[0]).toMatchObject({
      message: 'not json {',
      vigie: { parse_error: expect.stringMatching(/^invalid JSON/) },
    });

    const refused = await app.inject({
      method: 'POST',
      url: '/_bulk',
      headers,
      payload: ndjson(
        { index: { _index: 'a' } },
        { message: 'fine' },
        { index: 'oops' },
        { message: 'never' },
      ),
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toMatchObject({ status: 400, error: { type: 'illegal_argument_exception' } });
    expect(refused.json().error.reason).toMatch(/^line 3: expected an action line/);
    const missing = await app.inject({
      method: 'POST',
      url: '/_bulk',
      headers,
      payload: ndjson({ index: { _index: 'a' } }),
    });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.reason).toMatch(/^line 1: the index action has no document line/);
    expect(sink.events).toHaveLength(1);
  });

  it("reads the fields of rsyslog omelasticsearch's default template", async () => {
    const { app, sink } = await setup();
    const doc = {
      message: ' disk almost full',
      fromhost: 'db-2',
      facility: 'local0',
      priority: 'warning',
      timereported: '2026-11-28T12:00:00.148936+00:00',
      timegenerated: '2026-11-28T12:00:01.000000+00:00',
    };
    const response = await app.inject({
      method: 'POST',
      url: '/_bulk',
      headers,
      payload: ndjson({ index: { _index: 'system', _type: 'events' } }, doc),
    });
    expect(response.json().errors).toBe(false);
    expect(sink.events[0]).toMatchObject({
      '@timestamp': '2026-11-28T12:00:00.148Z',
      message: ' disk almost full',
      host: { name: 'db-2' },
      log: { level: 'warn', syslog: { facility: { name: 'local0' } } },
      attributes: { rsyslog: { timegenerated: doc.timegenerated } },
    });
  });

  it('gives an error item when no index is named anywhere', async () => {
    const { app, sink } = await setup();
    const response = await app.inject({
      method: 'POST',
      url: '/_bulk',
      headers,
      payload: ndjson({ index: {} }, { message: 'a', x: 1 }),
    });
    expect(response.json()).toMatchObject({
      errors: true,
      items: [{ index: { status: 400, error: { type: 'action_request_validation_exception' } } }],
    });
    expect(sink.events).toHaveLength(0);
  });

  it('answers 503 with Retry-After when the sink pushes back (shippers retry the batch)', async () => {
    const { app, sink } = await setup();
    sink.refuse(new BackpressureError('spool full', 2));
    const response = await app.inject({
      method: 'POST',
      url: '/_bulk',
      headers,
      payload: ndjson({ index: { _index: 'a' } }, { message: 'm', a: 1 }),
    });
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('2');
  });

  it('asks ES shippers for the token too', async () => {
    const { app } = await setup({ token: 'a-long-enough-ingest-token' });
    const denied = await app.inject({ method: 'GET', url: '/' });
    expect(denied.statusCode).toBe(401);
    expect(denied.json()).toMatchObject({ status: 401, error: { type: 'security_exception' } });
    expect(denied.headers['x-elastic-product']).toBe('Elasticsearch');
    const basic = Buffer.from('elastic:a-long-enough-ingest-token').toString('base64');
    const allowed = await app.inject({
      method: 'GET',
      url: '/',
      headers: { authorization: `Basic ${basic}` },
    });
    expect(allowed.statusCode).toBe(200);
  });
});

describe('Elasticsearch calls shippers make before _bulk', () => {
  it('answers cluster info with an 8.x version, and HEAD /', async () => {
    const { app } = await setup();
    const info = await app.inject({ method: 'GET', url: '/' });
    expect(info.statusCode).toBe(200);
    expect(info.headers['x-elastic-product']).toBe('Elasticsearch');
    expect(info.json().version.number).toMatch(/^8\.\d+\.\d+$/);
    expect(info.json().tagline).toBe('You Know, for Search');
    expect((await app.inject({ method: 'HEAD', url: '/' })).statusCode).toBe(200);
  });

  it('answers license, xpack, nodes, cluster health and template checks harmlessly', async () => {
    const { app, sink } = await setup();
    expect((await app.inject({ method: 'GET', url: '/_license' })).json().license.status).toBe('active');
    expect((await app.inject({ method: 'GET', url: '/_xpack' })).json().license.mode).toBe('basic');
    expect((await app.inject({ method: 'GET', url: '/_nodes/http' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/_cluster/health' })).json().status).toBe('green');
    expect((await app.inject({ method: 'GET', url: '/_cat/templates/filebeat*' })).body).toBe('');
    expect((await app.inject({ method: 'GET', url: '/_index_template/filebeat-8' })).json()).toEqual({
      index_templates: [],
    });
    expect((await app.inject({ method: 'HEAD', url: '/_template/logstash' })).statusCode).toBe(200);
    const put = await app.inject({
      method: 'PUT',
      url: '/_index_template/filebeat-8',
      payload: { index_patterns: ['x'] },
    });
    expect(put.json()).toEqual({ acknowledged: true });
    expect((await app.inject({ method: 'PUT', url: '/_ilm/policy/filebeat', payload: {} })).json()).toEqual({
      acknowledged: true,
    });
    expect(sink.events).toHaveLength(0);
  });
});
