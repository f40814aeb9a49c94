import { isJson, type PeerAnswer, type PeerRequest, Problems, VendorPeer } from './vendor-peer.js';

// Prometheus Alertmanager's POST /api/v2/alerts as its OpenAPI spec and validation have it:
// an array of postable alerts, each with at least one label, label and annotation names
// matching [a-zA-Z_][a-zA-Z0-9_]* with string values, RFC 3339 startsAt/endsAt (endsAt not
// before startsAt), generatorURL a URI. 200 with an empty body; 400 with a JSON string.
// Optional basic auth (401 without it). The peer keeps the latest version of each alert
// (identified by its label set) so tests can ask which are active.

const NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export interface AlertmanagerPeerAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt?: string;
  generatorURL?: string;
}

export class AlertmanagerPeer extends VendorPeer {
  /** Latest version of each alert, by its sorted label set. */
  readonly alerts = new Map<string, AlertmanagerPeerAlert>();

  constructor(private readonly basicAuth?: { username: string; password: string }) {
    super();
  }

  /** Alerts not ended at `now`. */
  active(now: number): AlertmanagerPeerAlert[] {
    return [...this.alerts.values()].filter((a) => a.endsAt === undefined || Date.parse(a.endsAt) > now);
  }

  protected handle(request: PeerRequest): PeerAnswer & { accept: boolean } {
    const error = (status: number, message: string) => ({
      accept: false,
      status,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(message),
    });
    if (this.basicAuth) {
      const expected = `Basic ${Buffer.from(`${this.basicAuth.username}:${this.basicAuth.password}`).toString('base64')}`;
      if (request.headers.authorization !== expected) return error(401, 'Unauthorized');
    }
    if (request.method !== 'POST' || request.url !== '/api/v2/alerts') return error(404, 'path not found');
    if (!isJson(request.headers)) return error(415, 'Unsupported media type');
    const p = new Problems();
    if (p.array(request.json, 'alerts', 10000, true))
      for (const [i, alert] of request.json.entries()) validateAlert(alert, i, p);
    if (!p.ok) return error(400, p.list.join('; '));
    for (const alert of request.json as AlertmanagerPeerAlert[]) {
      const key = JSON.stringify(Object.entries(alert.labels).sort(([a], [b]) => a.localeCompare(b)));
      this.alerts.set(key, alert);
    }
    return { accept: true, status: 200, body: '' };
  }
}

function labelSet(value: unknown, path: string, p: Problems): number {
  if (!p.object(value, path, path.endsWith('labels'))) return 0;
  for (const [name, v] of Object.entries(value)) {
    if (!NAME.test(name)) p.add(`${path}: invalid name "${name}"`);
    if (typeof v !== 'string') p.add(`${path}: invalid value of "${name}"`);
  }
  return Object.keys(value).length;
}

function validateAlert(alert: unknown, i: number, p: Problems): void {
  const path = `alert ${i}`;
  if (!p.object(alert, path, true)) return;
  if (labelSet(alert.labels, `${path} labels`, p) === 0) p.add(`${path}: at least one label pair required`);
  labelSet(alert.annotations, `${path} annotations`, p);
  const startsAt = alert.startsAt === undefined ? Date.now() : Date.parse(String(alert.startsAt));
  const endsAt = alert.endsAt === undefined ? undefined : Date.parse(String(alert.endsAt));
  if (Number.isNaN(startsAt)) p.add(`${path}: startsAt is not RFC 3339`);
  if (endsAt !== undefined && Number.isNaN(endsAt)) p.add(`${path}: endsAt is not RFC 3339`);
  if (endsAt !== undefined && endsAt < startsAt) p.add(`${path}: start time must be before end time`);
  p.url(alert.generatorURL, `${path} generatorURL`);
}
