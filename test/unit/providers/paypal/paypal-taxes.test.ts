import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { InvoiceSnapshot } from '../../../../events/invoice-finalized';
import type { BillingConfig } from '../../../../functions/domain/billing-config';
import { configuredOdooTaxId } from '../../../../functions/domain/invoice-taxes';
import { type OdooTaxRate, planDocumentLines, roundingLineLabel } from '../../../../functions/domain/odoo-document-lines';
import { isRetryable } from '../../../../functions/platform/errors';
import {
  exactPercentOf,
  invoiceSnapshotFromPaypalCapture,
  invoiceSnapshotFromPaypalInvoice,
  paypalInvoiceSchema,
  paypalOrderSchema,
  UnbookablePaypalTaxError,
} from '../../../../functions/providers/paypal/paypal-invoice-mapping';
import { paypalCaptureSchema } from '../../../../functions/providers/paypal/paypal-payment-mapping';

/**
 * PayPal's taxes as the billing flow books them: an invoice item's tax (name, percent, PayPal's amount), a checkout
 * order item's tax (an amount per unit, no rate), each mapped to a canonical tax the billing config matches, and the
 * Odoo document planned from it totalling exactly what PayPal charged.
 */

const FIXTURES = join(__dirname, '../../../fixtures/paypal');
const usd = (value: string) => ({ currency_code: 'USD', value });
const fixture = (name: string) => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as { resource: Record<string, unknown> };

/** The real sandbox invoice (INVOICING.INVOICE.PAID, artconomy) with its items, totals and configuration replaced. */
function paidInvoice(parts: { items: unknown[]; amount: unknown; paid: string; configuration?: Record<string, unknown> }) {
  const invoice = (fixture('INVOICING.INVOICE.PAID.sandbox.artconomy.json').resource as { invoice: Record<string, unknown> }).invoice;
  return paypalInvoiceSchema.parse({
    ...invoice,
    items: parts.items,
    amount: parts.amount,
    configuration: { ...(invoice.configuration as object), ...parts.configuration },
    due_amount: usd('0.00'),
    payments: { paid_amount: usd(parts.paid), transactions: [{ payment_id: '8E2904407M872241P', type: 'PAYPAL', amount: usd(parts.paid), payment_date: '2023-07-25' }] },
  });
}

/** The real sandbox capture (PAYMENT.CAPTURE.COMPLETED) of `total`, and a checkout order of these items. */
function captureOf(total: string, items: unknown[], breakdown: Record<string, unknown>) {
  const capture = paypalCaptureSchema.parse({ ...fixture('PAYMENT.CAPTURE.COMPLETED.sandbox.json').resource, amount: usd(total) });
  const order = paypalOrderSchema.parse({
    id: '89T257400V0473133',
    status: 'COMPLETED',
    payer: { payer_id: 'QYR5Z8XDVJNXQ', email_address: 'payer@example.com' },
    purchase_units: [{ reference_id: 'default', amount: { currency_code: 'USD', value: total, breakdown }, items }],
  });
  return { capture, order };
}

const ODOO_TAXES: Record<number, OdooTaxRate> = {
  8: { id: 8, percent: '8', priceInclude: false },
  825: { id: 825, percent: '8.25', priceInclude: false },
  20: { id: 20, percent: '20', priceInclude: true },
};
const CONFIG: BillingConfig = {
  companies: [{ account: '*', currency: '*', companyId: 1, salesJournalId: 1, bankJournalId: 6 }],
  taxes: [
    { name: 'Sales Tax', percentage: '8.25', inclusive: false, companyId: 1, odooTaxId: 825 },
    { percentage: '8', inclusive: false, companyId: 1, odooTaxId: 8 },
    { name: 'VAT', inclusive: true, companyId: 1, odooTaxId: 20 },
  ],
  writeOffUncollectible: false,
  standingTags: { pastDue: 'Past due', disputed: 'Disputed', uncollectible: 'Uncollectible' },
};

/** The Odoo document the billing flow would post (the domain's plan, taxes matched by the config). */
function planned(snapshot: InvoiceSnapshot, config = CONFIG) {
  return planDocumentLines(snapshot, {
    precision: { currencyDecimals: 2, priceDigits: 2, quantityDigits: 2 },
    providerExponent: 2,
    providerName: 'PayPal',
    odooTaxFor: (tax) => {
      const id = configuredOdooTaxId(config, 1, tax);
      return id === undefined ? undefined : ODOO_TAXES[id];
    },
  });
}

function refusal(attempt: () => unknown): Error {
  try {
    attempt();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a refusal');
}

describe('exactPercentOf: the rate a tax amount is of its base, only when exact', () => {
  it('gives the plain decimal rate up to four decimals, nothing for a rate that does not terminate or needs more', () => {
    expect(exactPercentOf(160, 2000)).toBe('8');
    expect(exactPercentOf(83, 1000)).toBe('8.3');
    expect(exactPercentOf(825, 10000)).toBe('8.25');
    expect(exactPercentOf(0, 999)).toBe('0');
    expect(exactPercentOf(82, 999)).toBeUndefined();
    expect(exactPercentOf(1, 3)).toBeUndefined();
    // 0.00001 % would need five decimals: an Odoo rate has four.
    expect(exactPercentOf(1, 10_000_000)).toBeUndefined();
    expect(exactPercentOf(5, 0)).toBeUndefined();
  });
});

describe('a taxed PayPal invoice (Invoicing v2: tax name, percent and PayPal’s amount per item)', () => {
  // 3 × 9.99 at 8.25 % = 2.472… → 2.47; 1 × 15.00 at 8.25 % = 1.2375 → 1.24 (PayPal rounds each item's tax).
  const invoice = paidInvoice({
    items: [
      { id: 'ITEM-1', name: 'Seat', quantity: '3', unit_amount: usd('9.99'), tax: { name: 'Sales Tax', percent: '8.25', amount: usd('2.47') } },
      { id: 'ITEM-2', name: 'Setup', quantity: '1', unit_amount: usd('15.00'), tax: { name: 'Sales Tax', percent: '8.25', amount: usd('1.24') } },
    ],
    amount: { currency_code: 'USD', value: '48.68', breakdown: { item_total: usd('44.97'), tax_total: usd('3.71') } },
    paid: '48.68',
  });

  it('maps each item’s tax to a canonical percent tax with PayPal’s name and amount', () => {
    const snapshot = invoiceSnapshotFromPaypalInvoice(invoice);
    expect(snapshot.lines.map((line) => [line.amount, line.taxes])).toEqual([
      [2997, [{ amount: 247, taxableAmount: 2997, taxRateId: null, percentage: '8.25', inclusive: false, label: 'Sales Tax' }]],
      [1500, [{ amount: 124, taxableAmount: 1500, taxRateId: null, percentage: '8.25', inclusive: false, label: 'Sales Tax' }]],
    ]);
    expect(snapshot).toMatchObject({ totalTax: 371, total: 4868 });
  });

  it('is booked on the Odoo tax the config names for "Sales Tax" 8.25 %, the Odoo totals equal to PayPal’s to the cent', () => {
    const plan = planned(invoiceSnapshotFromPaypalInvoice(invoice));
    expect(plan.lines.map((line) => line.taxIds)).toEqual([[825], [825]]);
    expect(plan).toMatchObject({ untaxed: 4497, tax: 371, total: 4868, roundingDifference: 0, taxDifference: 0 });
  });

  it('when PayPal’s tax is a cent off Odoo’s per-line rounding, Odoo books exactly what PayPal charged (one rounding line)', () => {
    // 3 × 3.33 at 8.25 %: PayPal's item says 0.81 (0.2747… rounded per unit, × 3); Odoo rounds the line, 0.8241… → 0.82.
    const perUnit = paidInvoice({
      items: [{ id: 'ITEM-1', name: 'Seat', quantity: '3', unit_amount: usd('3.33'), tax: { name: 'Sales Tax', percent: '8.25', amount: usd('0.81') } }],
      amount: { currency_code: 'USD', value: '10.80', breakdown: { item_total: usd('9.99'), tax_total: usd('0.81') } },
      paid: '10.80',
    });
    const plan = planned(invoiceSnapshotFromPaypalInvoice(perUnit));
    expect(plan).toMatchObject({ total: 1080, tax: 82, roundingDifference: -1, taxDifference: -1 });
    expect(plan.lines.at(-1)).toMatchObject({ name: roundingLineLabel('PayPal'), untaxed: -1, taxIds: [] });
  });

  it('a tax-inclusive invoice’s tax is inside the price; matched by name alone when the entry gives no percent', () => {
    const inclusive = paidInvoice({
      items: [{ id: 'ITEM-1', name: 'Course', quantity: '1', unit_amount: usd('120.00'), tax: { name: 'vat ', percent: '20', amount: usd('20.00') } }],
      amount: { currency_code: 'USD', value: '120.00', breakdown: { item_total: usd('120.00'), tax_total: usd('20.00') } },
      paid: '120.00',
      configuration: { tax_inclusive: true },
    });
    const snapshot = invoiceSnapshotFromPaypalInvoice(inclusive);
    expect(snapshot.lines[0]!.taxes).toEqual([{ amount: 2000, taxableAmount: 10000, taxRateId: null, percentage: '20', inclusive: true, label: 'vat ' }]);
    expect(planned(snapshot)).toMatchObject({ untaxed: 10000, tax: 2000, total: 12000, roundingDifference: 0 });
  });

  it('an item whose tax has an amount but no percent gets the rate when it is exact, and is refused naming the item when not', () => {
    const withoutPercent = (amount: string) =>
      paidInvoice({
        items: [{ id: 'ITEM-9', name: 'Seat', quantity: '1', unit_amount: usd('10.00'), tax: { name: 'State', amount: usd(amount) } }],
        amount: { currency_code: 'USD', value: (10 + Number(amount)).toFixed(2), breakdown: { item_total: usd('10.00'), tax_total: usd(amount) } },
        paid: (10 + Number(amount)).toFixed(2),
      });
    expect(invoiceSnapshotFromPaypalInvoice(withoutPercent('0.80')).lines[0]!.taxes[0]).toMatchObject({ percentage: '8', amount: 80 });
    const error = refusal(() => invoiceSnapshotFromPaypalInvoice(paypalInvoiceSchema.parse({ ...withoutPercent('0.80'), items: [{ id: 'ITEM-9', name: 'Seat', quantity: '3', unit_amount: usd('3.33'), tax: { amount: usd('0.80') } }] })));
    expect(error).toBeInstanceOf(UnbookablePaypalTaxError);
    expect(error.message).toContain('item ITEM-9');
    expect(isRetryable(error)).toBe(false);
  });

  it('refuses, naming the item, a tax PayPal computed before the item’s discount (Odoo taxes the discounted price)', () => {
    const beforeDiscount = paidInvoice({
      items: [{ id: 'ITEM-1', name: 'Seat', quantity: '1', unit_amount: usd('100.00'), discount: { percent: '10' }, tax: { name: 'Sales Tax', percent: '8', amount: usd('8.00') } }],
      amount: { currency_code: 'USD', value: '98.00', breakdown: { item_total: usd('100.00'), tax_total: usd('8.00'), discount: { item_discount: usd('-10.00') } } },
      paid: '98.00',
      configuration: { tax_calculated_after_discount: false },
    });
    const error = refusal(() => invoiceSnapshotFromPaypalInvoice(beforeDiscount));
    expect(error).toBeInstanceOf(UnbookablePaypalTaxError);
    expect(error.message).toContain('item ITEM-1 is taxed on its amount before its discount');
    // After the discount (PayPal's default) the same item is booked: 90.00 + 8 % = 97.20.
    const after = paidInvoice({
      items: [{ id: 'ITEM-1', name: 'Seat', quantity: '1', unit_amount: usd('100.00'), discount: { percent: '10' }, tax: { name: 'Sales Tax', percent: '8', amount: usd('7.20') } }],
      amount: { currency_code: 'USD', value: '97.20', breakdown: { item_total: usd('100.00'), tax_total: usd('7.20'), discount: { item_discount: usd('-10.00') } } },
      paid: '97.20',
      configuration: { tax_calculated_after_discount: true },
    });
    expect(planned(invoiceSnapshotFromPaypalInvoice(after))).toMatchObject({ untaxed: 9000, tax: 720, total: 9720, roundingDifference: 0 });
  });

  it('refuses a taxed invoice whose invoice-level discount PayPal takes off before taxing', () => {
    const spread = paidInvoice({
      items: [{ id: 'ITEM-1', name: 'Seat', quantity: '1', unit_amount: usd('100.00'), tax: { name: 'Sales Tax', percent: '8', amount: usd('7.20') } }],
      amount: { currency_code: 'USD', value: '97.20', breakdown: { item_total: usd('100.00'), tax_total: usd('7.20'), discount: { invoice_discount: { amount: usd('-10.00') } } } },
      paid: '97.20',
      configuration: { tax_calculated_after_discount: true },
    });
    expect(refusal(() => invoiceSnapshotFromPaypalInvoice(spread))).toBeInstanceOf(UnbookablePaypalTaxError);
  });
});

describe('a taxed checkout order (Orders v2: a tax amount per unit, no rate)', () => {
  it('derives each item’s exact rate from its unit tax; the config’s 8 % books it with PayPal’s total to the cent', () => {
    // The PayPal sandbox client's order: 3 × 20.00 (1.60 tax each) + 30.00 (2.40), shipping 2.80 → 100.00.
    const { capture, order } = captureOf(
      '100.00',
      [
        { name: 'Seat', quantity: '3', unit_amount: usd('20.00'), tax: usd('1.60'), sku: 'SEAT' },
        { name: 'Setup', quantity: '1', unit_amount: usd('30.00'), tax: usd('2.40') },
      ],
      { item_total: usd('90.00'), tax_total: usd('7.20'), shipping: usd('2.80') },
    );
    const snapshot = invoiceSnapshotFromPaypalCapture(capture, order);
    expect(snapshot.lines.map((line) => [line.description, line.amount, line.taxes.map((tax) => [tax.amount, tax.percentage, tax.label])])).toEqual([
      ['Seat', 6000, [[480, '8', null]]],
      ['Setup', 3000, [[240, '8', null]]],
      ['Shipping', 280, []],
    ]);
    expect(snapshot).toMatchObject({ totalTax: 720, total: 10000 });
    const plan = planned(snapshot);
    expect(plan.lines.map((line) => line.taxIds)).toEqual([[8], [8], []]);
    expect(plan).toMatchObject({ untaxed: 9280, tax: 720, total: 10000, roundingDifference: 0 });
  });

  it('refuses, naming the item, a unit tax that is no exact rate of its price (a rounded tax: the rate would be a guess)', () => {
    const { capture, order } = captureOf('10.82', [{ name: 'Widget', quantity: '1', unit_amount: usd('9.99'), tax: usd('0.83') }], { item_total: usd('9.99'), tax_total: usd('0.83') });
    const error = refusal(() => invoiceSnapshotFromPaypalCapture(capture, order));
    expect(error).toBeInstanceOf(UnbookablePaypalTaxError);
    expect(error.message).toContain(`capture ${capture.id} of order 89T257400V0473133 item 1 has a tax of 83 minor units per unit of 999`);
    expect(isRetryable(error)).toBe(false);
  });

  it('refuses an order whose tax total is not its items’ taxes (which item bears it is unknown)', () => {
    const { capture, order } = captureOf('10.80', [{ name: 'Widget', quantity: '1', unit_amount: usd('10.00') }], { item_total: usd('10.00'), tax_total: usd('0.80') });
    expect(refusal(() => invoiceSnapshotFromPaypalCapture(capture, order)).message).toContain('has a tax total of 80 minor units where its items');
  });
});

describe('configuredOdooTaxId: a provider tax by rate id, else by name, else by percentage', () => {
  const tax = (label: string | null, percentage: string | null, inclusive = false, taxRateId: string | null = null) => ({ amount: 0, taxableAmount: null, taxRateId, percentage, inclusive, label });
  const config: BillingConfig = {
    ...CONFIG,
    taxes: [
      { taxRateId: 'txr_1', inclusive: false, companyId: 1, odooTaxId: 1 },
      { name: 'Sales Tax', percentage: '8.25', inclusive: false, companyId: 1, odooTaxId: 825 },
      { name: 'City Tax', inclusive: false, companyId: 1, odooTaxId: 2 },
      { percentage: '8.25', inclusive: false, companyId: 1, odooTaxId: 3 },
      { name: 'Sales Tax', percentage: '8.25', inclusive: false, companyId: 2, odooTaxId: 4 },
    ],
  };

  it('matches the name trimmed and case-insensitively, the entry’s percentage pinning it; then the unnamed percentage entries', () => {
    expect(configuredOdooTaxId(config, 1, tax('  sales TAX ', '8.250'))).toBe(825);
    expect(configuredOdooTaxId(config, 2, tax('Sales Tax', '8.25'))).toBe(4);
    // Another rate under the same name: not that entry; an unnamed 8.25 % entry takes a tax of another name.
    expect(configuredOdooTaxId(config, 1, tax('Sales Tax', '9'))).toBeUndefined();
    expect(configuredOdooTaxId(config, 1, tax('County', '8.25'))).toBe(3);
    // A name-only entry takes any rate of that name (the plan's total check still guards the rate).
    expect(configuredOdooTaxId(config, 1, tax('City Tax', '1.5'))).toBe(2);
    expect(configuredOdooTaxId(config, 1, tax('City Tax', null))).toBe(2);
    // Inclusiveness must agree.
    expect(configuredOdooTaxId(config, 1, tax('City Tax', '1.5', true))).toBeUndefined();
    // A rate id the config maps wins over the name.
    expect(configuredOdooTaxId(config, 1, tax('Sales Tax', '8.25', false, 'txr_1'))).toBe(1);
  });
});
