import type { Notification, ReceiverConfig } from '@vigie/common';
import {
  boundedDigest,
  boundedLabels,
  displayUrlOf,
  escapedWithin,
  escapeHtml,
  evidenceLines,
  evidenceTexts,
  headline,
  oneLine,
  safeLink,
  truncate,
} from './text.js';
import type { HttpRequestSpec, Receiver } from './types.js';
import { interpretAnswer, jsonBody, stringField } from './verdict.js';

// Opsgenie Alert API v2: create (POST /v2/alerts), acknowledge and close by alias
// (POST /v2/alerts/{alias}/acknowledge|close?identifierType=alias), `Authorization:
// GenieKey <key>`. Opsgenie renders HTML in message and description, so log text is
// HTML-escaped there. Limits: message 130, alias 512, description 15000, entity 512,
// source 100, 20 tags of 50, details 8000 characters in total, note 25000.

type OpsgenieConfig = Extract<ReceiverConfig, { type: 'opsgenie' }>;

const MESSAGE_MAX = 130;
const ALIAS_MAX = 512;
const DESCRIPTION_MAX = 15000;
const ENTITY_MAX = 512;
const TAG_MAX = 50;
const TAGS_MAX = 20;
const DETAILS_MAX = 8000;
const DETAIL_VALUE_MAX = 1000;

/** Vigie severity → Opsgenie priority (P1 highest … P5 lowest). */
const PRIORITY = { critical: 'P1', warning: 'P3', info: 'P5' } as const;

/** Tags are single words of at most 50 characters. */
function tag(text: string): string {
  return truncate(oneLine(text).replace(/[\s,]+/g, '_'), TAG_MAX);
}

/** Details: a string map, kept under Opsgenie's 8000-character total. */
function details(n: Notification): Record<string, string> {
  const entries: Array<[string, string]> = [
    ['incident', n.incidentId],
    ['status', n.status],
    ['severity', n.severity],
    ['service', n.service],
    ...(n.environment ? ([['environment', n.environment]] as Array<[string, string]>) : []),
    ['opened_at', n.openedAt],
    ...(n.resolvedAt ? ([['resolved_at', n.resolvedAt]] as Array<[string, string]>) : []),
    ...(safeLink(n.link) ? ([['vigie_link', safeLink(n.link) ?? '']] as Array<[string, string]>) : []),
    ...Object.entries(boundedLabels(n.labels)).map(([k, v]): [string, string] => [`label.${k}`, v]),
  ];
  const out: Record<string, string> = {};
  let total = 0;
  for (const [key, value] of entries) {
    const k = truncate(oneLine(key), 100);
    const v = truncate(oneLine(value), DETAIL_VALUE_MAX);
    if (total + k.length + v.length > DETAILS_MAX) break;
    out[k] = v;
    total += k.length + v.length;
  }
  return out;
}

function description(n: Notification): string {
  const parts = [n.summary];
  const link = safeLink(n.link);
  if (link) parts.push(`Incident in Vigie: ${link}`);
  for (const evidence of evidenceTexts(n)) {
    parts.push(evidenceLines(evidence).join('\n') + (evidence.link ? `\nLogs: ${evidence.link}` : ''));
  }
  for (const d of boundedDigest(n))
    parts.push(
      `${d.severity} ${oneLine(d.title)} (${oneLine(d.service)}, ${d.status}) ${safeLink(d.link) ?? ''}`,
    );
  return escapedWithin(parts.join('\n\n'), DESCRIPTION_MAX, escapeHtml);
}

/** The create-alert body for a trigger or digest. */
export function opsgenieAlert(config: OpsgenieConfig, n: Notification): Record<string, unknown> {
  const tags = ['vigie', n.service, n.severity, ...(n.environment ? [n.environment] : [])]
    .map(tag)
    .filter((t) => t !== '')
    .slice(0, TAGS_MAX);
  return {
    message: escapedWithin(oneLine(`[${headline(n)}] ${n.title}`), MESSAGE_MAX, escapeHtml),
    alias: truncate(n.dedupKey, ALIAS_MAX),
    description: description(n),
    ...(config.responders.length > 0
      ? {
          responders: config.responders.map((r) =>
            r.type === 'user' ? { type: 'user', username: r.name } : { type: r.type, name: r.name },
          ),
        }
      : {}),
    tags: [...new Set(tags)],
    details: details(n),
    entity: escapedWithin(oneLine(n.service), ENTITY_MAX, escapeHtml),
    source: 'Vigie',
    priority: PRIORITY[n.severity],
  };
}

/** An Opsgenie Alert API receiver. */
export function opsgenieReceiver(config: OpsgenieConfig): Receiver {
  const base = config.url.replace(/\/+$/, '');
  return {
    name: config.name,
    type: 'opsgenie',
    displayUrl: displayUrlOf(base, false),
    build(n, now): HttpRequestSpec {
      const headers = { 'content-type': 'application/json', authorization: `GenieKey ${config.apiKey}` };
      if (n.action === 'acknowledge' || n.action === 'resolve') {
        const verb = n.action === 'acknowledge' ? 'acknowledge' : 'close';
        const alias = encodeURIComponent(truncate(n.dedupKey, ALIAS_MAX));
        const note = n.action === 'acknowledge' ? 'Acknowledged in Vigie.' : 'Resolved in Vigie.';
        return {
          url: `${base}/v2/alerts/${alias}/${verb}?identifierType=alias`,
          method: 'POST',
          headers,
          body: JSON.stringify({ source: 'Vigie', note: `${note} (${new Date(now).toISOString()})` }),
        };
      }
      return {
        url: `${base}/v2/alerts`,
        method: 'POST',
        headers,
        body: JSON.stringify(opsgenieAlert(config, n)),
      };
    },
    interpret(status, headers, body, now = Date.now()) {
      return interpretAnswer(status, headers, body, now, {
        accepted: (s) => s === 202,
        secrets: [config.apiKey],
        describe: (text) => {
          // Errors: {"message": "Request body is not processable…", "errors": {"field": "why"}}.
          const parsed = jsonBody(text);
          const errors = (parsed as { errors?: unknown } | undefined)?.errors;
          const fields =
            errors && typeof errors === 'object'
              ? Object.entries(errors as Record<string, unknown>)
                  .map(([k, v]) => `${k}: ${String(v)}`)
                  .join('; ')
              : '';
          return [stringField(parsed, 'message'), fields].filter(Boolean).join(' — ') || undefined;
        },
      });
    },
  };
}
