import type { LineTax } from '../../events/billing-parts';
import type { BillingConfig } from './billing-config';
import { parseDecimal } from './odoo-document-lines';

/**
 * The Odoo tax configured for a provider tax in a company (billing config `taxes`): by tax rate id first;
 * else by percentage and inclusiveness among the entries without a tax rate id. `undefined` when nothing
 * matches — the caller fails permanently naming the tax: guessing would change the total.
 */
export function configuredOdooTaxId(config: BillingConfig, companyId: number, tax: LineTax): number | undefined {
  const inCompany = config.taxes.filter((entry) => entry.companyId === companyId);
  if (tax.taxRateId !== null) {
    const byRate = inCompany.find((entry) => entry.taxRateId === tax.taxRateId);
    if (byRate) return byRate.odooTaxId;
  }
  if (tax.percentage === null) return undefined;
  const percentage = tax.percentage;
  return inCompany.find(
    (entry) => entry.taxRateId === undefined && entry.percentage !== undefined && entry.inclusive === tax.inclusive && samePercentage(entry.percentage, percentage),
  )?.odooTaxId;
}

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
