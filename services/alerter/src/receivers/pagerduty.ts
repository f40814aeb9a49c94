import { createHash } from 'node:crypto';
import type { Notification, ReceiverConfig } from '@vigie/common';
import {
  boundedDigest,
  boundedLabels,
  dimensionText,
  evidenceTexts,
  headline,
  oneLine,
  safeLink,
  truncate,
} from './text.js';
import type { HttpRequestSpec, Receiver } from './types.js';
import { interpretAnswer, jsonBody, stringField } from './verdict.js';

// PagerDuty Events API v2 (POST /v2/enqueue). PagerDuty renders summary, source and
// custom_details as text, never as markup, so log text needs no escaping here; it is
// truncated to PagerDuty's limits (summary ≤ 1024, dedup_key ≤ 255, payload ≤ 512 KB).

type PagerDutyConfig = Extract<ReceiverConfig, { type: 'pagerduty' }>;

const SUMMARY_MAX = 1024;
const DEDUP_KEY_MAX = 255;
const FIELD_MAX = 255;

/** Vigie severity → PagerDuty's (critical, error, warning, info). */
const SEVERITY = { info: 'info', warning: 'warning', critical: 'critical' } as const;

/** The dedup key as PagerDuty accepts it (a longer one is hashed, keeping it stable). */
export function pagerDutyDedupKey(dedupKey: string): string {
  if (dedupKey.length <= DEDUP_KEY_MAX) return dedupKey;
  return `vigie-${createHash('sha256').update(dedupKey).digest('hex')}`;
}

/** The Events API v2 event for one notification. */
export function pagerDutyEvent(routingKey: string, n: Notification, now: number): Record<string, unknown> {
  const base = { routing_key: routingKey, dedup_key: pagerDutyDedupKey(n.dedupKey) };
  if (n.action === 'acknowledge') return { ...base, event_action: 'acknowledge' };
  if (n.action === 'resolve') return { ...base, event_action: 'resolve' };
  const link = safeLink(n.link);
  const evidence = evidenceTexts(n);
  const links = [
    ...(link ? [{ href: link, text: 'Open the incident in Vigie' }] : []),
    ...evidence.flatMap((e, i) =>
      e.link ? [{ href: e.link, text: `Logs of anomaly ${i + 1} in Vigie` }] : [],
    ),
  ];
  const payload: Record<string, unknown> = {
    summary: truncate(oneLine(`[${headline(n)}] ${n.title}: ${n.summary}`), SUMMARY_MAX),
    source: truncate(oneLine(n.service), FIELD_MAX) || 'vigie',
    severity: SEVERITY[n.severity],
    timestamp: new Date(now).toISOString(),
    class: truncate(oneLine([...new Set(n.evidence.map((e) => e.kind))].join(', ') || n.action), FIELD_MAX),
    custom_details: {
      incident: n.incidentId,
      status: n.status,
      service: n.service,
      ...(n.environment ? { environment: n.environment } : {}),
      opened_at: n.openedAt,
      ...(n.resolvedAt ? { resolved_at: n.resolvedAt } : {}),
      labels: boundedLabels(n.labels),
      evidence: evidence.map((e) => ({
        anomaly: e.heading,
        measure: e.measure,
        explanation: e.explanation,
        top_contributors: e.contributors,
        ...(e.template !== undefined ? { template: e.template } : {}),
        sample_lines: e.sampleLines,
        ...(e.link ? { logs: e.link } : {}),
      })),
      ...(n.digest
        ? {
            incidents: boundedDigest(n).map((d) => ({
              title: d.title,
              service: d.service,
              severity: d.severity,
              status: d.status,
              link: safeLink(d.link),
            })),
          }
        : {}),
    },
  };
  const first = n.evidence[0];
  if (first) payload.component = truncate(oneLine(dimensionText(first)), FIELD_MAX);
  if (n.environment) payload.group = truncate(oneLine(n.environment), FIELD_MAX);
  return {
    ...base,
    event_action: 'trigger',
    payload,
    links,
    client: 'Vigie',
    ...(link ? { client_url: link } : {}),
  };
}

/** A PagerDuty Events API v2 receiver. */
export function pagerDutyReceiver(config: PagerDutyConfig): Receiver {
  return {
    name: config.name,
    type: 'pagerduty',
    displayUrl: config.url,
    build(notification, now): HttpRequestSpec {
      return {
        url: config.url,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(pagerDutyEvent(config.routingKey, notification, now)),
      };
    },
    interpret(status, headers, body, now = Date.now()) {
      return interpretAnswer(status, headers, body, now, {
        accepted: (s) => s === 202,
        secrets: [config.routingKey],
        describe: (text) => {
          const parsed = jsonBody(text);
          const errors = (parsed as { errors?: unknown } | undefined)?.errors;
          const list = Array.isArray(errors) ? errors.filter((e) => typeof e === 'string').join('; ') : '';
          const head = [stringField(parsed, 'status'), stringField(parsed, 'message')]
            .filter(Boolean)
            .join(': ');
          return [head, list].filter(Boolean).join(' — ') || undefined;
        },
      });
    },
  };
}
