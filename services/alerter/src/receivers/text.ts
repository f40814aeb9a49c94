import type { Notification, NotificationEvidence } from '@vigie/common';

// Text helpers shared by the receivers. Everything that comes from logs (titles, summaries,
// services, labels, contributors, templates, sample lines) is attacker-controlled: each
// receiver escapes it for its own markup with the escapers below, after truncation, so
// an escape sequence is never cut in half.

/** Cuts to at most `max` characters (UTF-16 units, as vendors count), ending with "…". */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = max - 1;
  // Never split a surrogate pair: a lone surrogate is invalid UTF-8 on the wire.
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  return `${text.slice(0, Math.max(0, cut))}…`;
}

/** Collapses newlines and other control characters to spaces (for one-line fields). */
export function oneLine(text: string): string {
  return text.replace(/[\p{Cc}\u2028\u2029]+/gu, ' ').trim();
}

/** Slack mrkdwn and plain_text: only &, < and > are control characters (Slack's escaping rules). */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** HTML text and attribute escaping (Opsgenie renders HTML in message and description). */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * Adaptive Card TextBlock Markdown: bold, italic, lists and links are the supported subset,
 * plus `{{DATE()}}`/`{{TIME()}}` functions. Backslash-escaping the punctuation that can open
 * any of them (CommonMark backslash escapes), and list markers at the start of a line,
 * leaves the text shown as written.
 */
export function escapeTeamsMarkdown(text: string): string {
  return text
    .replace(/[\\`*_{}[\]<>~]/g, (c) => `\\${c}`)
    .replace(/^(\s*)([-+])/gm, '$1\\$2')
    .replace(/^(\s*\d+)([.)])/gm, '$1\\$2');
}

/** The link when it is an absolute http(s) URL, else undefined (no javascript: or data: links). */
export function safeLink(link: string | undefined): string | undefined {
  if (!link) return undefined;
  try {
    const url = new URL(link);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/** The URL without credentials, query or fragment; with `hidePath` only its origin. */
export function displayUrlOf(raw: string, hidePath: boolean): string {
  try {
    const url = new URL(raw);
    if (hidePath) return `${url.origin}/…`;
    return `${url.origin}${url.pathname}${url.search ? '?…' : ''}`;
  } catch {
    return '(invalid URL)';
  }
}

const SEVERITY_WORD = { info: 'INFO', warning: 'WARNING', critical: 'CRITICAL' } as const;

/** "CRITICAL", "WARNING", "INFO", or "RESOLVED" / "ACKNOWLEDGED" for those actions. */
export function headline(notification: Notification): string {
  if (notification.action === 'resolve') return 'RESOLVED';
  if (notification.action === 'acknowledge') return 'ACKNOWLEDGED';
  if (notification.action === 'digest') return `DIGEST ${SEVERITY_WORD[notification.severity]}`;
  return SEVERITY_WORD[notification.severity];
}

/** A number as people read it: integers as is, others with up to 3 significant decimals. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return String(value);
  return String(Math.abs(value) >= 1 ? Number(value.toFixed(2)) : Number(value.toPrecision(3)));
}

/** `field=value`, or "whole service" when the anomaly is not about a slice. */
export function dimensionText(evidence: NotificationEvidence): string {
  const { field, value } = evidence.dimension;
  return field ? `${field}=${value ?? ''}` : 'whole service';
}

/** Limits that every receiver applies to evidence before its own escaping. */
export const EVIDENCE_LIMITS = {
  evidence: 5,
  contributors: 3,
  sampleLines: 3,
  sampleLine: 300,
  template: 300,
  explanation: 500,
  field: 200,
} as const;

/** One anomaly's evidence as plain text lines (not escaped: the caller escapes for its markup). */
export interface EvidenceText {
  heading: string;
  measure: string;
  explanation: string;
  contributors: string[];
  template?: string;
  sampleLines: string[];
  link?: string;
}

/** The evidence of a notification, truncated, as plain text parts. */
export function evidenceTexts(notification: Notification): EvidenceText[] {
  const L = EVIDENCE_LIMITS;
  return notification.evidence.slice(0, L.evidence).map((evidence) => {
    const unit = oneLine(truncate(evidence.unit, 40));
    const out: EvidenceText = {
      heading: truncate(oneLine(`${evidence.kind} on ${dimensionText(evidence)}`), L.field),
      measure:
        `Observed ${formatNumber(evidence.observed)} ${unit} vs expected ${formatNumber(evidence.expected)}`.trim(),
      explanation: truncate(oneLine(evidence.explanation), L.explanation),
      contributors: evidence.contributors
        .slice(0, L.contributors)
        .map((c) =>
          truncate(
            oneLine(
              `${c.field}=${c.value}: ${formatNumber(c.observed)} vs ${formatNumber(c.expected)} (${Math.round(c.share * 100)}% of the excess)`,
            ),
            L.field,
          ),
        ),
      sampleLines: evidence.sampleLines
        .slice(0, L.sampleLines)
        .map((line) => truncate(oneLine(line), L.sampleLine)),
    };
    if (evidence.template !== undefined) out.template = truncate(oneLine(evidence.template), L.template);
    const link = safeLink(evidence.link);
    if (link !== undefined) out.link = link;
    return out;
  });
}

/** The plain text of one evidence, line by line (not escaped). */
export function evidenceLines(evidence: EvidenceText): string[] {
  const lines = [evidence.heading, evidence.measure];
  if (evidence.explanation) lines.push(evidence.explanation);
  if (evidence.contributors.length > 0) lines.push(`Top contributors: ${evidence.contributors.join('; ')}`);
  if (evidence.template !== undefined) lines.push(`Template: ${evidence.template}`);
  if (evidence.sampleLines.length > 0)
    lines.push('Sample lines:', ...evidence.sampleLines.map((l) => `  ${l}`));
  return lines;
}

/** Truncates then escapes so that the escaped text fits `max` (escapes are never cut). */
export function escapedWithin(text: string, max: number, escaper: (text: string) => string): string {
  let cut = truncate(text, max);
  let escaped = escaper(cut);
  while (escaped.length > max) {
    cut = truncate(cut, Math.max(1, cut.length - (escaped.length - max)));
    escaped = escaper(cut);
  }
  return escaped;
}

/** Path of a URL, or '' when it does not parse (for scrubbing tokens out of reasons). */
export function urlPath(raw: string): string {
  try {
    return new URL(raw).pathname;
  } catch {
    return '';
  }
}

/** Labels as every receiver sends them: at most 50, names ≤ 100 and values ≤ 1000 characters. */
export function boundedLabels(labels: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(labels)
      .slice(0, 50)
      .map(([key, value]) => [truncate(key, 100), truncate(value, 1000)]),
  );
}

/** Digest items to show: at most 20, their text cut to one line of ≤ 300 characters. */
export function boundedDigest(n: Notification): NonNullable<Notification['digest']> {
  return (n.digest ?? []).slice(0, 20).map((d) => ({
    ...d,
    title: truncate(oneLine(d.title), 300),
    service: truncate(oneLine(d.service), 300),
    summary: truncate(oneLine(d.summary), 300),
  }));
}
