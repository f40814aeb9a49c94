import { describe, expect, it } from 'vitest';
import {
  escapedWithin,
  escapeSlack,
  escapeTeamsMarkdown,
  safeLink,
  truncate,
} from '../../src/receivers/text.js';

// The escaping and truncation every receiver relies on.

describe('truncate and escapedWithin', () => {
  it('never splits a surrogate pair (a lone surrogate is invalid UTF-8 on the wire)', () => {
    const cut = truncate(`ab${'🔥'.repeat(10)}`, 4);
    expect(cut).toBe('ab…');
    expect(cut).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });

  it('fits the escaped text within the limit without cutting an escape in half', () => {
    const escaped = escapedWithin('<'.repeat(100), 10, escapeSlack);
    expect(escaped.length).toBeLessThanOrEqual(10);
    expect(escaped).toMatch(/^(&lt;)*…$/);
  });
});

describe('escapers', () => {
  it('Slack: only &, < and >', () => {
    expect(escapeSlack('<!channel> & <@U1|x> *b*')).toBe('&lt;!channel&gt; &amp; &lt;@U1|x&gt; *b*');
  });

  it('Teams: Markdown openers, template functions and list markers', () => {
    expect(escapeTeamsMarkdown('**b** [l](u) {{DATE(x)}}\n- a\n2. b')).toBe(
      '\\*\\*b\\*\\* \\[l\\](u) \\{\\{DATE(x)\\}\\}\n\\- a\n2\\. b',
    );
  });

  it('links: only absolute http(s)', () => {
    expect(safeLink('javascript:alert(1)')).toBeUndefined();
    expect(safeLink('data:text/html,x')).toBeUndefined();
    expect(safeLink('/relative')).toBeUndefined();
    expect(safeLink('https://vigie.example/#/x?q=a b')).toBe('https://vigie.example/#/x?q=a%20b');
  });
});
