import type Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { invoiceSnapshotSchema } from '../../../../events/invoice-finalized';
import { subscriptionSnapshotSchema } from '../../../../events/subscription-updated';
import { creditNoteFromStripe, stripeCreditNoteSchema } from '../../../../functions/providers/stripe/stripe-credit-note-mapping';
import { disputeSnapshotFromStripe, stripeDisputeSchema } from '../../../../functions/providers/stripe/stripe-dispute-mapping';
import {
  invoiceSnapshotFromStripe,
  invoiceUncollectibleFromStripe,
  invoiceVoidedFromStripe,
  paymentFailedFromStripeInvoice,
  stripeInvoiceSchema,
} from '../../../../functions/providers/stripe/stripe-invoice-mapping';
import { paymentFromStripeInvoicePayment, stripeInvoicePaymentSchema } from '../../../../functions/providers/stripe/stripe-invoice-payment-mapping';
import {
  IncompleteStripeObjectError,
  MalformedStripeObjectError,
  parseStripeObject,
  STRIPE_API_VERSION,
  type StripeOrigin,
} from '../../../../functions/providers/stripe/stripe-object-mapping';
import {
  refundSnapshotFromStripe,
  refundSnapshotsFromStripeCharge,
  stripeChargeRefundsSchema,
  stripeRefundSchema,
} from '../../../../functions/providers/stripe/stripe-refund-mapping';
import { stripeSubscriptionSchema, subscriptionSnapshotFromStripe } from '../../../../functions/providers/stripe/stripe-subscription-mapping';
import { STRIPE_API_VERSION as API_CLIENT_VERSION } from '../../../../functions/providers/stripe/stripe-api';
import { PINNED_API_VERSION, sample } from '../../../fixtures/stripe/stripe-events';

const PLATFORM: StripeOrigin = { account: null, observedAt: 1_790_100_000 };
const TXR_VAT = 'txr_1Pgc7BB7WZ01zgkW4Iwwvf6z';

const invoiceOf = (object: unknown) => parseStripeObject(stripeInvoiceSchema, object, 'invoice');

/** An invoice line shaped like Stripe's sample line (typed against the `stripe` package), with the given changes. */
function line(changes: Partial<Stripe.InvoiceLineItem> & { id: string; amount: number }): Stripe.InvoiceLineItem {
  return { ...(sample('line_item') as unknown as Stripe.InvoiceLineItem), subtotal: changes.amount, ...changes };
}
function tax(amount: number, taxableAmount: number, behavior: 'exclusive' | 'inclusive' = 'exclusive', taxRate = TXR_VAT): Stripe.InvoiceLineItem.Tax {
  return { amount, tax_behavior: behavior, tax_rate_details: { tax_rate: taxRate }, taxability_reason: 'standard_rated', taxable_amount: taxableAmount, type: 'tax_rate_details' };
}
/** Stripe's sample invoice with other lines and totals. */
function invoiceWith(changes: Record<string, unknown> & { lines: Stripe.InvoiceLineItem[] }) {
  const { lines, ...rest } = changes;
  return { ...sample('invoice'), ...rest, lines: { object: 'list', data: lines, has_more: false, url: '/v1/invoices/in_1/lines' } };
}

describe('the mappings', () => {
  it('are written for the API version the installed stripe package pins, the one the Stripe API client requests', () => {
    expect(STRIPE_API_VERSION).toBe(PINNED_API_VERSION);
    expect(STRIPE_API_VERSION).toBe(API_CLIENT_VERSION);
  });
});

describe('invoiceSnapshotFromStripe', () => {
  it('maps Stripe’s sample invoice: one 3-seat line with 19 % VAT, totals exactly as Stripe computed them', () => {
    // Prepare
    const invoice = invoiceOf(sample('invoice'));
    // Act
    const snapshot = invoiceSnapshotFromStripe(invoice, PLATFORM);
    // Assess
    expect(invoiceSnapshotSchema.safeParse(snapshot).success).toBe(true);
    expect(snapshot).toMatchObject({
      id: 'in_1Pgc6tB7WZ01zgkWu9fdqL6I',
      customerId: 'cus_QXg1o8vcGmoR32',
      account: null,
      subscriptionId: 'sub_1Pgc6rB7WZ01zgkWNy0Cn5nw',
      number: '7FE1103-0042',
      currency: 'eur',
      issuedAt: '2026-09-21T15:13:20.000Z',
      subtotal: 6000,
      totalDiscount: 0,
      totalTax: 1140,
      total: 7140,
      amountPaid: 0,
      amountRemaining: 7140,
    });
    expect(snapshot.lines).toEqual([
      {
        id: 'il_1Pgc6sB7WZ01zgkWFnxLrLCq',
        description: '3 × Pro (monthly) (at €20.00 / month)',
        priceId: 'price_1PgafmB7WZ01zgkW6dKueIc5',
        productId: 'prod_QXg1hqf4jFNsqG',
        quantity: 3,
        amount: 6000,
        discountAmount: 0,
        taxes: [{ amount: 1140, taxableAmount: 6000, taxRateId: TXR_VAT, percentage: null, inclusive: false, label: null }],
        periodStart: '2026-09-21T14:13:20.000Z',
        periodEnd: '2026-10-21T14:13:20.000Z',
        proration: false,
      },
    ]);
  });

  it('keeps per-line discounts and taxes of a multi-line invoice, and they add up to Stripe’s total', () => {
    // Prepare: 3 seats at €20 with a 10 % coupon, plus a €50 onboarding fee; 19 % VAT on what is left.
    const invoice = invoiceOf(
      invoiceWith({
        lines: [
          line({ id: 'il_seats', amount: 6000, quantity: 3, discount_amounts: [{ amount: 600, discount: 'di_10pct' }], taxes: [tax(1026, 5400)] }),
          line({ id: 'il_onboarding', amount: 5000, quantity: 1, parent: null, pricing: null, taxes: [tax(950, 5000)] }),
        ],
        subtotal: 11000,
        total_discount_amounts: [{ amount: 600, discount: 'di_10pct' }],
        total_taxes: [tax(1976, 10400)],
        total: 12376,
        amount_due: 12376,
        amount_remaining: 12376,
      }),
    );
    // Act
    const snapshot = invoiceSnapshotFromStripe(invoice, PLATFORM);
    // Assess
    expect(snapshot.lines.map((l) => [l.id, l.amount, l.discountAmount, l.taxes.map((t) => t.amount)])).toEqual([
      ['il_seats', 6000, 600, [1026]],
      ['il_onboarding', 5000, 0, [950]],
    ]);
    expect(snapshot.lines[1]).toMatchObject({ priceId: null, productId: null, proration: false });
    expect(snapshot).toMatchObject({ subtotal: 11000, totalDiscount: 600, totalTax: 1976, total: 12376 });
    const fromLines = snapshot.lines.reduce((sum, l) => sum + l.amount - l.discountAmount + l.taxes.reduce((t, x) => t + x.amount, 0), 0);
    expect(fromLines).toBe(snapshot.total);
  });

  it('marks an inclusive tax as inclusive: the line amount already contains it and the total is the subtotal', () => {
    // Prepare: €119.00 gross, of which €19.00 VAT.
    const invoice = invoiceOf(
      invoiceWith({ lines: [line({ id: 'il_gross', amount: 11900, taxes: [tax(1900, 10000, 'inclusive')] })], subtotal: 11900, total_taxes: [tax(1900, 10000, 'inclusive')], total: 11900 }),
    );
    // Act
    const snapshot = invoiceSnapshotFromStripe(invoice, PLATFORM);
    // Assess
    expect(snapshot.lines[0]?.taxes).toEqual([{ amount: 1900, taxableAmount: 10000, taxRateId: TXR_VAT, percentage: null, inclusive: true, label: null }]);
    expect(snapshot).toMatchObject({ subtotal: 11900, totalTax: 1900, total: 11900 });
  });

  it.each([
    ['JPY (zero decimals): ¥1,500 + 10 % tax', 'jpy', 1500, 150, 1650],
    ['KWD (three decimals): KD 12.345 + 5 % tax', 'kwd', 12345, 617, 12962],
    ['USD: $0.99, the smallest amounts', 'usd', 99, 0, 99],
  ])('passes %s through in minor units, untouched', (_, currency, amount, taxAmount, total) => {
    // Prepare
    const invoice = invoiceOf(
      invoiceWith({ currency, lines: [line({ id: 'il_1', amount, currency, taxes: [tax(taxAmount, amount)] })], subtotal: amount, total_taxes: [tax(taxAmount, amount)], total, amount_remaining: total }),
    );
    // Act
    const snapshot = invoiceSnapshotFromStripe(invoice, PLATFORM);
    // Assess
    expect(snapshot).toMatchObject({ currency, subtotal: amount, totalTax: taxAmount, total, amountRemaining: total });
    expect(snapshot.lines[0]).toMatchObject({ amount, taxes: [{ amount: taxAmount }] });
  });

  it('flags proration lines (a mid-cycle upgrade: credit for the old plan, charge for the new one)', () => {
    // Prepare
    const proration = (id: string, amount: number, price: string): Stripe.InvoiceLineItem =>
      line({
        id,
        amount,
        description: amount < 0 ? 'Unused time on 3 × Pro' : 'Remaining time on 3 × Business',
        parent: {
          type: 'subscription_item_details',
          invoice_item_details: null,
          subscription_item_details: { invoice_item: 'ii_1', proration: true, proration_details: { credited_items: null }, subscription: 'sub_1', subscription_item: 'si_1' },
        },
        pricing: { type: 'price_details', price_details: { price, product: 'prod_QXg1hqf4jFNsqG' }, unit_amount_decimal: null },
        taxes: [],
      });
    const invoice = invoiceOf(invoiceWith({ lines: [proration('il_credit', -3000, 'price_pro'), proration('il_debit', 7500, 'price_business')], subtotal: 4500, total_taxes: [], total: 4500 }));
    // Act
    const snapshot = invoiceSnapshotFromStripe(invoice, PLATFORM);
    // Assess
    expect(snapshot.lines.map((l) => [l.id, l.amount, l.proration, l.priceId])).toEqual([
      ['il_credit', -3000, true, 'price_pro'],
      ['il_debit', 7500, true, 'price_business'],
    ]);
    expect(snapshot.total).toBe(4500);
  });

  it('reads a fractional quantity from quantity_decimal, which Stripe’s integer quantity truncates', () => {
    // Prepare: Stripe sends the decimal as a JSON string (the stripe package types it as its Decimal class).
    const hours = { ...line({ id: 'il_hours', amount: 2500, quantity: 2 }), quantity_decimal: '2.5' } as unknown as Stripe.InvoiceLineItem;
    const invoice = invoiceOf(invoiceWith({ lines: [hours], subtotal: 2500, total_taxes: [], total: 2500 }));
    expect(invoiceSnapshotFromStripe(invoice, PLATFORM).lines[0]?.quantity).toBe(2.5);
  });

  it('names the connected account of a Connect invoice, and no account for the platform’s own', () => {
    const invoice = invoiceOf(sample('invoice'));
    expect(invoiceSnapshotFromStripe(invoice, { account: 'acct_1Nv0FGQ9RKHgCVdK', observedAt: 1 }).account).toBe('acct_1Nv0FGQ9RKHgCVdK');
    expect(invoiceSnapshotFromStripe(invoice, PLATFORM).account).toBeNull();
  });

  it('accepts an expanded customer and subscription, as an API fetch with expand[] returns them', () => {
    const invoice = invoiceOf({ ...sample('invoice'), customer: sample('customer'), parent: { type: 'subscription_details', subscription_details: { subscription: sample('subscription') } } });
    expect(invoiceSnapshotFromStripe(invoice, PLATFORM)).toMatchObject({ customerId: 'cus_QXg1o8vcGmoR32', subscriptionId: 'sub_1Pgc6rB7WZ01zgkWNy0Cn5nw' });
  });

  it('maps an invoice whose payload cuts its lines short with the lines it carries, marked incomplete for the flow to read the rest', () => {
    const invoice = invoiceOf({ ...sample('invoice'), lines: { ...(sample('invoice').lines as object), has_more: true } });
    const snapshot = invoiceSnapshotFromStripe(invoice, PLATFORM);
    expect(snapshot.linesIncomplete).toBe(true);
    expect(snapshot.lines.map((line) => line.id)).toEqual(['il_1Pgc6sB7WZ01zgkWFnxLrLCq']);
  });

  it('leaves a complete invoice unmarked', () => {
    expect(invoiceSnapshotFromStripe(invoiceOf(sample('invoice')), PLATFORM)).not.toHaveProperty('linesIncomplete');
  });

  it.each([
    ['an amount as a decimal string', { total: '71.40' }, 'total'],
    ['no customer', { customer: null }, 'customer'],
    ['another object', { object: 'quote' }, 'object'],
  ])('refuses an invoice with %s and names the field', (_, change, field) => {
    expect(() => invoiceOf({ ...sample('invoice'), ...change })).toThrow(MalformedStripeObjectError);
    expect(() => invoiceOf({ ...sample('invoice'), ...change })).toThrow(new RegExp(`\\(${field}: `));
  });
});

describe('invoice status changes', () => {
  it('dates a voided invoice by its voided_at, and falls back to when the event was observed', () => {
    const voided = invoiceOf({ ...sample('invoice'), status: 'void', status_transitions: { finalized_at: 1, voided_at: 1_790_007_200, marked_uncollectible_at: null, paid_at: null } });
    expect(invoiceVoidedFromStripe(voided, PLATFORM)).toEqual({ system: 'stripe', account: null, customerId: 'cus_QXg1o8vcGmoR32', id: 'in_1Pgc6tB7WZ01zgkWu9fdqL6I', voidedAt: '2026-09-21T16:13:20.000Z' });
    expect(invoiceVoidedFromStripe(invoiceOf(sample('invoice')), PLATFORM).voidedAt).toBe(new Date(PLATFORM.observedAt * 1000).toISOString());
  });

  it('carries what is left to pay on an uncollectible invoice', () => {
    const invoice = invoiceOf({ ...sample('invoice'), amount_paid: 2000, amount_remaining: 5140 });
    expect(invoiceUncollectibleFromStripe(invoice, PLATFORM)).toMatchObject({ amountRemaining: 5140, id: 'in_1Pgc6tB7WZ01zgkWu9fdqL6I' });
  });
});

describe('paymentFailedFromStripeInvoice', () => {
  it('says why the card was declined when the invoice comes with its payment intent expanded', () => {
    // Prepare
    const invoice = invoiceOf({
      ...sample('invoice'),
      attempt_count: 2,
      payments: { object: 'list', data: [{ ...sample('invoice_payment'), status: 'open', payment: { type: 'payment_intent', payment_intent: sample('payment_intent') } }], has_more: false },
    });
    // Act
    const attempt = paymentFailedFromStripeInvoice(invoice, PLATFORM);
    // Assess
    expect(attempt).toMatchObject({ invoiceId: 'in_1Pgc6tB7WZ01zgkWu9fdqL6I', amountDue: 7140, attemptCount: 2, failureReason: 'card_declined/insufficient_funds', nextAttemptAt: '2026-09-21T15:13:20.000Z' });
  });

  it('falls back to the invoice’s finalization error, then to no reason', () => {
    const finalization = invoiceOf({ ...sample('invoice'), last_finalization_error: { type: 'invalid_request_error', code: 'customer_tax_location_invalid', message: 'The customer address is not valid.' } });
    expect(paymentFailedFromStripeInvoice(finalization, PLATFORM).failureReason).toBe('customer_tax_location_invalid');
    expect(paymentFailedFromStripeInvoice(invoiceOf(sample('invoice')), PLATFORM).failureReason).toBeNull();
  });

  it('counts what is still owed after an earlier partial payment', () => {
    const invoice = invoiceOf({ ...sample('invoice'), amount_paid: 3000, amount_remaining: 4140 });
    expect(paymentFailedFromStripeInvoice(invoice, PLATFORM).amountDue).toBe(4140);
  });
});

describe('paymentFromStripeInvoicePayment', () => {
  it('maps Stripe’s sample invoice payment to one payment with the invoice payment’s own id', () => {
    const payment = paymentFromStripeInvoicePayment(parseStripeObject(stripeInvoicePaymentSchema, sample('invoice_payment'), 'invoice payment'), PLATFORM);
    expect(payment).toEqual({
      system: 'stripe',
      account: null,
      customerId: null,
      id: 'inpay_1Pgc7CB7WZ01zgkWq0Tb5A2v',
      invoiceId: 'in_1Pgc6tB7WZ01zgkWu9fdqL6I',
      amount: 7140,
      currency: 'eur',
      paidAt: '2026-09-21T15:15:00.000Z',
    });
  });

  it('takes the amount actually paid, which can be below the amount requested', () => {
    const partial = parseStripeObject(stripeInvoicePaymentSchema, { ...sample('invoice_payment'), amount_requested: 7140, amount_paid: 5000 }, 'invoice payment');
    expect(paymentFromStripeInvoicePayment(partial, PLATFORM).amount).toBe(5000);
  });

  it('refuses an invoice payment that is not paid', () => {
    const open = parseStripeObject(stripeInvoicePaymentSchema, { ...sample('invoice_payment'), status: 'open', amount_paid: null }, 'invoice payment');
    expect(() => paymentFromStripeInvoicePayment(open, PLATFORM)).toThrow(MalformedStripeObjectError);
  });
});

describe('subscriptionSnapshotFromStripe', () => {
  const subscriptionOf = (object: unknown) => parseStripeObject(stripeSubscriptionSchema, object, 'subscription');

  it('maps Stripe’s sample subscription: 3 seats of a €20 monthly price, period from its item', () => {
    const snapshot = subscriptionSnapshotFromStripe(subscriptionOf(sample('subscription')), PLATFORM);
    expect(subscriptionSnapshotSchema.safeParse(snapshot).success).toBe(true);
    expect(snapshot).toMatchObject({
      id: 'sub_1Pgc6rB7WZ01zgkWNy0Cn5nw',
      customerId: 'cus_QXg1o8vcGmoR32',
      status: 'active',
      items: [{ id: 'si_QXhVnC2h0Jczwc', priceId: 'price_1PgafmB7WZ01zgkW6dKueIc5', productId: 'prod_QXg1hqf4jFNsqG', quantity: 3, unitAmount: 2000, interval: 'month', intervalCount: 1 }],
      currentPeriodStart: '2026-09-21T14:13:20.000Z',
      currentPeriodEnd: '2026-10-21T14:13:20.000Z',
      cancelAtPeriodEnd: false,
      endedAt: null,
    });
  });

  it('ends a deleted subscription: canceled, with an end date even if the payload has none yet', () => {
    const snapshot = subscriptionSnapshotFromStripe(subscriptionOf(sample('subscription')), PLATFORM, { ended: true });
    expect(snapshot).toMatchObject({ status: 'canceled', endedAt: new Date(PLATFORM.observedAt * 1000).toISOString(), canceledAt: new Date(PLATFORM.observedAt * 1000).toISOString() });
    const stamped = subscriptionSnapshotFromStripe(subscriptionOf({ ...sample('subscription'), status: 'canceled', ended_at: 1_790_050_000, canceled_at: 1_790_040_000 }), PLATFORM, { ended: true });
    expect(stamped).toMatchObject({ endedAt: '2026-09-22T04:06:40.000Z', canceledAt: '2026-09-22T01:20:00.000Z' });
  });

  it('leaves the unit amount to the invoices for a tiered price and the quantity at 0 for a metered one', () => {
    const subscription = sample('subscription') as unknown as Stripe.Subscription;
    const base = subscription.items.data[0]!;
    const metered = { ...base, id: 'si_metered', quantity: undefined, price: { ...base.price, id: 'price_api_calls', unit_amount: null, billing_scheme: 'tiered' as const } };
    const snapshot = subscriptionSnapshotFromStripe(subscriptionOf({ ...subscription, items: { ...subscription.items, data: [base, metered] } }), PLATFORM);
    expect(snapshot.items[1]).toMatchObject({ id: 'si_metered', quantity: 0, unitAmount: null });
  });

  it('spans the periods of items on different cycles', () => {
    const subscription = sample('subscription') as unknown as Stripe.Subscription;
    const monthly = subscription.items.data[0]!;
    const yearly = { ...monthly, id: 'si_yearly', current_period_start: 1_780_000_000, current_period_end: 1_811_536_000 };
    const snapshot = subscriptionSnapshotFromStripe(subscriptionOf({ ...subscription, items: { ...subscription.items, data: [monthly, yearly] } }), PLATFORM);
    expect([snapshot.currentPeriodStart, snapshot.currentPeriodEnd]).toEqual([new Date(1_780_000_000_000).toISOString(), new Date(1_811_536_000_000).toISOString()]);
  });

  it('refuses a status the contract does not know', () => {
    expect(() => subscriptionOf({ ...sample('subscription'), status: 'hibernating' })).toThrow(/status: invalid_value/);
  });
});

describe('refunds', () => {
  it('maps Stripe’s sample refund with its charge and payment intent; the invoice is left to the flow', () => {
    const refund = refundSnapshotFromStripe(parseStripeObject(stripeRefundSchema, sample('refund'), 'refund'), PLATFORM);
    expect(refund).toEqual({
      system: 'stripe',
      account: null,
      id: 're_1Pgc72B7WZ01zgkWqPvrRrPE',
      chargeId: 'ch_1PgafuB7WZ01zgkWXYmPNZs8',
      paymentIntentId: 'pi_1PgafyB7WZ01zgkWSjxsAJo3',
      invoiceId: null,
      customerId: 'cus_QXg1o8vcGmoR32',
      amount: 1785,
      currency: 'eur',
      reason: 'requested_by_customer',
      status: 'succeeded',
      createdAt: '2026-09-26T14:13:20.000Z',
    });
  });

  it('describes a refund embedded in a refunded charge exactly as the refund itself', () => {
    const fromCharge = refundSnapshotsFromStripeCharge(parseStripeObject(stripeChargeRefundsSchema, sample('charge'), 'charge'), PLATFORM);
    const fromRefund = refundSnapshotFromStripe(parseStripeObject(stripeRefundSchema, sample('refund'), 'refund'), PLATFORM);
    expect(fromCharge).toEqual([fromRefund]);
  });

  it('finds no refund in a charge that does not embed its refunds (the default since API 2022-11-15)', () => {
    const { refunds: _, ...charge } = sample('charge');
    expect(refundSnapshotsFromStripeCharge(parseStripeObject(stripeChargeRefundsSchema, charge, 'charge'), PLATFORM)).toEqual([]);
  });
});

describe('disputeSnapshotFromStripe', () => {
  it('maps Stripe’s sample dispute as open, against its charge', () => {
    const dispute = disputeSnapshotFromStripe(parseStripeObject(stripeDisputeSchema, sample('dispute'), 'dispute'), PLATFORM);
    expect(dispute).toMatchObject({ id: 'dp_1Pgc71B7WZ01zgkWMevJiAUx', chargeId: 'ch_1PgafuB7WZ01zgkWXYmPNZs8', amount: 7140, currency: 'eur', status: 'needs_response', closed: false, invoiceId: null });
  });

  it.each([
    ['won', 'won'],
    ['lost', 'lost'],
    ['warning_closed', 'won'],
    ['prevented', 'won'],
  ])('counts a %s dispute as closed, with the canonical outcome %s (only lost takes the money back)', (status, outcome) => {
    expect(disputeSnapshotFromStripe(parseStripeObject(stripeDisputeSchema, { ...sample('dispute'), status }, 'dispute'), PLATFORM)).toMatchObject({ closed: true, outcome });
  });

  it.each(['warning_needs_response', 'warning_under_review', 'needs_response', 'under_review', 'appeal_needs_response'])('keeps a %s dispute open', (status) => {
    expect(disputeSnapshotFromStripe(parseStripeObject(stripeDisputeSchema, { ...sample('dispute'), status }, 'dispute'), PLATFORM).closed).toBe(false);
  });
});

describe('creditNoteFromStripe', () => {
  it('maps Stripe’s sample credit note: two lines with 19 % VAT named from the embedded tax rates, and its refund', () => {
    const creditNote = creditNoteFromStripe(parseStripeObject(stripeCreditNoteSchema, sample('credit_note'), 'credit note'), PLATFORM);
    expect(creditNote).toMatchObject({ id: 'cn_1Pgc75B7WZ01zgkWJMPt5riP', invoiceId: 'in_1Pgc6tB7WZ01zgkWu9fdqL6I', subtotal: 1500, totalTax: 285, total: 1785, refundIds: ['re_1Pgc72B7WZ01zgkWqPvrRrPE'] });
    expect(creditNote.lines.map((l) => [l.amount, l.taxes])).toEqual([
      [1000, [{ amount: 190, taxableAmount: 1000, taxRateId: TXR_VAT, percentage: '19', inclusive: false, label: 'VAT DE' }]],
      [500, [{ amount: 95, taxableAmount: 500, taxRateId: TXR_VAT, percentage: '19', inclusive: false, label: 'VAT DE' }]],
    ]);
  });

  it('keeps a decimal rate exact and skips refunds that are payment record refunds', () => {
    const raw = sample('credit_note') as unknown as Stripe.CreditNote;
    const swiss = { ...raw.lines.data[0]!, tax_rates: [{ ...raw.lines.data[0]!.tax_rates[0]!, percentage: 8.1, display_name: 'MWST', jurisdiction: 'CH' }] };
    const refunds = [...raw.refunds, { amount_refunded: 100, refund: null, payment_record_refund: { payment_record: 'pr_1', refund_group: 'rg_1' }, type: 'payment_record_refund' }];
    const creditNote = creditNoteFromStripe(parseStripeObject(stripeCreditNoteSchema, { ...raw, lines: { ...raw.lines, data: [swiss] }, refunds }, 'credit note'), PLATFORM);
    expect(creditNote.lines[0]?.taxes[0]).toMatchObject({ percentage: '8.1', label: 'MWST CH' });
    expect(creditNote.refundIds).toEqual(['re_1Pgc72B7WZ01zgkWqPvrRrPE']);
  });

  it('still refuses a credit note whose payload cuts its lines short (only invoices are completed by the flow)', () => {
    const raw = sample('credit_note') as unknown as Stripe.CreditNote;
    const cut = parseStripeObject(stripeCreditNoteSchema, { ...raw, lines: { ...raw.lines, has_more: true } }, 'credit note');
    expect(() => creditNoteFromStripe(cut, PLATFORM)).toThrow(IncompleteStripeObjectError);
  });
});
