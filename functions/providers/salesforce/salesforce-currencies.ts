import { parseDecimal } from '../../domain/odoo-document-lines';
import { PermanentSyncError } from '../../platform/errors';

/** An amount Salesforce holds that cannot be written exactly in minor units, or a code that is no currency. */
export class SalesforceAmountError extends PermanentSyncError {
  override name = 'SalesforceAmountError';
}

/**
 * How many decimals a minor unit of `currency` has (USD 2, JPY 0, KWD 3). Salesforce names currencies by ISO 4217
 * code (`CurrencyIsoCode`, or the org's corporate currency); the minor units are ISO 4217's, as the platform's ICU
 * data knows them. An unknown code is refused, never guessed.
 */
export function salesforceCurrencyExponent(currency: string): number {
  const code = currency.toUpperCase();
  if (!/^[A-Z]{3}$/.test(code) || !Intl.supportedValuesOf('currency').includes(code)) throw new SalesforceAmountError(`"${currency}" is not an ISO 4217 currency`);
  return new Intl.NumberFormat('en', { style: 'currency', currency: code }).resolvedOptions().maximumFractionDigits ?? 2;
}

/**
 * A currency field as Salesforce's JSON carries it (a number: `40000`, `1200.5`) → integer minor units, exactly. The
 * number's shortest decimal text is what Salesforce stored (its currency fields have at most 18 digits), so it is
 * read as digits, never multiplied as a float (`0.29 * 100` is 28.999…); decimals beyond the currency's are refused
 * unless they are zeros, never rounded.
 */
export function salesforceMinorUnits(value: number | string, currency: string): number {
  const exponent = salesforceCurrencyExponent(currency);
  const text = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : value.trim();
  let decimal: ReturnType<typeof parseDecimal>;
  try {
    decimal = parseDecimal(text);
  } catch {
    throw new SalesforceAmountError(`${JSON.stringify(value)} ${currency.toUpperCase()} is not a decimal amount`);
  }
  const shift = exponent - decimal.scale;
  const factor = 10n ** BigInt(Math.abs(shift));
  if (shift < 0 && decimal.units % factor !== 0n) throw new SalesforceAmountError(`${text} ${currency.toUpperCase()} has more decimals than the currency's ${exponent}`);
  const units = shift >= 0 ? decimal.units * factor : decimal.units / factor;
  if (units > BigInt(Number.MAX_SAFE_INTEGER) || units < -BigInt(Number.MAX_SAFE_INTEGER)) throw new SalesforceAmountError(`${text} ${currency.toUpperCase()} is beyond exact integers`);
  return Number(units);
}
