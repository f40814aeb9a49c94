import { describe, expect, it } from 'vitest';
import { slicesOf } from '../src/index.js';

const record = (size: number) => ({ key: null, value: Buffer.alloc(size) });

describe('slicesOf', () => {
  it('keeps order and cuts before a slice would exceed the limit', () => {
    const records = [record(400), record(400), record(400), record(100)];
    const slices = slicesOf(records, 1000);
    expect(slices.map((s) => s.length)).toEqual([2, 2]);
    expect(slices.flat()).toEqual(records);
  });

  it('sends a record larger than the limit alone instead of dropping it', () => {
    expect(slicesOf([record(10), record(5000), record(10)], 1000).map((s) => s.length)).toEqual([1, 1, 1]);
  });
});
