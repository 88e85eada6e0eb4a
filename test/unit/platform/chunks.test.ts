import { describe, expect, it } from 'vitest';
import { chunks } from '../../../functions/platform/chunks';

describe('chunks', () => {
  it('cuts a list into runs of at most the size, in order, and refuses a size that would loop forever', () => {
    expect(chunks([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunks([], 100)).toEqual([]);
    expect(() => chunks([1], 0)).toThrow(RangeError);
  });
});
