import type { Notification, ReceiverConfig, Severity } from '@vigie/common';
import {
  boundedLabels,
  displayUrlOf,
  evidenceLines,
  evidenceTexts,
  oneLine,
  safeLink,
  truncate,
} from './text.js';
import type { HttpRequestSpec, Receiver } from './types.js';
import { interpretAnswer, jsonBody } from './verdict.js';

// Prometheus Alertmanager API v2 (POST /api/v2/alerts, an array of postable alerts).
// Labels identify an alert, so they hold only stable values (alertname, service,
// environment, severity, dedup_key, configured labels); text goes in annotations, which
// Alertmanager's own templates render. Because severity is a label, an escalated incident
// is a new alert: every POST also ends the incident's alerts at the other severities
// (endsAt = now), and a resolve ends all of them. Alertmanager only notifies a resolved
// alert it had notified as firing, so ending one that never fired is silent.

type AlertmanagerConfig = Extract<ReceiverConfig, { type: 'alertmanager' }>;

/**
 * Firing alerts carry an endsAt this far ahead: Alertmanager resolves an alert whose endsAt
 * is absent after its resolve_timeout (5 minutes by default) unless the client re-sends it,
 * and Vigie sends on changes only; the resolve sets endsAt to now.
 */
export const FIRING_HORIZON_MS = 7 * 24 * 60 * 60_000;
const ANNOTATION_MAX = 4000;
const LABEL_VALUE_MAX = 1000;
const SEVERITIES: Severity[] = ['info', 'warning', 'critical'];

/** A label name Alertmanager accepts in every validation mode: [a-zA-Z_][a-zA-Z0-9_]*. */
export function labelName(name: string): string {
  const cleaned = name.replace(/[^a-zA-Z0-9_]/g, '_');
  return /^[a-zA-Z_]/.test(cleaned) ? cleaned : `_${cleaned}`;
}

function labelValue(value: string): string {
  return truncate(value, LABEL_VALUE_MAX);
}

function annotations(n: Notification): Record<string, string> {
  const out: Record<string, string> = {
    summary: truncate(oneLine(n.title), ANNOTATION_MAX),
    description: truncate(n.summary, ANNOTATION_MAX),
    status: n.status,
    incident: n.incidentId,
  };
  const link = safeLink(n.link);
  if (link) out.vigie_link = link;
  evidenceTexts(n).forEach((evidence, i) => {
    const text = evidenceLines(evidence).join('\n') + (evidence.link ? `\nLogs: ${evidence.link}` : '');
    out[`evidence_${i + 1}`] = truncate(text, ANNOTATION_MAX);
  });
  return out;
}

/** The postable alerts for one notification. */
export function alertmanagerAlerts(n: Notification, now: number): Array<Record<string, unknown>> {
  const stable: Record<string, string> = {};
  for (const [key, value] of Object.entries(boundedLabels(n.labels)))
    stable[labelName(key)] = labelValue(value);
  Object.assign(stable, {
    alertname: n.action === 'digest' ? 'VigieDigest' : 'VigieIncident',
    service: labelValue(n.service),
    ...(n.environment ? { environment: labelValue(n.environment) } : {}),
    dedup_key: labelValue(n.dedupKey),
  });
  const startsAt = n.openedAt;
  const ended = new Date(Math.max(now, Date.parse(startsAt) || now)).toISOString();
  const firing = n.action === 'trigger' || n.action === 'acknowledge' || n.action === 'digest';
  const link = safeLink(n.link);
  const common = { annotations: annotations(n), startsAt, ...(link ? { generatorURL: link } : {}) };
  return SEVERITIES.map((severity) => ({
    labels: { ...stable, severity },
    ...common,
    endsAt: firing && severity === n.severity ? new Date(now + FIRING_HORIZON_MS).toISOString() : ended,
  }));
}

/** An Alertmanager receiver. */
export function alertmanagerReceiver(config: AlertmanagerConfig): Receiver {
  const base = config.url.replace(/\/+$/, '');
  const auth =
    config.username !== undefined
      ? `Basic ${Buffer.from(`${config.username}:${config.password ?? ''}`).toString('base64')}`
      : undefined;
  return {
    name: config.name,
    type: 'alertmanager',
    displayUrl: displayUrlOf(`${base}/api/v2/alerts`, false),
    build(n, now): HttpRequestSpec {
      return {
        url: `${base}/api/v2/alerts`,
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
        body: JSON.stringify(alertmanagerAlerts(n, now)),
      };
    },
    interpret(status, headers, body, now = Date.now()) {
      return interpretAnswer(status, headers, body, now, {
        accepted: (s) => s === 200,
        secrets: [...(config.password ? [config.password] : []), ...(auth ? [auth] : [])],
        // Errors are a JSON string, e.g. "invalid label set: invalid name \"1x\"".
        describe: (text) => {
          const parsed = jsonBody(text);
          return typeof parsed === 'string' ? parsed : undefined;
        },
      });
    },
  };
}
