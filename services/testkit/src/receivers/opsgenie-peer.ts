import { randomUUID } from 'node:crypto';
import { isJson, type PeerAnswer, type PeerRequest, Problems, VendorPeer } from './vendor-peer.js';

// Opsgenie Alert API v2 as documented: `Authorization: GenieKey <key>` (401 otherwise);
// POST /v2/alerts creates (message required ≤ 130, alias ≤ 512, description ≤ 15000,
// responders [{type team|user|escalation|schedule, id|name|username}], visibleTo, ≤ 10
// actions of ≤ 50, ≤ 20 tags of ≤ 50, details a string map ≤ 8000 characters in total,
// entity ≤ 512, source ≤ 100, priority P1–P5, user ≤ 100, note ≤ 25000); POST
// /v2/alerts/{identifier}/acknowledge|close?identifierType=id|alias|tiny with optional
// user, source, note. Every accepted request: 202 {"result":"Request will be processed",
// "took":…,"requestId":…}; invalid: 422 {"message":"Request body is not processable…",
// "errors":{…}}. The peer keeps the alerts' state by alias for assertions.

export interface OpsgenieAlertState {
  alias: string;
  message: string;
  priority: string;
  status: 'open' | 'closed';
  acknowledged: boolean;
  count: number;
}

export class OpsgeniePeer extends VendorPeer {
  /** Alerts by alias (what Opsgenie would show). */
  readonly alerts = new Map<string, OpsgenieAlertState>();

  constructor(private readonly apiKey: string) {
    super();
  }

  protected handle(request: PeerRequest): PeerAnswer & { accept: boolean } {
    const json = (status: number, body: Record<string, unknown>, accept = false) => ({
      accept,
      status,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...body, took: 0.01, requestId: randomUUID() }),
    });
    if (request.headers.authorization !== `GenieKey ${this.apiKey}`) {
      return json(401, { message: 'Could not authenticate' });
    }
    const url = new URL(request.url, 'http://peer');
    const action = /^\/v2\/alerts\/([^/]+)\/(acknowledge|close)$/.exec(url.pathname);
    if (request.method !== 'POST' || (url.pathname !== '/v2/alerts' && !action)) {
      return json(404, { message: 'Could not find the requested resource' });
    }
    if (!isJson(request.headers) || typeof request.json !== 'object' || request.json === null) {
      return json(400, { message: 'Invalid JSON body' });
    }
    const body = request.json as Record<string, unknown>;
    const p = new Problems();
    if (action) this.validateAction(body, url, p);
    else this.validateCreate(body, p);
    if (!p.ok) {
      const errors = Object.fromEntries(
        p.list.map((problem, i) => [problem.split(' ')[0] ?? `error${i}`, problem]),
      );
      return json(422, { message: 'Request body is not processable. Please check the errors.', errors });
    }
    if (action) this.applyAction(decodeURIComponent(action[1] ?? ''), action[2] ?? '');
    else this.applyCreate(body);
    return json(202, { result: 'Request will be processed' }, true);
  }

  private validateCreate(body: Record<string, unknown>, p: Problems): void {
    p.string(body.message, 'message', 130, { required: true });
    p.string(body.alias, 'alias', 512);
    p.string(body.description, 'description', 15000);
    p.string(body.entity, 'entity', 512);
    p.string(body.source, 'source', 100);
    p.string(body.user, 'user', 100);
    p.string(body.note, 'note', 25000);
    p.oneOf(body.priority, 'priority', ['P1', 'P2', 'P3', 'P4', 'P5']);
    for (const key of ['responders', 'visibleTo'] as const) {
      if (p.array(body[key], key, 50)) {
        for (const [i, r] of body[key].entries()) {
          if (!p.object(r, `${key}[${i}]`, true)) return;
          p.oneOf(r.type, `${key}[${i}].type`, ['team', 'user', 'escalation', 'schedule'], true);
          const named = r.type === 'user' ? (r.id ?? r.username) : (r.id ?? r.name);
          if (typeof named !== 'string' || named === '')
            p.add(`${key}[${i}] needs an id or a ${r.type === 'user' ? 'username' : 'name'}`);
        }
      }
    }
    if (p.array(body.actions, 'actions', 10))
      for (const [i, a] of body.actions.entries()) p.string(a, `actions[${i}]`, 50, { required: true });
    if (p.array(body.tags, 'tags', 20))
      for (const [i, t] of body.tags.entries()) p.string(t, `tags[${i}]`, 50, { required: true });
    if (p.object(body.details, 'details')) {
      let total = 0;
      for (const [key, value] of Object.entries(body.details)) {
        if (typeof value !== 'string') p.add(`details.${key} must be a string`);
        total += key.length + String(value).length;
      }
      if (total > 8000) p.add(`details exceed 8000 characters in total (${total})`);
    }
  }

  private validateAction(body: Record<string, unknown>, url: URL, p: Problems): void {
    p.oneOf(url.searchParams.get('identifierType') ?? 'id', 'identifierType', ['id', 'alias', 'tiny']);
    p.string(body.user, 'user', 100);
    p.string(body.source, 'source', 100);
    p.string(body.note, 'note', 25000);
  }

  private applyCreate(body: Record<string, unknown>): void {
    const alias = typeof body.alias === 'string' ? body.alias : String(body.message);
    const existing = this.alerts.get(alias);
    if (existing && existing.status === 'open') {
      existing.count += 1;
      return;
    }
    this.alerts.set(alias, {
      alias,
      message: String(body.message),
      priority: typeof body.priority === 'string' ? body.priority : 'P3',
      status: 'open',
      acknowledged: false,
      count: 1,
    });
  }

  private applyAction(alias: string, verb: string): void {
    const alert = this.alerts.get(alias);
    if (!alert) return;
    if (verb === 'close') alert.status = 'closed';
    else alert.acknowledged = true;
  }
}
