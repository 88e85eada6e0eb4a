import type { OdooEnvironment } from '../orm/environment';
import { field } from '../orm/fields';
import type { ModelDefinition } from '../orm/model';
import { companyOf, MAIN_COMPANY_ID } from './company';
import { lineSubtotalMinorUnits, percentOfMinorUnits, toMinorUnits } from './money';

export const taxModel: ModelDefinition = {
  name: 'account.tax',
  description: 'Tax',
  order: 'sequence, id',
  fields: {
    name: field.char('Tax Name', { required: true }),
    amount: field.float('Amount'),
    amount_type: field.selection(
      'Tax Computation',
      [['group', 'Group of Taxes'], ['fixed', 'Fixed'], ['percent', 'Percentage'], ['division', 'Percentage Tax Included']],
      { default: 'percent' },
    ),
    type_tax_use: field.selection('Tax Type', [['sale', 'Sales'], ['purchase', 'Purchases'], ['none', 'None']], { default: 'sale' }),
    price_include_override: field.selection('Included in Price', [['tax_included', 'Tax Included'], ['tax_excluded', 'Tax Excluded']]),
    price_include: field.boolean('Included in Price', { compute: (_env, record) => record.price_include_override === 'tax_included' }),
    description: field.char('Label on Invoices'),
    sequence: field.integer('Sequence', { default: 1 }),
    company_id: field.many2one('Company', 'res.company', { default: MAIN_COMPANY_ID }),
    active: field.boolean('Active', { default: true }),
  },
};

/** The company's default sale tax (15% in the recorded databases): what a product or line gets when no taxes are given. */
export function defaultSaleTaxIds(env: OdooEnvironment): number[] {
  const taxId = companyOf(env).account_sale_tax_id;
  return typeof taxId === 'number' ? [taxId] : [];
}

export interface TaxableLine {
  quantity: number;
  priceUnit: number;
  discountPercent: number;
  taxIds: readonly number[];
}

export interface LineAmounts {
  untaxedMinorUnits: number;
  taxMinorUnits: number;
}

/**
 * One line's subtotal and tax in minor units. Taxes are rounded per line (Odoo's default
 * `round_per_line`); tax-included prices are taken out of the unit price first.
 */
export function computeLineAmounts(env: OdooEnvironment, line: TaxableLine, decimalPlaces: number): LineAmounts {
  const taxes = line.taxIds.map((taxId) => env.model('account.tax').get(env, taxId));
  const grossMinorUnits = lineSubtotalMinorUnits(line.quantity, line.priceUnit, line.discountPercent, decimalPlaces);
  const includedPercent = taxes
    .filter((tax) => tax.price_include_override === 'tax_included' && tax.amount_type === 'percent')
    .reduce((sum, tax) => sum + Number(tax.amount), 0);
  // Included percent taxes (Odoo's batch formula): each is gross × rate / (100 + Σ included rates), rounded
  // per line, and the untaxed amount is what is left, so the line total stays the gross price.
  const includedTaxMinorUnits = taxes
    .filter((tax) => tax.price_include_override === 'tax_included' && tax.amount_type === 'percent')
    .reduce((sum, tax) => sum + percentOfMinorUnits((grossMinorUnits * 100) / (100 + includedPercent), Number(tax.amount)), 0);
  const untaxedMinorUnits = grossMinorUnits - includedTaxMinorUnits;
  let taxMinorUnits = includedTaxMinorUnits;
  for (const tax of taxes) {
    if (tax.price_include_override === 'tax_included' && tax.amount_type === 'percent') continue;
    const rate = Number(tax.amount);
    if (tax.amount_type === 'fixed') taxMinorUnits += toMinorUnits(rate * line.quantity, decimalPlaces);
    else if (tax.amount_type === 'division') taxMinorUnits += Math.round((untaxedMinorUnits * rate) / (100 - rate));
    else taxMinorUnits += percentOfMinorUnits(untaxedMinorUnits, rate);
  }
  return { untaxedMinorUnits, taxMinorUnits };
}

/** The sum of several lines' amounts. */
export function computeDocumentAmounts(env: OdooEnvironment, lines: readonly TaxableLine[], decimalPlaces: number): LineAmounts {
  return lines
    .map((line) => computeLineAmounts(env, line, decimalPlaces))
    .reduce(
      (total, line) => ({ untaxedMinorUnits: total.untaxedMinorUnits + line.untaxedMinorUnits, taxMinorUnits: total.taxMinorUnits + line.taxMinorUnits }),
      { untaxedMinorUnits: 0, taxMinorUnits: 0 },
    );
}
