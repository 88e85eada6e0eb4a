import * as z from 'zod/mini';
import type { DocumentLine, LineTax } from '../../../events/billing-parts';
import type { CustomerSnapshot } from '../../../events/customer-upserted';
import type { InvoiceSnapshot } from '../../../events/invoice-finalized';
import type { SubscriptionSnapshot } from '../../../events/subscription-updated';
import { paypalCurrencyExponent } from './paypal-currencies';
import {
  customerSnapshotFromPaypalPayer,
  isoTime,
  isoTimeOrNull,
  livemodeOf,
  MalformedPaypalObjectError,
  moneyOf,
  paypalAddressSchema,
  paypalLinksSchema,
  paypalMoneySchema,
  paypalNameSchema,
  type PaypalMoney,
} from './paypal-object-mapping';
import type { PaymentSnapshot, PaypalCapture, PaypalSale } from './paypal-payment-mapping';

/**
 * The three PayPal documents that become an Odoo customer invoice, each as the canonical invoice snapshot with
 * PayPal's own totals to the minor unit: a PayPal invoice (`INVOICING.INVOICE.PAID`, its own lines), a checkout
 * order's capture (the order's items), a subscription cycle's payment (the plan). Quantities times prices are
 * multiplied in integers (bigint), never in floats; a product that is not a whole number of minor units is refused.
 */

// ---------------------------------------------------------------------------------------------------
// Exact arithmetic on PayPal's decimal strings

/** `quantity` (a decimal string: "1", "2.5") × `unit` minor units, exactly, or an error. */
function quantityTimes(quantity: string, unit: number, what: string): number {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(quantity);
  if (!match) throw new MalformedPaypalObjectError(`${what} has quantity "${quantity}", not a decimal`);
  const fraction = (match[2] ?? '').replace(/0+$/, '');
  const scaled = BigInt(match[1] + fraction) * BigInt(unit);
  const divisor = 10n ** BigInt(fraction.length);
  if (scaled % divisor !== 0n) throw new MalformedPaypalObjectError(`${what}: ${quantity} × ${unit} is not a whole number of minor units`);
  return Number(scaled / divisor);
}

/** `percent` (a decimal string) of `base` minor units, rounded half away from zero, as PayPal rounds a computed tax. */
function percentOf(base: number, percent: string, what: string): number {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(percent);
  if (!match) throw new MalformedPaypalObjectError(`${what} has percent "${percent}", not a decimal`);
  const fraction = match[2] ?? '';
  const numerator = BigInt(base) * BigInt(match[1] + fraction);
  const denominator = 100n * 10n ** BigInt(fraction.length);
  const magnitude = numerator < 0n ? -numerator : numerator;
  const rounded = (2n * magnitude + denominator) / (2n * denominator);
  return Number(numerator < 0n ? -rounded : rounded);
}

/** The tax inside a tax-inclusive `gross`: gross × p / (100 + p), rounded half away from zero, in integers. */
function inclusiveShareOf(gross: number, percent: string, what: string): number {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(percent);
  if (!match) throw new MalformedPaypalObjectError(`${what} has percent "${percent}", not a decimal`);
  const fraction = match[2] ?? '';
  const rate = BigInt(match[1] + fraction);
  const hundred = 100n * 10n ** BigInt(fraction.length);
  const numerator = BigInt(gross) * rate;
  const denominator = hundred + rate;
  return Number((2n * numerator + denominator) / (2n * denominator));
}

/**
 * A PayPal tax that Odoo cannot book as PayPal computed it (a rate that is not exact, a tax on the amount before
 * a discount Odoo nets into the price). Permanent: the ingest sets the webhook aside, a flow dead-letters the event,
 * each with this reason naming the item — guessing would make the Odoo total differ from what PayPal charged.
 */
export class UnbookablePaypalTaxError extends MalformedPaypalObjectError {
  override name = 'UnbookablePaypalTaxError';
}

/** Decimals of an Odoo tax's percentage (`account.tax.amount`, digits 16,4): a derived rate must fit them. */
const ODOO_PERCENT_DECIMALS = 4;

/**
 * The rate `tax` is of `base`, as a plain decimal percentage (`"8.25"`), when it is exact with at most four decimals
 * (tax × 100 / base, in integers); undefined otherwise (3.33… % cannot be a configured Odoo rate). Exact means the
 * rate reproduces PayPal's tax without rounding, so Odoo's per-line tax equals PayPal's to the minor unit.
 */
export function exactPercentOf(tax: number, base: number): string | undefined {
  if (base <= 0 || tax < 0) return undefined;
  const numerator = BigInt(tax) * 100n * 10n ** BigInt(ODOO_PERCENT_DECIMALS);
  if (numerator % BigInt(base) !== 0n) return undefined;
  const digits = (numerator / BigInt(base)).toString().padStart(ODOO_PERCENT_DECIMALS + 1, '0');
  const whole = digits.slice(0, -ODOO_PERCENT_DECIMALS);
  const fraction = digits.slice(-ODOO_PERCENT_DECIMALS).replace(/0+$/, '');
  return fraction === '' ? whole : `${whole}.${fraction}`;
}

function minor(money: PaypalMoney | undefined, currency: string, what: string): number {
  if (money === undefined) return 0;
  const parsed = moneyOf(money, what);
  if (parsed.currency !== currency) throw new MalformedPaypalObjectError(`${what} is in ${parsed.currency.toUpperCase()}, the document in ${currency.toUpperCase()}`);
  return parsed.amount;
}

function extraLine(id: string, description: string, amount: number): DocumentLine {
  return { id, description, priceId: null, productId: null, quantity: 1, amount, discountAmount: 0, taxes: [], periodStart: null, periodEnd: null, proration: false };
}

/** A PayPal invoice's or plan's percent tax on one line. */
function percentTax(input: { amount: number; taxable: number; percent: string | undefined; inclusive: boolean; label: string | null | undefined }): LineTax {
  return {
    amount: input.amount,
    taxableAmount: input.taxable,
    taxRateId: null,
    // A plain decimal ("8.25"), exactly as PayPal wrote it.
    percentage: input.percent !== undefined && /^\d+(\.\d+)?$/.test(input.percent) ? input.percent : null,
    inclusive: input.inclusive,
    label: input.label ?? null,
  };
}

// ---------------------------------------------------------------------------------------------------
// PayPal invoices (Invoicing v2)

/**
 * The canonical tax of one invoice item: PayPal's amount (its own rounding; computed as PayPal does when the
 * invoice omits it), PayPal's percent and tax name — the name and the percent are what the billing config matches
 * an Odoo tax by. An item without a percent gets the rate its amount is of its base when that rate is exact;
 * an item taxed on its amount before its discount (`tax_calculated_after_discount: false`) cannot be booked: Odoo
 * taxes the discounted price.
 */
function invoiceItemTax(
  tax: { name?: string | undefined; percent?: string | undefined; amount?: PaypalMoney | undefined },
  item: { amount: number; discount: number; currency: string; inclusive: boolean; taxAfterDiscount: boolean; what: string },
): LineTax {
  const { what } = item;
  if (!item.taxAfterDiscount && item.discount !== 0) {
    throw new UnbookablePaypalTaxError(`${what} is taxed on its amount before its discount: Odoo taxes the discounted price, so its tax would differ from PayPal's`);
  }
  const taxable = item.amount - item.discount;
  const percent = tax.percent !== undefined && /^\d+(\.\d+)?$/.test(tax.percent) ? tax.percent : undefined;
  if (tax.percent !== undefined && percent === undefined) throw new MalformedPaypalObjectError(`${what} has tax percent "${tax.percent}", not a decimal`);
  const amount = tax.amount
    ? minor(tax.amount, item.currency, what)
    : percent === undefined
      ? 0
      : item.inclusive
        ? inclusiveShareOf(taxable, percent, what)
        : percentOf(taxable, percent, what);
  const rate = percent ?? (amount === 0 ? '0' : exactPercentOf(amount, item.inclusive ? taxable - amount : taxable));
  if (rate === undefined) {
    throw new UnbookablePaypalTaxError(`${what} has a tax of ${amount} minor units and no percent, and that is no exact rate of its ${taxable}: no Odoo tax can reproduce it`);
  }
  return percentTax({ amount, taxable: item.inclusive ? taxable - amount : taxable, percent: rate, inclusive: item.inclusive, label: tax.name });
}

const invoiceItemSchema = z.object({
  id: z.optional(z.string()),
  name: z.string(),
  description: z.optional(z.string()),
  quantity: z.string(),
  unit_amount: paypalMoneySchema,
  tax: z.optional(z.object({ name: z.optional(z.string()), percent: z.optional(z.string()), amount: z.optional(paypalMoneySchema) })),
  discount: z.optional(z.object({ percent: z.optional(z.string()), amount: z.optional(paypalMoneySchema) })),
});

const recipientSchema = z.object({
  billing_info: z.optional(
    z.object({
      email_address: z.optional(z.string()),
      business_name: z.optional(z.string()),
      name: paypalNameSchema,
      address: paypalAddressSchema,
      phones: z.optional(z.array(z.object({ national_number: z.optional(z.string()), country_code: z.optional(z.string()) }))),
    }),
  ),
});

export const paypalInvoiceSchema = z.object({
  id: z.string().check(z.regex(/^INV2-/)),
  status: z.string(),
  detail: z.object({
    currency_code: z.string(),
    invoice_number: z.optional(z.string()),
    invoice_date: z.optional(z.string()),
    payment_term: z.optional(z.object({ due_date: z.optional(z.string()) })),
    metadata: z.optional(z.object({ create_time: z.optional(z.string()), last_update_time: z.optional(z.string()) })),
  }),
  primary_recipients: z.optional(z.array(recipientSchema)),
  items: z.optional(z.array(invoiceItemSchema)),
  configuration: z.optional(z.object({ tax_inclusive: z.optional(z.boolean()), tax_calculated_after_discount: z.optional(z.boolean()) })),
  amount: z.object({
    value: z.string(),
    currency_code: z.string(),
    breakdown: z.optional(
      z.object({
        item_total: z.optional(paypalMoneySchema),
        tax_total: z.optional(paypalMoneySchema),
        discount: z.optional(z.object({ invoice_discount: z.optional(z.object({ amount: z.optional(paypalMoneySchema) })), item_discount: z.optional(paypalMoneySchema) })),
        shipping: z.optional(z.object({ amount: z.optional(paypalMoneySchema) })),
        custom: z.optional(z.object({ label: z.optional(z.string()), amount: z.optional(paypalMoneySchema) })),
      }),
    ),
  }),
  due_amount: z.optional(paypalMoneySchema),
  payments: z.optional(
    z.object({
      paid_amount: z.optional(paypalMoneySchema),
      transactions: z.optional(
        z.array(
          z.object({
            payment_id: z.optional(z.string()),
            type: z.optional(z.string()),
            method: z.optional(z.string()),
            payment_date: z.optional(z.string()),
            amount: paypalMoneySchema,
            transaction_status: z.optional(z.string()),
          }),
        ),
      ),
    }),
  ),
  links: paypalLinksSchema,
});
export type PaypalInvoice = z.infer<typeof paypalInvoiceSchema>;

/** The customer a PayPal invoice is addressed to (its first recipient: PayPal bills one). */
export function customerOfPaypalInvoice(invoice: PaypalInvoice): CustomerSnapshot {
  const billing = invoice.primary_recipients?.[0]?.billing_info;
  const phone = billing?.phones?.[0];
  return customerSnapshotFromPaypalPayer(
    {
      email: billing?.email_address,
      name: billing?.name,
      businessName: billing?.business_name,
      address: billing?.address,
      phone: phone?.national_number ? `${phone.country_code ? `+${phone.country_code} ` : ''}${phone.national_number}` : null,
    },
    livemodeOf(invoice.links),
    `invoice ${invoice.id}`,
  );
}

/**
 * A PayPal invoice as the canonical invoice: a line per item (quantity × unit price, its discount, its tax), and
 * the invoice-level discount, shipping and custom amount as lines of their own (Odoo has no document-level
 * amounts), so that the lines add up to PayPal's total.
 */
export function invoiceSnapshotFromPaypalInvoice(invoice: PaypalInvoice): InvoiceSnapshot {
  const what = `invoice ${invoice.id}`;
  const currency = invoice.detail.currency_code.toLowerCase();
  paypalCurrencyExponent(currency);
  const inclusive = invoice.configuration?.tax_inclusive === true;
  // PayPal's default is after the discount (Invoicing v2, `configuration`).
  const taxAfterDiscount = invoice.configuration?.tax_calculated_after_discount !== false;
  const lines: DocumentLine[] = (invoice.items ?? []).map((item, index) => {
    const lineWhat = `${what} item ${item.id ?? index + 1}`;
    const amount = quantityTimes(item.quantity, minor(item.unit_amount, currency, lineWhat), lineWhat);
    const discount = item.discount?.amount
      ? minor(item.discount.amount, currency, lineWhat)
      : item.discount?.percent
        ? percentOf(amount, item.discount.percent, lineWhat)
        : 0;
    const taxes = item.tax ? [invoiceItemTax(item.tax, { amount, discount, currency, inclusive, taxAfterDiscount, what: lineWhat })] : [];
    return {
      id: item.id ?? `${invoice.id}-${index + 1}`,
      description: item.description ? `${item.name} — ${item.description}` : item.name,
      priceId: null,
      productId: null,
      quantity: Number(item.quantity),
      amount,
      discountAmount: discount,
      taxes,
      periodStart: null,
      periodEnd: null,
      proration: false,
    };
  });
  const breakdown = invoice.amount.breakdown;
  const invoiceDiscount = minor(breakdown?.discount?.invoice_discount?.amount, currency, `${what} invoice discount`);
  if (invoiceDiscount !== 0 && taxAfterDiscount && lines.some((line) => line.taxes.some((tax) => tax.amount !== 0))) {
    // PayPal then spreads the invoice's discount over the taxed items before taxing them: no Odoo line can say so.
    throw new UnbookablePaypalTaxError(`${what} has an invoice-level discount that PayPal takes off before taxing its items: Odoo cannot book that tax line by line`);
  }
  if (invoiceDiscount !== 0) lines.push(extraLine(`${invoice.id}-discount`, 'Invoice discount', -Math.abs(invoiceDiscount)));
  const shipping = minor(breakdown?.shipping?.amount, currency, `${what} shipping`);
  if (shipping !== 0) lines.push(extraLine(`${invoice.id}-shipping`, 'Shipping', shipping));
  const custom = minor(breakdown?.custom?.amount, currency, `${what} custom amount`);
  if (custom !== 0) lines.push(extraLine(`${invoice.id}-custom`, breakdown?.custom?.label ?? 'Other', custom));

  const total = minor({ currency_code: invoice.amount.currency_code, value: invoice.amount.value }, currency, `${what} total`);
  const paid = minor(invoice.payments?.paid_amount, currency, `${what} paid amount`);
  const totalTax = breakdown?.tax_total ? minor(breakdown.tax_total, currency, `${what} tax total`) : lines.reduce((sum, line) => sum + line.taxes.reduce((t, tax) => t + tax.amount, 0), 0);
  return {
    system: 'paypal',
    account: null,
    customerId: customerOfPaypalInvoice(invoice).id,
    id: invoice.id,
    number: invoice.detail.invoice_number ?? null,
    subscriptionId: null,
    currency,
    issuedAt: isoTime(what, invoice.detail.invoice_date ? `${invoice.detail.invoice_date}T00:00:00Z` : undefined, invoice.detail.metadata?.create_time),
    dueAt: isoTimeOrNull(invoice.detail.payment_term?.due_date),
    billingReason: 'manual',
    lines,
    subtotal: lines.reduce((sum, line) => sum + line.amount, 0),
    totalDiscount: lines.reduce((sum, line) => sum + line.discountAmount, 0),
    totalTax,
    total,
    amountPaid: paid,
    amountRemaining: invoice.due_amount ? minor(invoice.due_amount, currency, `${what} due amount`) : total - paid,
    livemode: livemodeOf(invoice.links),
  };
}

/**
 * The PayPal payments recorded on an invoice, as canonical payments (one per transaction, keyed on its PayPal
 * payment id, so the invoice's later `PAID` events repeat none). Only money that went through PayPal: a payment
 * the merchant recorded by hand (type `EXTERNAL`: cash, a bank transfer) never reached the PayPal account, and
 * booking it on the PayPal journal would be wrong.
 */
export function paymentsOfPaypalInvoice(invoice: PaypalInvoice): PaymentSnapshot[] {
  const currency = invoice.detail.currency_code.toLowerCase();
  return (invoice.payments?.transactions ?? [])
    .filter((transaction) => (transaction.type ?? 'PAYPAL') === 'PAYPAL' && transaction.payment_id && (transaction.transaction_status ?? 'SUCCESS') !== 'FAILED')
    .map((transaction) => ({
      system: 'paypal' as const,
      account: null,
      customerId: customerOfPaypalInvoice(invoice).id,
      id: transaction.payment_id as string,
      invoiceId: invoice.id,
      amount: minor(transaction.amount, currency, `invoice ${invoice.id} payment ${transaction.payment_id}`),
      currency,
      paidAt: isoTime(`invoice ${invoice.id} payment`, transaction.payment_date ? `${transaction.payment_date}T00:00:00Z` : undefined, invoice.detail.metadata?.last_update_time),
    }));
}

// ---------------------------------------------------------------------------------------------------
// Checkout orders (Orders v2)

const orderItemSchema = z.object({
  name: z.string(),
  quantity: z.string(),
  unit_amount: paypalMoneySchema,
  /** Tax per unit (Orders v2 writes it so). */
  tax: z.optional(paypalMoneySchema),
  sku: z.optional(z.string()),
  description: z.optional(z.string()),
});

/**
 * The canonical tax of one order item. Orders v2 gives an item's tax as an amount per unit, never its rate: the rate
 * is derived — per unit, tax ÷ unit price — only when it is exact (at most four decimals, what an Odoo rate holds),
 * and then Odoo's tax of the line (quantity × price × rate) is exactly PayPal's (quantity × the unit's tax). A tax
 * that is no exact rate of its price (0.83 on 9.99: PayPal's merchant rounded it) is refused, naming the item,
 * rather than booked at a guessed rate. The derived rate carries no name: the config matches it by percentage.
 */
function orderItemTax(unitTax: number, unitAmount: number, line: { tax: number; taxable: number; what: string }): LineTax {
  const percent = exactPercentOf(unitTax, unitAmount);
  if (percent === undefined) {
    throw new UnbookablePaypalTaxError(
      `${line.what} has a tax of ${unitTax} minor units per unit of ${unitAmount}: no exact rate (at most ${ODOO_PERCENT_DECIMALS} decimals) gives it, so no Odoo tax can reproduce PayPal's`,
    );
  }
  return percentTax({ amount: line.tax, taxable: line.taxable, percent, inclusive: false, label: null });
}

export const paypalOrderSchema = z.object({
  id: z.string().check(z.minLength(1)),
  status: z.string(),
  create_time: z.optional(z.string()),
  update_time: z.optional(z.string()),
  payer: z.optional(
    z.object({
      payer_id: z.optional(z.string()),
      email_address: z.optional(z.string()),
      name: paypalNameSchema,
      address: paypalAddressSchema,
    }),
  ),
  purchase_units: z.array(
    z.object({
      reference_id: z.optional(z.string()),
      amount: z.object({
        currency_code: z.string(),
        value: z.string(),
        breakdown: z.optional(
          z.object({
            item_total: z.optional(paypalMoneySchema),
            tax_total: z.optional(paypalMoneySchema),
            shipping: z.optional(paypalMoneySchema),
            handling: z.optional(paypalMoneySchema),
            insurance: z.optional(paypalMoneySchema),
            discount: z.optional(paypalMoneySchema),
            shipping_discount: z.optional(paypalMoneySchema),
          }),
        ),
      }),
      items: z.optional(z.array(orderItemSchema)),
    }),
  ),
  links: paypalLinksSchema,
});
export type PaypalOrder = z.infer<typeof paypalOrderSchema>;

export function customerOfPaypalOrder(order: PaypalOrder): CustomerSnapshot {
  const payer = order.payer;
  return customerSnapshotFromPaypalPayer(
    { payerId: payer?.payer_id, email: payer?.email_address, name: payer?.name, address: payer?.address },
    livemodeOf(order.links),
    `order ${order.id}`,
  );
}

/**
 * The invoice of a checkout capture, from its order. A capture of the whole order (one purchase unit, same
 * amount) gets the order's items — quantity × unit price, their per-unit tax times the quantity, at the rate that
 * tax is exactly of the unit price (orderItemTax) — with shipping,
 * handling and insurance as lines and the discounts as a negative line. A partial capture (an order captured in
 * several parts) cannot honestly say which items it pays: one untaxed line of exactly the captured amount, naming
 * the order.
 */
export function invoiceSnapshotFromPaypalCapture(capture: PaypalCapture, order: PaypalOrder): InvoiceSnapshot {
  const what = `capture ${capture.id} of order ${order.id}`;
  const captured = moneyOf(capture.amount, `capture ${capture.id}`);
  const currency = captured.currency;
  const [unit, ...otherUnits] = order.purchase_units;
  const orderTotal = unit === undefined ? undefined : minor({ currency_code: unit.amount.currency_code, value: unit.amount.value }, currency, `order ${order.id} total`);
  const whole = unit !== undefined && otherUnits.length === 0 && orderTotal === captured.amount && (unit.items ?? []).length > 0;

  let lines: DocumentLine[];
  let totalTax = 0;
  if (whole && unit !== undefined) {
    lines = (unit.items ?? []).map((item, index) => {
      const lineWhat = `${what} item ${index + 1}`;
      const unitAmount = minor(item.unit_amount, currency, lineWhat);
      const amount = quantityTimes(item.quantity, unitAmount, lineWhat);
      const unitTax = item.tax ? minor(item.tax, currency, lineWhat) : 0;
      const tax = quantityTimes(item.quantity, unitTax, lineWhat);
      totalTax += tax;
      return {
        id: `${capture.id}-${index + 1}`,
        description: item.description ? `${item.name} — ${item.description}` : item.name,
        priceId: item.sku ?? null,
        productId: null,
        quantity: Number(item.quantity),
        amount,
        discountAmount: 0,
        taxes: unitTax === 0 ? [] : [orderItemTax(unitTax, unitAmount, { tax, taxable: amount, what: lineWhat })],
        periodStart: null,
        periodEnd: null,
        proration: false,
      };
    });
    const breakdown = unit.amount.breakdown;
    const taxTotal = breakdown?.tax_total === undefined ? undefined : minor(breakdown.tax_total, currency, `${what} tax total`);
    if (taxTotal !== undefined && taxTotal !== totalTax) {
      // PayPal refuses such an order (TAX_TOTAL_MISMATCH) unless its items carry no tax: which item bears it is unknown.
      throw new UnbookablePaypalTaxError(`${what} has a tax total of ${taxTotal} minor units where its items' taxes add up to ${totalTax}: which items are taxed is unknown`);
    }
    const charges = ['shipping', 'handling', 'insurance'] as const;
    for (const charge of charges) {
      const amount = minor(breakdown?.[charge], currency, `${what} ${charge}`);
      if (amount !== 0) lines.push(extraLine(`${capture.id}-${charge}`, charge.charAt(0).toUpperCase() + charge.slice(1), amount));
    }
    const discount = minor(breakdown?.discount, currency, `${what} discount`) + minor(breakdown?.shipping_discount, currency, `${what} shipping discount`);
    if (discount !== 0) lines.push(extraLine(`${capture.id}-discount`, 'Discount', -Math.abs(discount)));
  } else {
    lines = [extraLine(`${capture.id}-1`, `PayPal capture ${capture.id} of order ${order.id}`, captured.amount)];
  }
  const issuedAt = isoTime(what, capture.create_time, capture.update_time);
  return {
    system: 'paypal',
    account: null,
    customerId: customerOfPaypalOrder(order).id,
    id: capture.id,
    number: null,
    subscriptionId: null,
    currency,
    issuedAt,
    dueAt: null,
    billingReason: 'checkout',
    lines,
    subtotal: lines.reduce((sum, line) => sum + line.amount, 0),
    totalDiscount: 0,
    totalTax,
    total: captured.amount,
    // The capture is the payment: the invoice exists because it was paid (the payment event registers it).
    amountPaid: captured.amount,
    amountRemaining: 0,
    livemode: livemodeOf(capture.links, order.links),
  };
}

// ---------------------------------------------------------------------------------------------------
// Subscription payments (a sale of a subscription, priced by its plan)

export const paypalPlanSchema = z.object({
  id: z.string().check(z.minLength(1)),
  product_id: z.optional(z.string()),
  name: z.optional(z.string()),
  billing_cycles: z.optional(
    z.array(
      z.object({
        tenure_type: z.string(),
        sequence: z.optional(z.number()),
        frequency: z.object({ interval_unit: z.string(), interval_count: z.optional(z.number()) }),
        pricing_scheme: z.optional(z.object({ fixed_price: z.optional(paypalMoneySchema) })),
      }),
    ),
  ),
  taxes: z.optional(z.object({ percentage: z.optional(z.string()), inclusive: z.optional(z.boolean()) })),
});
export type PaypalPlan = z.infer<typeof paypalPlanSchema>;

const INTERVALS: Readonly<Record<string, 'day' | 'week' | 'month' | 'year'>> = { DAY: 'day', WEEK: 'week', MONTH: 'month', YEAR: 'year' };

/** The plan's regular billing cycle: its interval and unit price (null when the plan prices it otherwise). */
export function regularCycleOf(plan: PaypalPlan): { interval: 'day' | 'week' | 'month' | 'year' | null; intervalCount: number | null; price: PaypalMoney | null } {
  const cycle = (plan.billing_cycles ?? []).find((candidate) => candidate.tenure_type === 'REGULAR');
  return {
    interval: cycle ? (INTERVALS[cycle.frequency.interval_unit] ?? null) : null,
    intervalCount: cycle ? (cycle.frequency.interval_count ?? 1) : null,
    price: cycle?.pricing_scheme?.fixed_price ?? null,
  };
}

function addInterval(iso: string, interval: 'day' | 'week' | 'month' | 'year', count: number): string {
  const date = new Date(iso);
  if (interval === 'day') date.setUTCDate(date.getUTCDate() + count);
  else if (interval === 'week') date.setUTCDate(date.getUTCDate() + 7 * count);
  else if (interval === 'month') date.setUTCMonth(date.getUTCMonth() + count);
  else date.setUTCFullYear(date.getUTCFullYear() + count);
  return date.toISOString();
}

/**
 * The invoice of one subscription payment: the plan for the period that starts with the payment, for exactly
 * what was paid. The line is the plan (product = the plan's product, price = the plan) with the subscription's
 * quantity; the plan's tax, when it has one, is split out of the paid amount as PayPal added it (exclusive: the
 * amount is price + tax; inclusive: the tax is inside) — and when the paid amount is not what the plan prices
 * today (a trial, a setup fee, a price changed since), the line is the paid amount and says so, untaxed: the
 * Odoo total equals the money in every case.
 */
export function invoiceSnapshotFromPaypalSale(sale: PaypalSale, subscription: SubscriptionSnapshot, plan: PaypalPlan): InvoiceSnapshot {
  const what = `sale ${sale.id} of subscription ${subscription.id}`;
  const paid = moneyOf({ currency_code: sale.amount.currency, value: sale.amount.total }, what);
  const currency = paid.currency;
  const cycle = regularCycleOf(plan);
  const quantity = subscription.items[0]?.quantity ?? 1;
  const periodStart = isoTime(what, sale.create_time, sale.update_time);
  const periodEnd = cycle.interval === null ? null : addInterval(periodStart, cycle.interval, cycle.intervalCount ?? 1);
  const planName = plan.name ?? plan.id;

  let line: DocumentLine = {
    id: `${sale.id}-1`,
    description: planName,
    priceId: plan.id,
    productId: plan.product_id ?? null,
    quantity,
    amount: paid.amount,
    discountAmount: 0,
    taxes: [],
    periodStart,
    periodEnd,
    proration: false,
  };
  let totalTax = 0;
  if (cycle.price !== null && Number.isInteger(quantity)) {
    const base = minor(cycle.price, currency, `plan ${plan.id} price`) * quantity;
    const percent = plan.taxes?.percentage;
    const inclusive = plan.taxes?.inclusive === true;
    if (percent !== undefined && inclusive && base === paid.amount) {
      const share = inclusiveShareOf(base, percent, what);
      line = { ...line, taxes: [percentTax({ amount: share, taxable: base - share, percent, inclusive, label: null })] };
      totalTax = share;
    } else if (!inclusive) {
      const tax = percent === undefined ? 0 : percentOf(base, percent, what);
      if (base + tax === paid.amount) {
        line = { ...line, amount: base, taxes: percent === undefined ? [] : [percentTax({ amount: tax, taxable: base, percent, inclusive: false, label: null })] };
        totalTax = tax;
      }
    }
    if (totalTax === 0 && line.amount !== base) line = { ...line, description: `${planName} (as paid: the plan prices it otherwise today)` };
  }
  return {
    system: 'paypal',
    account: null,
    customerId: subscription.customerId,
    id: sale.id,
    number: null,
    subscriptionId: subscription.id,
    currency,
    issuedAt: periodStart,
    dueAt: null,
    billingReason: 'subscription_cycle',
    lines: [line],
    subtotal: line.amount,
    totalDiscount: 0,
    totalTax,
    total: paid.amount,
    amountPaid: paid.amount,
    amountRemaining: 0,
    livemode: livemodeOf(sale.links),
  };
}
