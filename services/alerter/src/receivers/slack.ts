import type { Notification, ReceiverConfig } from '@vigie/common';
import {
  boundedDigest,
  displayUrlOf,
  type EvidenceText,
  escapedWithin,
  escapeSlack,
  evidenceLines,
  evidenceTexts,
  headline,
  oneLine,
  safeLink,
  urlPath,
} from './text.js';
import type { HttpRequestSpec, Receiver } from './types.js';
import { interpretAnswer } from './verdict.js';

// Slack incoming webhook with Block Kit. Text from logs goes into plain_text objects (no
// mrkdwn, so `*bold*` and `[x](y)` stay literal) and is still escaped for &, < and >, the
// characters Slack parses everywhere (`<!channel>`, `<@U123>`, `<url|text>`). Links are
// button URLs, never mrkdwn, so a link cannot be forged from log text. Limits: header
// 150, section text 3000, field 2000, button text 75, button URL 3000, 50 blocks.

type SlackConfig = Extract<ReceiverConfig, { type: 'slack' }>;

const HEADER_MAX = 150;
const SECTION_MAX = 3000;
const FIELD_MAX = 2000;
const FALLBACK_MAX = 500;
const BUTTON_URL_MAX = 3000;

const ICON = { info: '🔵', warning: '🟠', critical: '🔴' } as const;

/** Plain text for a Slack text object: truncated first, then escaped (escapes stay whole). */
function plain(text: string, max: number): { type: 'plain_text'; text: string; emoji: boolean } {
  return { type: 'plain_text', text: escapedWithin(text, max, escapeSlack), emoji: false };
}

function button(text: string, url: string | undefined): Record<string, unknown>[] {
  if (!url || url.length > BUTTON_URL_MAX) return [];
  return [{ type: 'button', text: { type: 'plain_text', text, emoji: false }, url }];
}

function evidenceBlock(evidence: EvidenceText): Record<string, unknown> {
  return { type: 'section', text: plain(evidenceLines(evidence).join('\n'), SECTION_MAX) };
}

/** The Block Kit message for one notification. */
export function slackMessage(n: Notification): Record<string, unknown> {
  const icon = n.action === 'resolve' ? '✅' : ICON[n.severity];
  const title = `${icon} ${headline(n)} · ${oneLine(n.title)}`;
  const evidence = evidenceTexts(n);
  const link = safeLink(n.link);
  const fields = [
    `Service: ${oneLine(n.service)}`,
    ...(n.environment ? [`Environment: ${oneLine(n.environment)}`] : []),
    `Status: ${n.status}`,
    `Severity: ${n.severity}`,
    `Opened: ${n.openedAt}`,
    ...(n.resolvedAt ? [`Resolved: ${n.resolvedAt}`] : []),
  ].map((text) => plain(text, FIELD_MAX));
  const digest = boundedDigest(n).map((d) => {
    const open = button('Open', safeLink(d.link))[0];
    const text = `${ICON[d.severity]} ${oneLine(d.title)} (${oneLine(d.service)}, ${d.status})\n${oneLine(d.summary)}`;
    return { type: 'section', text: plain(text, SECTION_MAX), ...(open ? { accessory: open } : {}) };
  });
  const actions = [
    ...button('Open in Vigie', link),
    ...evidence.flatMap((e, i) => button(`Logs of anomaly ${i + 1}`, e.link)),
  ];
  const blocks: Record<string, unknown>[] = [
    { type: 'header', text: plain(title, HEADER_MAX) },
    { type: 'section', text: plain(n.summary, SECTION_MAX) },
    { type: 'section', fields },
    ...evidence.map(evidenceBlock),
    ...digest,
    ...(actions.length > 0 ? [{ type: 'actions', elements: actions }] : []),
    { type: 'context', elements: [plain(`Vigie incident ${n.incidentId}`, FIELD_MAX)] },
  ];
  return {
    text: escapedWithin(oneLine(`[${headline(n)}] ${n.title}: ${n.summary}`), FALLBACK_MAX, escapeSlack),
    // The fallback text (notifications, screen readers) is not mrkdwn either.
    mrkdwn: false,
    blocks: blocks.slice(0, 50),
  };
}

/** A Slack incoming-webhook receiver. */
export function slackReceiver(config: SlackConfig): Receiver {
  return {
    name: config.name,
    type: 'slack',
    displayUrl: displayUrlOf(config.url, true),
    build(notification): HttpRequestSpec {
      return {
        url: config.url,
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify(slackMessage(notification)),
      };
    },
    interpret(status, headers, body, now = Date.now()) {
      return interpretAnswer(status, headers, body, now, {
        // Incoming webhooks answer 200 with the body "ok"; errors are short tokens such as
        // invalid_payload (400), action_prohibited (403), channel_not_found (404).
        accepted: (s, text) => s === 200 && text.trim() === 'ok',
        secrets: [config.url, urlPath(config.url)],
      });
    },
  };
}
