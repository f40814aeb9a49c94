import type { LogEvent } from '@vigie/common';
import { describe, expect, it } from 'vitest';
import { fitEvent } from '../src/transform/fit.js';

const base = (): LogEvent => ({ '@timestamp': '2026-11-28T12:00:00Z', message: 'm', service: { name: 'a' } });
const size = (e: LogEvent) => Buffer.byteLength(JSON.stringify(e));

describe('fitEvent', () => {
  it('leaves an event that fits untouched', () => {
    const event = base();
    expect(fitEvent(event, 1000)).toEqual(base());
  });

  it('drops the raw copy first, then cuts the message, and flags the event', () => {
    const event = { ...base(), message: 'x'.repeat(5000), event: { original: 'y'.repeat(5000) } };
    const fitted = fitEvent(event, 4000);
    expect(size(fitted)).toBeLessThanOrEqual(4000);
    expect(fitted.event?.original).toBeUndefined();
    expect(fitted.message.startsWith('xxx')).toBe(true);
    expect(fitted.message.endsWith('…[truncated]')).toBe(true);
    expect(fitted.vigie?.truncated).toBe(true);
  });

  it('cuts multi-byte text on a character boundary and escaped text within the limit', () => {
    const event = { ...base(), message: 'é"\n'.repeat(4000) };
    const fitted = fitEvent(event, 3000);
    expect(size(fitted)).toBeLessThanOrEqual(3000);
    expect(fitted.message).not.toContain('\uFFFD');
  });

  it('folds huge labels and attributes into one cut JSON string', () => {
    const attributes = Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`k${i}`, 'v'.repeat(20)]));
    const fitted = fitEvent({ ...base(), attributes, labels: { team: 'a' } }, 8000);
    expect(size(fitted)).toBeLessThanOrEqual(8000);
    expect(fitted.labels).toBeUndefined();
    expect(typeof fitted.attributes?.truncated_json).toBe('string');
    expect(fitted.attributes?.truncated_json).toMatch(/^\{"labels":\{"team":"a"\},"attributes":\{"k0"/);
  });
});
