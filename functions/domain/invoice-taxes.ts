import type { DocumentLine, LineTax } from '../../events/billing-parts';
import type { BillingConfig } from './billing-config';
import type { ProviderTaxRate } from './billing-ledger';
import { parseDecimal } from './odoo-document-lines';

/**
 * The Odoo tax configured for a provider tax in a company (billing config `taxes`), by the first rule that finds
 * one: (1) the provider's tax rate id; (2) the tax's name (its label, trimmed, case-insensitive) among the entries
 * with a `name` — an entry that also gives a percentage takes only a tax of that percentage; (3) the percentage
 * among the entries with neither a tax rate id nor a name. Inclusiveness must agree for (2) and (3). `undefined`
 * when nothing matches — the caller fails permanently naming the tax: guessing would change the total.
 */
export function configuredOdooTaxId(config: BillingConfig, companyId: number, tax: LineTax): number | undefined {
  const inCompany = config.taxes.filter((entry) => entry.companyId === companyId);
  if (tax.taxRateId !== null) {
    const byRate = inCompany.find((entry) => entry.taxRateId === tax.taxRateId);
    if (byRate) return byRate.odooTaxId;
  }
  const name = tax.label === null ? '' : normalizedTaxName(tax.label);
  if (name !== '') {
    const byName = inCompany.find(
      (entry) =>
        entry.taxRateId === undefined &&
        entry.name !== undefined &&
        normalizedTaxName(entry.name) === name &&
        entry.inclusive === tax.inclusive &&
        (entry.percentage === undefined || (tax.percentage !== null && samePercentage(entry.percentage, tax.percentage))),
    );
    if (byName) return byName.odooTaxId;
  }
  if (tax.percentage === null) return undefined;
  const percentage = tax.percentage;
  return inCompany.find(
    (entry) =>
      entry.taxRateId === undefined &&
      entry.name === undefined &&
      entry.percentage !== undefined &&
      entry.inclusive === tax.inclusive &&
      samePercentage(entry.percentage, percentage),
  )?.odooTaxId;
}

/** `" Sales Tax "` and `"sales tax"` are one name: a provider's tax names are typed by people. */
const normalizedTaxName = (name: string): string => name.trim().toLowerCase();

/** `"19"` and `"19.00"` are the same rate. */
export function samePercentage(left: string, right: string): boolean {
  const a = parseDecimal(left);
  const b = parseDecimal(right);
  const scale = Math.max(a.scale, b.scale);
  return a.units * 10n ** BigInt(scale - a.scale) === b.units * 10n ** BigInt(scale - b.scale);
}

/** Every Odoo tax id the lines of a document may need, to read them in one call. */
export function configuredOdooTaxIds(config: BillingConfig, companyId: number, taxes: readonly LineTax[]): number[] {
  return [...new Set(taxes.map((tax) => configuredOdooTaxId(config, companyId, tax)).filter((id): id is number => id !== undefined))];
}

/**
 * A provider tax the config can match only once its rate is known: it names a tax rate the config does not
 * map by id and carries no percentage (some providers' line taxes name only their rate: their webhooks never expand it).
 */
export function needsProviderTaxRate(config: BillingConfig, companyId: number, tax: LineTax): tax is LineTax & { taxRateId: string } {
  return tax.percentage === null && tax.taxRateId !== null && configuredOdooTaxId(config, companyId, tax) === undefined;
}

/** The distinct tax rate ids of a document whose taxes need their rate from the provider. */
export function taxRatesToResolve(config: BillingConfig, companyId: number, lines: readonly DocumentLine[]): string[] {
  const ids = lines.flatMap((line) => line.taxes.filter((tax) => needsProviderTaxRate(config, companyId, tax)).map((tax) => tax.taxRateId!));
  return [...new Set(ids)];
}

/**
 * The lines with the provider's rates filled into the taxes that lacked a percentage: the percentage, and the
 * label when the tax has none. Inclusiveness stays the line's: it is how the provider computed the amounts.
 */
export function withProviderTaxRates(lines: readonly DocumentLine[], rates: ReadonlyMap<string, ProviderTaxRate>): DocumentLine[] {
  return lines.map((line) => {
    if (!line.taxes.some((tax) => tax.percentage === null && tax.taxRateId !== null && rates.has(tax.taxRateId))) return line;
    const taxes = line.taxes.map((tax) => {
      const rate = tax.percentage === null && tax.taxRateId !== null ? rates.get(tax.taxRateId) : undefined;
      return rate === undefined ? tax : { ...tax, percentage: rate.percentage, label: tax.label ?? rate.label };
    });
    return { ...line, taxes };
  });
}
