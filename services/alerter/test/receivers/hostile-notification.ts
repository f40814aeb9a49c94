import type { Notification } from '@vigie/common';

// A notification whose every text field carries what an attacker can put in a log line:
// Slack control sequences, Markdown and HTML, Adaptive Card JSON, template functions,
// newlines, and 10 KB runs. Receivers must render all of it as inert text.

/** Markup from every vendor's dialect in one string. */
export const HOSTILE =
  '<!channel> <!here> <@U123> <https://evil.example|click> *bold* _it_ ~gone~ `code` ' +
  '[x](javascript:alert(1)) <script>alert(1)</script> & "quoted" \'single\' ' +
  '{{DATE(2017-02-14T06:08:00Z, SHORT)}} "}]},{"type":"Action.OpenUrl","url":"https://evil.example"}' +
  '\n- list item\n1. numbered\n# heading';

/** A 10 KB message, as a sample line can carry before the evidence builder truncates it. */
export const LONG = `${HOSTILE} ${'A'.repeat(10 * 1024)}`;

export const NOW = Date.parse('2026-11-28T21:00:00.000Z');

/** The hostile notification for `action`. */
export function hostileNotification(action: Notification['action'] = 'trigger'): Notification {
  return {
    action,
    incidentId: 'vigie-0123456789abcdef',
    dedupKey: 'vigie-0123456789abcdef',
    title: `Error spike on ${HOSTILE}`,
    service: `checkout ${HOSTILE}`,
    environment: `prod ${HOSTILE}`,
    severity: 'critical',
    status: action === 'resolve' ? 'resolved' : action === 'acknowledge' ? 'acknowledged' : 'open',
    openedAt: '2026-11-28T20:50:00.000Z',
    ...(action === 'resolve' ? { resolvedAt: '2026-11-28T20:59:00.000Z' } : {}),
    summary: `120 errors/min against 4 expected. ${LONG}`,
    link: 'https://vigie.example/#/incidents?incident=vigie-0123456789abcdef',
    labels: { team: `payments ${HOSTILE}`, 'app.kubernetes.io/name': 'checkout', '1st': 'x' },
    evidence: [
      {
        anomalyId: 'a1',
        kind: 'error_spike',
        dimension: { field: 'url.path', value: `/pay ${HOSTILE}` },
        observed: 120,
        expected: 4.25,
        unit: 'errors/min',
        explanation: `Errors rose 28× over baseline. ${HOSTILE}`,
        contributors: [
          { field: 'host.name', value: `web-1 ${HOSTILE}`, observed: 100, expected: 2, share: 0.84 },
          { field: 'http.response.status_code', value: '503', observed: 20, expected: 2.25, share: 0.16 },
        ],
        template: `payment <*> failed: ${HOSTILE}`,
        sampleLines: [LONG, `ERROR ${HOSTILE}`],
        link: 'https://vigie.example/#/search?q=service%3Acheckout%20AND%20level%3Aerror&from=1&to=2',
      },
      {
        anomalyId: 'a2',
        kind: 'latency',
        dimension: {},
        observed: 1.234567,
        expected: 0.2,
        unit: 's',
        explanation: HOSTILE,
        contributors: [],
        sampleLines: [],
        // Not a link Vigie builds, but the receivers must refuse it anyway.
        link: 'javascript:alert(1)',
      },
    ],
  };
}

/** The largest notification the evidence builder could hand over, and more: every limit exceeded. */
export function worstCaseNotification(): Notification {
  const base = hostileNotification('trigger');
  const huge = '<&>*_[x](y)'.repeat(1000);
  const evidence = Array.from({ length: 8 }, (_, i) => ({
    anomalyId: `a${i}`,
    kind: 'new_pattern' as const,
    dimension: { field: huge, value: huge },
    observed: 1e9 + i,
    expected: 0.000123,
    unit: huge,
    explanation: huge,
    contributors: Array.from({ length: 10 }, () => ({
      field: huge,
      value: huge,
      observed: 1,
      expected: 0,
      share: 0.1,
    })),
    template: huge,
    sampleLines: Array.from({ length: 10 }, () => huge),
    link: `https://vigie.example/#/search?q=${'a'.repeat(2000)}`,
  }));
  const labels = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`label ${i} ${HOSTILE}`, huge]));
  const digest = Array.from({ length: 50 }, (_, i) => ({
    incidentId: `vigie-${i}`,
    title: huge,
    service: huge,
    severity: 'warning' as const,
    status: 'open' as const,
    summary: huge,
    link: `https://vigie.example/#/incidents?incident=vigie-${i}`,
  }));
  return {
    ...base,
    dedupKey: 'vigie-worst-case',
    incidentId: 'vigie-worst-case',
    title: huge,
    summary: huge,
    service: huge,
    environment: huge,
    labels,
    evidence,
    digest,
  };
}
