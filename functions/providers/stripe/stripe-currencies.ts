/** Stripe's zero-decimal currencies (docs.stripe.com/currencies#zero-decimal). */
const STRIPE_ZERO_DECIMAL = new Set(['bif', 'clp', 'djf', 'gnf', 'jpy', 'kmf', 'krw', 'mga', 'pyg', 'rwf', 'ugx', 'vnd', 'vuv', 'xaf', 'xof', 'xpf']);
/** Stripe's three-decimal currencies. */
const STRIPE_THREE_DECIMAL = new Set(['bhd', 'jod', 'kwd', 'omr', 'tnd']);

/**
 * How many decimals a Stripe minor unit has in a currency (ISK is two-decimal at Stripe for compatibility,
 * with `00` as its decimals: Odoo's ISK has none, and the conversion refuses anything else).
 */
export function stripeCurrencyExponent(currency: string): number {
  const code = currency.toLowerCase();
  if (STRIPE_ZERO_DECIMAL.has(code)) return 0;
  if (STRIPE_THREE_DECIMAL.has(code)) return 3;
  return 2;
}
