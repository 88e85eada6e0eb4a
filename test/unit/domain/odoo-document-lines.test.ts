import { describe, expect, it } from 'vitest';
import type { DocumentLine, LineTax } from '../../../events/billing-parts';
import {
  DocumentTotalMismatchError,
  exactQuantityAndPrice,
  type OdooTaxRate,
  planDocumentLines,
  roundingLineLabel,
  simulateLineTaxes,
  UnmappedTaxError,
} from '../../../functions/domain/odoo-document-lines';

/** Mulberry32: a seeded PRNG, so a failing case can be replayed. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Odoo's arithmetic, written independently of the module under test, with floats as Odoo has them:
 * `float_round` HALF-UP with its epsilon, price_unit × quantity as a float product, the Odoo 18 tax formulas.
 */
function floatRound(value: number, decimals: number): number {
  const factor = 10 ** -decimals;
  let normalized = value / factor;
  if (normalized === 0) return 0;
  const sign = Math.sign(normalized);
  normalized += sign * 2 ** (Math.log2(Math.abs(normalized)) - 52);
  return (sign * Math.floor(Math.abs(normalized) + 0.5)) * factor;
}
function odooReferenceTotal(lines: Array<{ quantity: number; priceUnit: number; taxIds: number[] }>, taxes: Map<number, OdooTaxRate>, decimals: number) {
  let untaxed = 0;
  let tax = 0;
  for (const line of lines) {
    const priceUnit = floatRound(line.priceUnit, 2); // Product Price precision
    const raw = priceUnit * line.quantity;
    const lineTaxes = line.taxIds.map((id) => taxes.get(id)!);
    const included = lineTaxes.filter((t) => t.priceInclude);
    if (included.length > 0) {
      const totalPercent = included.reduce((sum, t) => sum + Number(t.percent), 0) / 100;
      const taxAmounts = included.map((t) => floatRound(raw * (1 / (1 + totalPercent)) * (Number(t.percent) / 100), decimals));
      const lineTax = taxAmounts.reduce((a, b) => a + b, 0);
      tax += lineTax;
      untaxed += floatRound(raw, decimals) - lineTax;
    } else {
      untaxed += floatRound(raw, decimals);
      tax += lineTaxes.reduce((sum, t) => sum + floatRound(raw * (Number(t.percent) / 100), decimals), 0);
    }
  }
  const minor = (amount: number) => Math.round(amount * 10 ** decimals);
  return { untaxed: minor(untaxed), tax: minor(tax), total: minor(floatRound(untaxed + tax, decimals)) };
}

interface CurrencyCase {
  code: string;
  decimals: number;
  taxes: Array<{ stripe: Omit<LineTax, 'amount' | 'taxableAmount'> | null; odoo: OdooTaxRate | null }>;
}
const tax = (id: number, percent: string, inclusive: boolean) => ({
  stripe: { taxRateId: `txr_${id}`, percentage: percent, inclusive, label: `VAT ${percent}` },
  odoo: { id, percent, priceInclude: inclusive },
});
const CURRENCIES: CurrencyCase[] = [
  { code: 'usd', decimals: 2, taxes: [{ stripe: null, odoo: null }, tax(1, '8.875', false), tax(2, '7.25', false)] },
  { code: 'eur', decimals: 2, taxes: [{ stripe: null, odoo: null }, tax(3, '19', false), tax(4, '19', true), tax(5, '7', true)] },
  { code: 'jpy', decimals: 0, taxes: [{ stripe: null, odoo: null }, tax(6, '10', false), tax(7, '10', true), tax(8, '8', false)] },
  { code: 'kwd', decimals: 3, taxes: [{ stripe: null, odoo: null }, tax(9, '5', false), tax(10, '15', true)] },
];

/** Stripe's side: its own per-line tax (half-even or half-up, or spread from a document-level rounding). */
function stripeInvoice(random: () => number, currency: CurrencyCase) {
  const lineCount = 1 + Math.floor(random() * 6);
  const taxChoice = currency.taxes[Math.floor(random() * currency.taxes.length)]!;
  const scale = currency.decimals === 0 ? 1 : currency.decimals === 3 ? 1000 : 100;
  const halfEven = random() < 0.3;
  const lines: DocumentLine[] = [];
  for (let index = 0; index < lineCount; index++) {
    const quantity = random() < 0.15 ? 0 : random() < 0.5 ? 1 : 1 + Math.floor(random() * 12);
    const exactUnit = random() < 0.5;
    const unit = Math.floor(random() * 500 * scale) + (random() < 0.2 ? 0 : 1);
    let amount = quantity === 0 ? 0 : exactUnit ? unit * quantity : Math.floor(random() * 5000 * scale);
    if (random() < 0.08) amount = -amount; // a proration credit
    const discount = random() < 0.3 && amount > 0 ? Math.floor(random() * amount * 0.4) : 0;
    const net = amount - discount;
    const taxes: LineTax[] = [];
    if (taxChoice.stripe && taxChoice.odoo) {
      const p = Number(taxChoice.odoo.percent);
      const raw = taxChoice.odoo.priceInclude ? (net * p) / (100 + p) : (net * p) / 100;
      const rounded = halfEven ? roundHalfEven(raw) : Math.sign(raw) * Math.round(Math.abs(raw));
      taxes.push({ ...taxChoice.stripe, amount: rounded, taxableAmount: taxChoice.odoo.priceInclude ? net - rounded : net });
    }
    lines.push({
      id: `il_${index}`,
      description: `Seat ${index}`,
      priceId: `price_${index}`,
      productId: null,
      quantity,
      amount,
      discountAmount: discount,
      taxes,
      periodStart: '2026-11-01T00:00:00Z',
      periodEnd: '2026-12-01T00:00:00Z',
      proration: false,
    });
  }
  const totalTax = lines.reduce((sum, line) => sum + line.taxes.reduce((s, t) => s + t.amount, 0), 0);
  const exclusiveTax = lines.reduce((sum, line) => sum + line.taxes.filter((t) => !t.inclusive).reduce((s, t) => s + t.amount, 0), 0);
  const net = lines.reduce((sum, line) => sum + line.amount - line.discountAmount, 0);
  // Stripe sometimes rounds at the document level: shift a cent between lines now and then.
  const documentShift = random() < 0.1 && lineCount > 1 ? (random() < 0.5 ? 1 : -1) : 0;
  return { lines, total: net + exclusiveTax + (exclusiveTax !== 0 ? documentShift : 0), totalTax: totalTax + (exclusiveTax !== 0 ? documentShift : 0), currency };
}
function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const diff = value - floor;
  if (Math.abs(diff - 0.5) < 1e-9) return floor % 2 === 0 ? floor : floor + 1;
  return Math.round(value);
}

const precisionFor = (decimals: number) => ({ currencyDecimals: decimals, priceDigits: 2, quantityDigits: 2 });

describe('planDocumentLines (property: the Odoo total equals the Stripe total)', () => {
  it('holds over 2000 seeded random invoices in USD, EUR (19% VAT), JPY and KWD, by an independent float model of Odoo', () => {
    const random = prng(20261123);
    let roundingLines = 0;
    let requantified = 0;
    for (let run = 0; run < 2000; run++) {
      const currency = CURRENCIES[run % CURRENCIES.length]!;
      const invoice = stripeInvoice(random, currency);
      const odooTaxes = new Map(currency.taxes.filter((t) => t.odoo).map((t) => [t.odoo!.id, t.odoo!]));
      const plan = planDocumentLines(
        { currency: currency.code, lines: invoice.lines, total: invoice.total, totalTax: invoice.totalTax },
        {
          precision: precisionFor(currency.decimals),
          providerExponent: currency.decimals,
          providerName: 'Stripe',
          odooTaxFor: (lineTax) => currency.taxes.find((t) => t.stripe?.taxRateId === lineTax.taxRateId)?.odoo ?? undefined,
        },
      );
      const reference = odooReferenceTotal(plan.lines, odooTaxes, currency.decimals);
      const context = `run ${run} ${currency.code} ${JSON.stringify(invoice)}`;
      expect(reference.total, context).toBe(invoice.total);
      expect(plan.total, context).toBe(invoice.total);
      expect(reference.tax, context).toBe(plan.tax);
      expect(Math.abs(plan.roundingDifference)).toBeLessThanOrEqual(invoice.lines.length);
      // Every line carries its net amount exactly, at 2-decimal prices and quantities.
      for (const line of plan.lines) {
        expect(Number.isInteger(Math.round(line.priceUnit * 100 * 1e6) / 1e6)).toBe(true);
        expect(Math.round(line.quantity * 100)).toBeCloseTo(line.quantity * 100, 9);
      }
      if (plan.roundingDifference !== 0) roundingLines++;
      if (plan.lines.some((line) => line.name.includes('(quantity'))) requantified++;
    }
    // The generator does exercise both rules.
    expect(roundingLines).toBeGreaterThan(20);
    expect(requantified).toBeGreaterThan(100);
  });
});

describe('planDocumentLines (examples)', () => {
  const line = (overrides: Partial<DocumentLine>): DocumentLine => ({
    id: 'il_1', description: 'Pro plan', priceId: 'price_pro', productId: null, quantity: 1, amount: 0, discountAmount: 0, taxes: [],
    periodStart: null, periodEnd: null, proration: false, ...overrides,
  });
  const vat19: LineTax = { amount: 0, taxableAmount: null, taxRateId: 'txr_de', percentage: '19.0', inclusive: false, label: 'DE VAT' };
  const plan = (lines: DocumentLine[], total: number, totalTax: number, decimals = 2, odooTaxFor = (_t: LineTax) => ({ id: 3, percent: '19', priceInclude: false }) as OdooTaxRate | undefined) =>
    planDocumentLines({ currency: 'eur', lines, total, totalTax }, { precision: precisionFor(decimals), providerExponent: decimals, providerName: 'Stripe', odooTaxFor });

  it('nets the discount into the price and keeps a quantity that divides exactly', () => {
    const result = plan([line({ quantity: 3, amount: 3000, discountAmount: 300, taxes: [{ ...vat19, amount: 513 }] })], 3213, 513);
    expect(result.lines).toEqual([expect.objectContaining({ quantity: 3, priceUnit: 9, taxIds: [3], untaxed: 2700, tax: 513, name: 'Pro plan' })]);
    expect(result.roundingDifference).toBe(0);
  });

  it('uses quantity 1 and names the real quantity when the unit price is not exact', () => {
    const result = plan([line({ quantity: 3, amount: 1000, periodStart: '2026-11-01T00:00:00Z', periodEnd: '2026-12-01T00:00:00Z' })], 1000, 0, 2, () => undefined);
    expect(result.lines[0]).toMatchObject({ quantity: 1, priceUnit: 10, name: 'Pro plan (2026-11-01 – 2026-12-01) (quantity 3)' });
  });

  it('writes a KWD amount in fils with quantity 0.1 when prices have 2 decimals', () => {
    expect(exactQuantityAndPrice(1234, 1, precisionFor(3))).toEqual({ quantity: 0.1, priceUnit: 12.34, quantityKept: false });
    expect(exactQuantityAndPrice(1230, 1, precisionFor(3))).toEqual({ quantity: 1, priceUnit: 1.23, quantityKept: true });
  });

  it('adds a visible untaxed rounding line for a one-cent difference', () => {
    const result = plan([line({ amount: 1005, taxes: [{ ...vat19, amount: 190 }] })], 1195, 190);
    // Odoo: round(10.05 × 19%) = 1.91 → 11.96; Stripe says 11.95.
    expect(result.lines[1]).toMatchObject({ name: roundingLineLabel('Stripe'), priceUnit: -0.01, taxIds: [] });
    expect(result.total).toBe(1195);
  });

  it('refuses a difference larger than a rounding, and an unmapped tax, naming it', () => {
    expect(() => plan([line({ amount: 1000, taxes: [{ ...vat19, amount: 160 }] })], 1160, 160)).toThrow(DocumentTotalMismatchError);
    expect(() => plan([line({ amount: 1000, taxes: [{ ...vat19, amount: 190 }] })], 1190, 190, 2, () => undefined)).toThrow(/txr_de/);
    expect(() => plan([line({ amount: 1000, taxes: [{ ...vat19, amount: 190 }] })], 1190, 190, 2, () => undefined)).toThrow(UnmappedTaxError);
  });

  it('simulates included taxes as Odoo does: the line total stays the gross', () => {
    expect(simulateLineTaxes(999, [{ id: 4, percent: '19', priceInclude: true }])).toEqual({ untaxed: 839, tax: 160, perTax: [160] });
    expect(simulateLineTaxes(-999, [{ id: 1, percent: '8.875', priceInclude: false }])).toEqual({ untaxed: -999, tax: -89, perTax: [-89] });
  });
});
