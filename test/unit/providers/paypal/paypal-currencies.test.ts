import { describe, expect, it } from 'vitest';
import { PaypalAmountError, paypalCurrencyExponent, paypalDecimal, paypalMinorUnits } from '../../../../functions/providers/paypal/paypal-currencies';

describe('PayPal amounts', () => {
  it('reads decimal strings exactly in every PayPal currency, including those a float gets wrong', () => {
    // Act & Assess
    expect(paypalMinorUnits('10.99', 'USD')).toBe(1099);
    expect(paypalMinorUnits('0.29', 'usd')).toBe(29); // 0.29 * 100 is 28.999… as a float
    expect(paypalMinorUnits('1000', 'JPY')).toBe(1000);
    expect(paypalMinorUnits('1000.00', 'JPY')).toBe(1000);
    expect(paypalMinorUnits('12345', 'HUF')).toBe(12345);
    expect(paypalMinorUnits('10.9', 'EUR')).toBe(1090);
    expect(paypalMinorUnits('-2.51', 'USD')).toBe(-251);
    expect(paypalMinorUnits('90071992547409.91', 'USD')).toBe(9007199254740991);
  });

  it('refuses what cannot be written exactly, and currencies PayPal does not have', () => {
    // Act & Assess
    for (const [value, currency] of [['10.999', 'USD'], ['1000.5', 'JPY'], ['1e3', 'USD'], ['', 'USD'], ['10.99', '[FILTERED]'], ['1.000', 'KWD'], ['90071992547409.92', 'USD']] as const) {
      expect(() => paypalMinorUnits(value, currency), `${value} ${currency}`).toThrow(PaypalAmountError);
    }
  });

  it('writes minor units back as PayPal writes them', () => {
    // Act & Assess
    expect(paypalDecimal(1099, 'usd')).toBe('10.99');
    expect(paypalDecimal(5, 'usd')).toBe('0.05');
    expect(paypalDecimal(1000, 'jpy')).toBe('1000');
    expect(paypalCurrencyExponent('TWD')).toBe(0);
  });
});
