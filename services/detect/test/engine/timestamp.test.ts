import { describe, expect, it } from 'vitest';
import { parseEventTime } from '../../src/model.js';

describe('parseEventTime', () => {
  it('reads the canonical form exactly like Date.parse', () => {
    for (const text of ['2026-01-05T10:00:00.000Z', '1999-12-31T23:59:59.999Z', '2024-02-29T12:34:56.789Z']) {
      expect(parseEventTime(text)).toBe(Date.parse(text));
    }
  });

  it('falls back to Date.parse for other forms and refuses nonsense', () => {
    expect(parseEventTime('2026-01-05T10:00:00+02:00')).toBe(Date.parse('2026-01-05T10:00:00+02:00'));
    expect(parseEventTime('2026-01-05T10:00:00Z')).toBe(Date.parse('2026-01-05T10:00:00Z'));
    expect(parseEventTime('2026-0x-05T10:00:00.000Z')).toBeNaN();
    expect(parseEventTime('not a time')).toBeNaN();
  });
});
