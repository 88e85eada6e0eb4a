import { PermanentSyncError } from '../../platform/errors';

/**
 * PayPal's currency facts: the currencies its REST API takes and how many decimals each has. PayPal writes
 * money as `{ currency_code, value }` with `value` a decimal string ("10.99"; JPY "1000"); HUF, JPY and TWD
 * take no decimals ("decimal amounts cause an error"), every other PayPal currency two. PayPal has no
 * three-decimal currency. A code outside this table is refused, never given a guessed exponent: a wrong
 * exponent is a total wrong by a factor of ten or a hundred.
 */
const PAYPAL_CURRENCY_EXPONENTS: Readonly<Record<string, number>> = {
  aud: 2, brl: 2, cad: 2, cny: 2, czk: 2, dkk: 2, eur: 2, hkd: 2, huf: 0, ils: 2, inr: 2, jpy: 0, myr: 2, mxn: 2,
  nok: 2, nzd: 2, php: 2, pln: 2, gbp: 2, rub: 2, sgd: 2, sek: 2, chf: 2, twd: 0, thb: 2, usd: 2,
};

/** A PayPal amount that cannot be written exactly in minor units, or a currency PayPal does not have. */
export class PaypalAmountError extends PermanentSyncError {
  override name = 'PaypalAmountError';
}

export function isPaypalCurrency(currency: string): boolean {
  return Object.hasOwn(PAYPAL_CURRENCY_EXPONENTS, currency.toLowerCase());
}

/** How many decimals a PayPal minor unit has in a currency (JPY 0, USD 2). */
export function paypalCurrencyExponent(currency: string): number {
  const exponent = PAYPAL_CURRENCY_EXPONENTS[currency.toLowerCase()];
  if (exponent === undefined) throw new PaypalAmountError(`${currency} is not a PayPal currency: no exponent to read its amounts with`);
  return exponent;
}

/**
 * A PayPal decimal string → integer minor units, exactly, by digits (never through a float: `0.29 * 100` is
 * 28.999…). More decimals than the currency has are accepted only when they are zeros ("1000.00" JPY is 1000);
 * anything else ("10.999" USD, "1000.5" JPY, "1e3", "") is refused.
 */
export function paypalMinorUnits(value: string, currency: string): number {
  const exponent = paypalCurrencyExponent(currency);
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(value);
  if (!match) throw new PaypalAmountError(`"${value}" ${currency.toUpperCase()} is not a decimal amount`);
  const [, sign = '', whole = '0', fraction = ''] = match;
  const significant = fraction.replace(/0+$/, '');
  if (significant.length > exponent) {
    throw new PaypalAmountError(`"${value}" ${currency.toUpperCase()} has more decimals than the currency's ${exponent}`);
  }
  const units = BigInt(whole + significant.padEnd(exponent, '0'));
  if (units > BigInt(Number.MAX_SAFE_INTEGER)) throw new PaypalAmountError(`"${value}" ${currency.toUpperCase()} is beyond exact integers`);
  const amount = Number(units);
  return sign === '-' && amount !== 0 ? -amount : amount;
}

/** `{ currency_code: 'USD', value: '10.99' }` → `{ amount: 1099, currency: 'usd' }` (the canonical lower-case code). */
export function paypalMoney(money: { currency_code: string; value: string }): { amount: number; currency: string } {
  const currency = money.currency_code.toLowerCase();
  return { amount: paypalMinorUnits(money.value, currency), currency };
}

/** Minor units → PayPal's decimal string ("10.99", JPY "1000"): for the sandbox and messages. */
export function paypalDecimal(amount: number, currency: string): string {
  const exponent = paypalCurrencyExponent(currency);
  const negative = amount < 0;
  const digits = String(Math.abs(amount)).padStart(exponent + 1, '0');
  const text = exponent === 0 ? digits : `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
  return negative ? `-${text}` : text;
}
