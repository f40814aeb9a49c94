import type { Notification, ReceiverConfig } from '@vigie/common';
import {
  boundedDigest,
  displayUrlOf,
  escapedWithin,
  escapeTeamsMarkdown,
  evidenceTexts,
  headline,
  oneLine,
  safeLink,
  truncate,
  urlPath,
} from './text.js';
import type { HttpRequestSpec, Receiver } from './types.js';
import { interpretAnswer } from './verdict.js';

// Microsoft Teams incoming webhook (connector or Workflows): a message whose attachment is
// an Adaptive Card (contentType application/vnd.microsoft.card.adaptive). TextBlock and
// FactSet text is Markdown (bold, italic, lists, links), so log text is backslash-escaped;
// the card is built as an object and serialised once, so JSON fragments in logs stay
// strings. Links are Action.OpenUrl targets, never Markdown. Teams refuses messages over
// 28 KB: evidence is dropped from the end until the body fits.

type TeamsConfig = Extract<ReceiverConfig, { type: 'teams' }>;

const BODY_MAX = 27 * 1024;
const TEXT_MAX = 2000;
const TITLE_MAX = 400;
const COLOR = { info: 'Accent', warning: 'Warning', critical: 'Attention' } as const;

function text(value: string, options: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'TextBlock',
    text: escapedWithin(value, TEXT_MAX, escapeTeamsMarkdown),
    wrap: true,
    ...options,
  };
}

function fact(title: string, value: string): { title: string; value: string } {
  return { title, value: escapedWithin(oneLine(value), TEXT_MAX, escapeTeamsMarkdown) };
}

/** The Teams message for one notification, keeping at most `keep` evidence and digest items. */
export function teamsMessage(
  n: Notification,
  keep: { evidence: number; digest: number } = {
    evidence: Number.POSITIVE_INFINITY,
    digest: Number.POSITIVE_INFINITY,
  },
): Record<string, unknown> {
  const link = safeLink(n.link);
  const evidence = evidenceTexts(n).slice(0, keep.evidence);
  const body: Record<string, unknown>[] = [
    text(truncate(`${headline(n)} · ${oneLine(n.title)}`, TITLE_MAX), {
      size: 'Large',
      weight: 'Bolder',
      color: n.action === 'resolve' ? 'Good' : COLOR[n.severity],
    }),
    text(n.summary),
    {
      type: 'FactSet',
      facts: [
        fact('Service', n.service),
        ...(n.environment ? [fact('Environment', n.environment)] : []),
        fact('Status', n.status),
        fact('Severity', n.severity),
        fact('Opened', n.openedAt),
        ...(n.resolvedAt ? [fact('Resolved', n.resolvedAt)] : []),
      ],
    },
  ];
  for (const e of evidence) {
    const items: Record<string, unknown>[] = [
      text(e.heading, { weight: 'Bolder' }),
      text(e.measure),
      ...(e.explanation ? [text(e.explanation)] : []),
      ...e.contributors.map((c) => text(`Top contributor: ${c}`, { isSubtle: true })),
      ...(e.template !== undefined ? [text(`Template: ${e.template}`, { fontType: 'Monospace' })] : []),
      ...e.sampleLines.map((line) => text(line, { fontType: 'Monospace', isSubtle: true })),
    ];
    body.push({ type: 'Container', separator: true, items });
  }
  for (const d of boundedDigest(n).slice(0, keep.digest))
    body.push(text(`${d.severity}: ${oneLine(d.title)} (${oneLine(d.service)}, ${d.status})`));
  const actions = [
    ...(link ? [{ type: 'Action.OpenUrl', title: 'Open in Vigie', url: link }] : []),
    ...evidence.flatMap((e, i) =>
      e.link ? [{ type: 'Action.OpenUrl', title: `Logs of anomaly ${i + 1}`, url: e.link }] : [],
    ),
  ];
  return {
    type: 'message',
    summary: truncate(oneLine(`${headline(n)} ${n.title}`), 150),
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body,
          ...(actions.length > 0 ? { actions } : {}),
          msteams: { width: 'Full' },
        },
      },
    ],
  };
}

/** The serialised message, with digest items then evidence dropped until it fits Teams' limit. */
export function teamsBody(n: Notification): string {
  const keep = { evidence: evidenceTexts(n).length, digest: boundedDigest(n).length };
  let body = JSON.stringify(teamsMessage(n, keep));
  while (Buffer.byteLength(body) > BODY_MAX && keep.evidence + keep.digest > 0) {
    if (keep.digest > 0) keep.digest -= 1;
    else keep.evidence -= 1;
    body = JSON.stringify(teamsMessage(n, keep));
  }
  return body;
}

/** A Microsoft Teams webhook receiver. */
export function teamsReceiver(config: TeamsConfig): Receiver {
  return {
    name: config.name,
    type: 'teams',
    displayUrl: displayUrlOf(config.url, true),
    build(n): HttpRequestSpec {
      return {
        url: config.url,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: teamsBody(n),
      };
    },
    interpret(status, headers, body, now = Date.now()) {
      return interpretAnswer(status, headers, body, now, {
        // Connectors answer 200 "1"; Workflows answer 202. Connectors report throttling
        // in a 200 body ("Microsoft Teams endpoint returned HTTP error 429"), as documented.
        accepted: (s) => s === 200 || s === 202,
        throttledIn2xx: (text) => /returned HTTP error 429/.test(text),
        secrets: [config.url, urlPath(config.url)],
      });
    },
  };
}
