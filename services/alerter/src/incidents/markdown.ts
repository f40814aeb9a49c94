import type { Incident, IncidentAnomaly, TimelineEntry } from '@vigie/common';
import { clip, dimensionText, formatNumber, kindLabel } from './describe.js';

// Post-incident review export. Everything quoted from the incident is attacker-
// influenced (service names, dimension values, explanations, templates, queries come
// from logs; comments from people): it is written as inert text. It cannot start a
// block (newlines become spaces), open inline markup, links, images, autolinks,
// mentions, math or raw HTML (the characters that would are escaped).

// ASCII punctuation that starts or ends Markdown/GFM constructs; a backslash makes
// each literal (CommonMark allows it before any ASCII punctuation). `:` `.` and `@`
// break autolinks (https://…, www.…, user@host) and GitHub mentions; `$` math.
const MARKUP = /[\\`*_{}[\]()#+\-.!|~:@$^]/g;
// Line breaks, other control characters and bidirectional overrides (which could make
// the text read differently from what it is).
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]+/g;

/** `text` as inert inline Markdown: one line, markup escaped, HTML as entities. */
export function escapeMarkdown(text: string, max = 500): string {
  return clip(text, max)
    .replace(INVISIBLE, ' ')
    .replace(/\s{2,}/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(MARKUP, '\\$&');
}

const md = escapeMarkdown;

function when(iso: string | undefined): string {
  if (iso === undefined) return '—';
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? md(iso, 40) : `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')}`;
}

function duration(fromIso: string, toIso: string): string {
  const minutes = Math.max(0, Math.round((Date.parse(toIso) - Date.parse(fromIso)) / 60_000));
  if (Number.isNaN(minutes)) return '—';
  const hours = Math.floor(minutes / 60);
  return hours > 0 ? `${hours} h ${minutes % 60} min` : `${minutes} min`;
}

function row(...cells: string[]): string {
  return `| ${cells.join(' | ')} |`;
}

function byWhom(at: string | undefined, actor: string | undefined): string {
  if (at === undefined) return '—';
  return `${when(at)} UTC by ${actor === undefined ? 'Vigie' : md(actor, 100)}`;
}

function summaryTable(incident: Incident): string[] {
  const labels = Object.entries(incident.labels)
    .map(([name, value]) => `${md(name, 100)}\\=${md(value, 200)}`)
    .join(', ');
  const end = incident.resolvedAt ?? incident.updatedAt;
  const lines = [
    row('Field', 'Value'),
    row('---', '---'),
    row('Incident', md(incident.id, 100)),
    row('Service', md(incident.service, 200)),
    row('Environment', incident.environment === undefined ? '—' : md(incident.environment, 100)),
    row('Group', md(incident.group)),
    row('Status', md(incident.status)),
    row('Severity', md(incident.severity)),
    row('Cycle', String(incident.cycle)),
    row('Opened', `${when(incident.openedAt)} UTC`),
    row('Acknowledged', byWhom(incident.acknowledgedAt, incident.acknowledgedBy)),
    row('Resolved', byWhom(incident.resolvedAt, incident.resolvedBy)),
    row(
      'Duration',
      `${duration(incident.openedAt, end)}${incident.resolvedAt === undefined ? ' so far' : ''}`,
    ),
    row('Anomalies', String(incident.anomalies.length)),
    row('Labels', labels === '' ? '—' : labels),
  ];
  if (incident.flapping) lines.push(row('Flapping', 'yes'));
  if (incident.silencedBy !== undefined) lines.push(row('Silenced by', md(incident.silencedBy, 100)));
  if (incident.suppressedBy !== undefined) lines.push(row('Suppressed by', md(incident.suppressedBy, 100)));
  return lines;
}

function anomalySection(anomaly: IncidentAnomaly, index: number): string[] {
  const dimension = dimensionText(anomaly.dimension);
  const heading = `${kindLabel(anomaly.kind)}${dimension === '' ? '' : ` (${dimension})`}`;
  const lines = [
    `### ${index + 1}\\. ${md(heading, 200)}`,
    '',
    row('Observed', 'Expected', 'Unit', 'Severity', 'State', 'Start (UTC)', 'End (UTC)'),
    row('---', '---', '---', '---', '---', '---', '---'),
    row(
      formatNumber(anomaly.observed),
      formatNumber(anomaly.expected),
      md(anomaly.unit, 20),
      md(anomaly.severity),
      md(anomaly.state),
      when(anomaly.start),
      when(anomaly.end),
    ),
    '',
  ];
  if (anomaly.explanation !== '') lines.push(md(anomaly.explanation), '');
  if (anomaly.contributors.length > 0) {
    lines.push('Top contributors:', '');
    for (const c of anomaly.contributors.slice(0, 5)) {
      const share = `${Math.round(c.share * 100)}%`;
      lines.push(
        `- ${md(c.field, 100)} \\= ${md(c.value, 200)}: observed ${formatNumber(c.observed)}, expected ${formatNumber(c.expected)} (${share} of the excess)`,
      );
    }
    lines.push('');
  }
  if (anomaly.template !== undefined) lines.push(`New error pattern: ${md(anomaly.template)}`, '');
  if (anomaly.query !== '') lines.push(`Query: ${md(anomaly.query)}`, '');
  lines.push(`Anomaly id: ${md(anomaly.id, 200)}`, '');
  return lines;
}

function timelineRow(item: TimelineEntry): string {
  return row(
    when(item.at),
    md(item.type),
    item.actor === undefined ? 'Vigie' : md(item.actor, 100),
    md(item.text, 2000),
  );
}

/**
 * The incident as Markdown for a post-incident review: title, a summary table, each
 * anomaly with observed against expected and its top contributors, and the timeline.
 * All quoted text is escaped (see escapeMarkdown): log content cannot add headings,
 * links, images, mentions or HTML to the document.
 */
export function incidentMarkdown(incident: Incident): string {
  const lines = [
    `# Incident: ${md(incident.title, 300)}`,
    '',
    ...summaryTable(incident),
    '',
    '## Anomalies',
    '',
    ...incident.anomalies.flatMap(anomalySection),
    '## Timeline',
    '',
    row('Time (UTC)', 'Event', 'By', 'Details'),
    row('---', '---', '---', '---'),
    ...incident.timeline.map(timelineRow),
  ];
  return `${lines.join('\n')}\n`;
}
