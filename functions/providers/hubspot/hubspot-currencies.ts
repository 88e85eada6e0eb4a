import { parseDecimal } from '../../domain/odoo-document-lines';
import { PermanentSyncError } from '../../platform/errors';

/**
 * HubSpot's money: amounts are decimal text in a currency HubSpot names by its ISO 4217 code (`deal_currency_code`,
 * the portal's company currency otherwise). HubSpot takes any ISO currency, so its minor units are ISO 4217's:
 * two decimals except the currencies listed here.
 */
const ISO_4217_EXPONENTS: Readonly<Record<string, number>> = {
  bif: 0, clp: 0, djf: 0, gnf: 0, isk: 0, jpy: 0, kmf: 0, krw: 0, pyg: 0, rwf: 0, ugx: 0, uyi: 0, vnd: 0, vuv: 0, xaf: 0, xof: 0, xpf: 0,
  bhd: 3, iqd: 3, jod: 3, kwd: 3, lyd: 3, omr: 3, tnd: 3,
  clf: 4, uyw: 4,
};

/** An amount HubSpot holds that cannot be written exactly in minor units, or a code that is no currency. */
export class HubspotAmountError extends PermanentSyncError {
  override name = 'HubspotAmountError';
}

// Node's list of ISO codes leaves out the funds codes (CLF, UYI, UYW), which the table above names.
const KNOWN_CURRENCIES = new Set([...Intl.supportedValuesOf('currency').map((code) => code.toLowerCase()), ...Object.keys(ISO_4217_EXPONENTS)]);

/** How many decimals a minor unit of `currency` has (USD 2, JPY 0, KWD 3); an unknown code is refused, never guessed. */
export function hubspotCurrencyExponent(currency: string): number {
  const code = currency.toLowerCase();
  if (!/^[a-z]{3}$/.test(code) || !KNOWN_CURRENCIES.has(code)) throw new HubspotAmountError(`"${currency}" is not an ISO 4217 currency`);
  return ISO_4217_EXPONENTS[code] ?? 2;
}

/**
 * HubSpot's decimal text → integer minor units, exactly (digits, never a float: `0.29 * 100` is 28.999…). Extra
 * decimals are accepted only when they are zeros (`"2000.0"`); `"10.999"` USD is refused rather than rounded.
 */
export function hubspotMinorUnits(value: string, currency: string): number {
  const exponent = hubspotCurrencyExponent(currency);
  let decimal: ReturnType<typeof parseDecimal>;
  try {
    decimal = parseDecimal(value);
  } catch {
    throw new HubspotAmountError(`"${value}" ${currency.toUpperCase()} is not a decimal amount`);
  }
  const shift = exponent - decimal.scale;
  const factor = 10n ** BigInt(Math.abs(shift));
  if (shift < 0 && decimal.units % factor !== 0n) {
    throw new HubspotAmountError(`"${value}" ${currency.toUpperCase()} has more decimals than the currency's ${exponent}`);
  }
  const units = shift >= 0 ? decimal.units * factor : decimal.units / factor;
  if (units > BigInt(Number.MAX_SAFE_INTEGER) || units < -BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new HubspotAmountError(`"${value}" ${currency.toUpperCase()} is beyond exact integers`);
  }
  return Number(units);
}
