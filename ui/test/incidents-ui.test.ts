import { describe, expect, it } from 'vitest';
import { dimensionText, formatDuration, incidentDurationMs } from '../src/components/incidents/format.js';
import { formatHash, parseHash } from '../src/lib/route.js';

describe('Incidents page helpers', () => {
  it('reads the link notifications carry, #/incidents?incident=<id>, and writes it back', () => {
    const id = 'vigie-3f2a9c0d51e4b7a8&status=resolved';
    const hash = formatHash('incidents', { incident: id, status: 'active' });
    expect(hash).toBe('#/incidents?incident=vigie-3f2a9c0d51e4b7a8%26status%3Dresolved&status=active');
    expect(parseHash(hash)).toEqual({ page: 'incidents', params: { incident: id, status: 'active' } });
    expect(parseHash('#/incidents?incident=vigie-abc').params.incident).toBe('vigie-abc');
  });

  it('measures an incident until it resolved, or until now while it lasts', () => {
    const openedAt = '2026-03-02T10:00:00Z';
    const now = Date.parse('2026-03-02T13:12:30Z');
    expect(incidentDurationMs({ openedAt, resolvedAt: '2026-03-02T10:45:00Z' }, now)).toBe(45 * 60_000);
    expect(formatDuration(incidentDurationMs({ openedAt }, now))).toBe('3h 12m');
    expect([45_000, 12 * 60_000, 52 * 3_600_000].map(formatDuration)).toEqual(['45s', '12m', '2d 4h']);
    expect(dimensionText({ field: 'url.path', value: '/pay' })).toBe('url.path=/pay');
    expect(dimensionText({})).toBe('');
  });
});
