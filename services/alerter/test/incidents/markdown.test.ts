import type { Incident } from '@vigie/common';
import { micromark } from 'micromark';
import { gfm, gfmHtml } from 'micromark-extension-gfm';
import { describe, expect, it } from 'vitest';
import {
  applyAnomaly,
  comment,
  escapeMarkdown,
  incidentMarkdown,
  resolveByUser,
} from '../../src/incidents/index.js';
import { anomaly, MINUTE, policy, T0 } from './fixtures.js';

// Log content chosen to break out of inline text: block starts, links, images, raw
// HTML, autolinks, mentions, emphasis, tables, math, bidi overrides.
const HOSTILE = [
  'evil<script>alert(1)</script>',
  '\n# Injected heading\n',
  '[click](https://evil.example/x) ![img](https://evil.example/p.png)',
  '<img src=x onerror=alert(1)> <a href="https://evil.example">a</a>',
  '@channel www.evil.example user@evil.example https://evil.example',
  '**bold** _it_ ~~strike~~ `code` $x^2$ :smile: | col | &amp; \u202egnp.exe',
  '\n\n---\n- list\n1. ordered\n> quote\n    indented code',
].join(' ');

function hostileIncident(): Incident {
  const first = anomaly({
    service: 'shop<b>',
    dimension: { field: 'url.path', value: `/login ${HOSTILE}` },
    explanation: `Errors: ${HOSTILE}`,
    contributors: [
      { field: 'user.name', value: '[x](javascript:alert(1))', observed: 12, expected: 0.5, share: 0.6 },
    ],
    query: 'url.path:"/login" AND message:"<script>"',
  });
  let incident = applyAnomaly(undefined, first, T0, {
    ...policy,
    labels: { team: 'pay|ments', '<b>': 'x' },
  }).incident;
  incident = applyAnomaly(
    incident,
    anomaly({
      id: 'a-pattern',
      service: 'shop<b>',
      kind: 'new_pattern',
      dimension: { field: 'template', value: 't-7' },
      contributors: [{ field: 'template', value: `## <*> ${HOSTILE}`, observed: 3, expected: 0, share: 1 }],
      severity: 'critical',
      at: T0 + MINUTE,
    }),
    T0 + MINUTE,
    policy,
  ).incident;
  incident = comment(incident, 'bob<i>', `rolled back\n\n${HOSTILE}`, T0 + 2 * MINUTE);
  return resolveByUser(incident, 'alice', 'fixed', T0 + 40 * MINUTE);
}

describe('incidentMarkdown', () => {
  it('matches the golden export of an incident full of hostile log text', async () => {
    await expect(incidentMarkdown(hostileIncident())).toMatchFileSnapshot('./fixtures/hostile-incident.md');
  });

  it('renders (GFM, raw HTML allowed) with only the structure it writes: no injected heading, link, image, HTML or markup', () => {
    const incident = hostileIncident();
    const html = micromark(incidentMarkdown(incident), {
      allowDangerousHtml: true,
      extensions: [gfm()],
      htmlExtensions: [gfmHtml()],
    });
    const tags = [...html.matchAll(/<([a-z0-9]+)[\s>]/g)].map((m) => m[1]);
    expect(new Set(tags)).toEqual(
      new Set(['h1', 'h2', 'h3', 'table', 'thead', 'tr', 'th', 'tbody', 'td', 'p', 'ul', 'li']),
    );
    const count = (tag: string) => tags.filter((t) => t === tag).length;
    expect([count('h1'), count('h2'), count('h3')]).toEqual([1, 2, 2]);
    expect(count('table')).toBe(4);
    // Every timeline row kept its four cells: no pipe from the logs split a cell.
    const timeline = html.slice(html.lastIndexOf('<table>'));
    for (const row of timeline.split('<tr>').slice(1)) expect(row.match(/<t[dh][ >]/g)).toHaveLength(4);
    expect(html).toContain('evil&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('[click](https://evil.example/x)');
    expect(html).not.toContain('\u202e');
  });

  it('lists the summary, observed against expected, contributors and the timeline', () => {
    const text = incidentMarkdown(hostileIncident());
    expect(text).toContain('| Severity | critical |');
    expect(text).toContain('| Resolved | 2026-03-02 10:40:00 UTC by alice |');
    expect(text).toContain('| Duration | 40 min |');
    expect(text).toMatch(/\| 0\.2 \| 0\.01 \| ratio \| warning \| open \| 2026-03-02 10:00:00 \| — \|/);
    expect(text).toContain('observed 12, expected 0.5 (60% of the excess)');
    expect(text).toContain('| 2026-03-02 10:40:00 | resolved | alice | fixed |');
  });
});

describe('escapeMarkdown', () => {
  it('keeps plain words readable and makes markup inert', () => {
    expect(escapeMarkdown('payment refused for order 42')).toBe('payment refused for order 42');
    expect(escapeMarkdown('a\n# b')).toBe('a \\# b');
    expect(escapeMarkdown('<b>&')).toBe('&lt;b&gt;&amp;');
    expect(escapeMarkdown('[x](y)')).toBe('\\[x\\]\\(y\\)');
    expect(escapeMarkdown('www.x.io')).toBe('www\\.x\\.io');
  });
});
