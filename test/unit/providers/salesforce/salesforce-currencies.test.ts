import { describe, expect, it } from 'vitest';
import { SalesforceAmountError, salesforceCurrencyExponent, salesforceMinorUnits } from '../../../../functions/providers/salesforce/salesforce-currencies';

describe('Salesforce amounts → minor units', () => {
  it('knows the ISO 4217 minor units of a currency, refuses a code that is none', () => {
    expect(['USD', 'eur', 'JPY', 'KWD', 'BHD'].map(salesforceCurrencyExponent)).toEqual([2, 2, 0, 3, 3]);
    // Funds codes (CLF, UYW) are not in the platform's list of currencies: refused (set aside) rather than guessed.
    expect(() => salesforceCurrencyExponent('CLF')).toThrow(SalesforceAmountError);
    expect(() => salesforceCurrencyExponent('XXQ')).toThrow(SalesforceAmountError);
    expect(() => salesforceCurrencyExponent('dollars')).toThrow(SalesforceAmountError);
  });

  it('reads the JSON number as its digits, never through a float product', () => {
    expect(salesforceMinorUnits(0.29, 'usd')).toBe(29);
    expect(salesforceMinorUnits(1.005, 'kwd')).toBe(1005);
    expect(salesforceMinorUnits(40000, 'usd')).toBe(4_000_000);
    expect(salesforceMinorUnits(1200.5, 'eur')).toBe(120_050);
    expect(salesforceMinorUnits(120000, 'jpy')).toBe(120_000);
    expect(salesforceMinorUnits(-12.5, 'usd')).toBe(-1_250);
    expect(salesforceMinorUnits('99.90', 'usd')).toBe(9_990);
  });

  it('refuses what it cannot write exactly rather than rounding', () => {
    expect(() => salesforceMinorUnits(10.999, 'usd')).toThrow(/more decimals than the currency/);
    expect(() => salesforceMinorUnits(0.5, 'jpy')).toThrow(/more decimals/);
    expect(() => salesforceMinorUnits(Number.NaN, 'usd')).toThrow(/not a decimal amount/);
    expect(() => salesforceMinorUnits(1e300, 'usd')).toThrow(/beyond exact integers/);
  });
});
