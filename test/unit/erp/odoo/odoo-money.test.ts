import { describe, expect, it } from 'vitest';
import { minorToOdooAmount, odooAmountToMinor } from '../../../../functions/erp/odoo/odoo-money';

describe('minor units → Odoo amount', () => {
  it.each([
    [12345, 2, 123.45],
    [4900, 2, 49],
    [1, 2, 0.01],
    [0, 2, 0],
    [500, 0, 500],
    [1234, 3, 1.234],
    [5, 3, 0.005],
    [-12345, 2, -123.45],
    [-5, 3, -0.005],
    [999_999_999_999_999, 2, 9_999_999_999_999.99],
    [-999_999_999_999_999, 0, -999_999_999_999_999],
    [10n ** 14n, 3, 100_000_000_000],
  ])('%s with %i decimals → %s', (minor, decimals, amount) => {
    expect(minorToOdooAmount(minor, decimals)).toBe(amount);
  });

  it('is exact where float arithmetic drifts', () => {
    expect(1.005 * 100).not.toBe(100.5); // why the conversion never multiplies
    expect(minorToOdooAmount(1005, 3)).toBe(1.005);
    expect(minorToOdooAmount(29, 2)).toBe(0.29); // 29 / 100 is fine, 0.29 * 100 is 28.999999999999996
    expect(odooAmountToMinor(0.29, 2)).toBe(29);
  });

  it('never sends -0', () => {
    expect(Object.is(minorToOdooAmount(-0, 2), 0)).toBe(true);
  });

  it('refuses what it cannot represent exactly', () => {
    expect(() => minorToOdooAmount(1.5, 2)).toThrow(RangeError);
    expect(() => minorToOdooAmount(Number.MAX_SAFE_INTEGER, 2)).toThrow(RangeError);
    expect(() => minorToOdooAmount(100, -1)).toThrow(RangeError);
  });
});

describe('Odoo amount → minor units', () => {
  it.each([
    [123.45, 2, 12345],
    [49, 2, 4900],
    [49.0, 0, 49],
    [1.234, 3, 1234],
    [1.005, 2, 101], // the float is 1.00499999999999989…; Odoo meant 1.005: half away from zero
    [1.015, 2, 102],
    [2.675, 2, 268],
    [-2.675, 2, -268],
    [-0.004, 2, 0],
    [-0.005, 2, -1],
    [0.1 + 0.2, 2, 30],
    [1e-7, 2, 0],
    [12.5, 0, 13],
    [-12.5, 0, -13],
    [1234.5678, 3, 1234568],
  ])('%s with %i decimals → %i', (amount, decimals, minor) => {
    expect(odooAmountToMinor(amount, decimals)).toBe(minor);
  });

  it('refuses NaN and Infinity', () => {
    expect(() => odooAmountToMinor(Number.NaN, 2)).toThrow(RangeError);
    expect(() => odooAmountToMinor(Number.POSITIVE_INFINITY, 2)).toThrow(RangeError);
  });

  it('round-trips every minor amount exactly, in 0, 2 and 3 decimal currencies (property over many values)', () => {
    // Prepare: a deterministic spread over small, cent-boundary and very large amounts
    let seed = 42;
    const next = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed;
    };
    const values: number[] = [];
    for (let i = 0; i < 20_000; i++) values.push(i - 10_000);
    for (let i = 0; i < 20_000; i++) {
      const magnitude = 10 ** (next() % 16);
      values.push((next() % 2 === 0 ? 1 : -1) * Math.floor((next() / 2 ** 31) * magnitude));
    }
    values.push(999_999_999_999_999, -999_999_999_999_999);
    // Act
    const broken: Array<[number, number]> = [];
    for (const decimals of [0, 2, 3]) {
      for (const minor of values) {
        const amount = minorToOdooAmount(minor, decimals);
        const roundTrips = odooAmountToMinor(amount, decimals) === minor;
        const closeEnough = Math.abs(amount * 10 ** decimals - minor) <= Math.max(1, Math.abs(minor)) * 1e-12;
        if (!roundTrips || !closeEnough) broken.push([minor, decimals]);
      }
    }
    // Assess
    expect(broken).toEqual([]);
  });

  it('sums invoice lines in minor units to the same total Odoo shows', () => {
    const linesMinor = [1999, 1999, 1999, 3];
    const odooTotal = 60.0;
    expect(linesMinor.reduce((a, b) => a + b, 0)).toBe(odooAmountToMinor(odooTotal, 2));
  });
});
