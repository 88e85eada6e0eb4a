/**
 * The refund flow's Stripe lookups (functions/providers/stripe/stripe-refund-lookups.ts) against the Stripe
 * sandbox: which invoice a refund gives money back on, and which credit note pays it out.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { STRIPE_API_VERSION, StripeApi } from '../../../functions/providers/stripe/stripe-api';
import { StripeBillingSource } from '../../../functions/providers/stripe/stripe-billing-source';
import { creditNoteOfStripeRefund, invoiceOfStripeRefund } from '../../../functions/providers/stripe/stripe-refund-lookups';
import type { RefundSnapshot } from '../../../functions/domain/billing-ledger';
import { type StripeSandbox, startStripeSandbox } from '../../../local/sandboxes/stripe/server';
import { stripeObject } from '../../../local/sandboxes/stripe/stripe-object-templates';

const API_KEY = 'sk_test_refund_lookups';
const NOV_6 = Date.parse('2026-11-06T12:00:00Z') / 1000;

const refund = (overrides: Partial<RefundSnapshot> = {}): RefundSnapshot => ({
  system: 'stripe', account: null, id: 're_L1', chargeId: 'ch_L1', paymentIntentId: 'pi_L1', invoiceId: null, customerId: 'cus_L1',
  amount: 2380, currency: 'usd', reason: null, status: 'succeeded', createdAt: '2026-11-06T12:00:00Z', ...overrides,
});
const invoicePayment = (id: string, invoice: string, paymentIntent: string, status = 'paid') =>
  stripeObject('invoice_payment', { id, invoice, status, currency: 'usd', amount_paid: 11900, created: NOV_6 - 86_400, payment: { type: 'payment_intent', payment_intent: paymentIntent } });
const creditNote = (id: string, invoice: string, refunds: string[], overrides: Record<string, unknown> = {}) =>
  stripeObject('credit_note', {
    id, invoice, customer: 'cus_L1', currency: 'usd', status: 'issued', type: 'post_payment', number: `${id}-N`, created: NOV_6, effective_at: NOV_6,
    lines: { object: 'list', has_more: false, url: `/v1/credit_notes/${id}/lines`, data: [{
      id: `cnli_${id}`, object: 'credit_note_line_item', amount: 2000, description: 'Pro plan', discount_amount: 0, discount_amounts: [], quantity: 1, type: 'custom_line_item',
      tax_rates: [], taxes: [{ amount: 380, tax_behavior: 'exclusive', taxable_amount: 2000, type: 'tax_rate_details', tax_rate_details: { tax_rate: 'txr_L1' } }],
      unit_amount: 2000, unit_amount_decimal: '2000', livemode: false, metadata: {},
    }] },
    subtotal: 2000, total: 2380, total_taxes: [{ amount: 380, tax_behavior: 'exclusive', taxable_amount: 2000, type: 'tax_rate_details', tax_rate_details: { tax_rate: 'txr_L1' } }],
    refunds: refunds.map((id) => ({ amount_refunded: 2380, refund: id })),
    ...overrides,
  });

describe('Stripe lookups of the refund flow', () => {
  let sandbox: StripeSandbox;
  let stripe: StripeApi;

  beforeAll(async () => {
    sandbox = await startStripeSandbox({ port: 0, apiKey: API_KEY });
    stripe = new StripeApi({ apiKey: async () => API_KEY, apiVersion: STRIPE_API_VERSION, baseUrl: sandbox.url, retry: { baseDelayMs: 1, maxDelayMs: 5 } });
  });
  afterAll(async () => {
    await sandbox?.close();
  });
  beforeEach(() => {
    sandbox.reset();
  });
  async function seed(objects: unknown[]) {
    const response = await fetch(`${sandbox.url}/_sandbox/objects`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(objects) });
    expect(response.status).toBe(200);
  }

  it('finds the invoice through the paid invoice payment of the refunded payment intent', async () => {
    await seed([invoicePayment('inpay_1', 'in_L1', 'pi_L1'), invoicePayment('inpay_2', 'in_other', 'pi_other'), invoicePayment('inpay_3', 'in_failed', 'pi_L1', 'canceled')]);
    expect(await invoiceOfStripeRefund(stripe, refund())).toBe('in_L1');
    // The billing source the billing-sync consumer uses delegates here.
    expect(await new StripeBillingSource(stripe).refundInvoice(refund())).toBe('in_L1');
  });

  it('null when the payment intent paid no invoice; undefined when Stripe cannot say which (never a guess)', async () => {
    await seed([invoicePayment('inpay_a', 'in_A', 'pi_two'), invoicePayment('inpay_b', 'in_B', 'pi_two')]);
    expect(await invoiceOfStripeRefund(stripe, refund({ paymentIntentId: 'pi_oneoff' }))).toBeNull();
    expect(await invoiceOfStripeRefund(stripe, refund({ paymentIntentId: 'pi_two' }))).toBeUndefined();
    expect(await invoiceOfStripeRefund(stripe, refund({ paymentIntentId: null }))).toBeUndefined();
  });

  it('finds the issued credit note listing the refund, mapped as the ingest maps it; a void one does not count', async () => {
    await seed([
      creditNote('cn_void', 'in_L1', ['re_L1'], { status: 'void', created: NOV_6 + 1 }),
      creditNote('cn_other', 'in_L1', ['re_other']),
      creditNote('cn_L1', 'in_L1', ['re_L1']),
    ]);
    const found = await creditNoteOfStripeRefund(stripe, null, refund(), 'in_L1', NOV_6);
    expect(found).toMatchObject({ id: 'cn_L1', invoiceId: 'in_L1', currency: 'usd', total: 2380, totalTax: 380, refundIds: ['re_L1'], lines: [{ amount: 2000, taxes: [{ amount: 380 }] }] });
    expect(await creditNoteOfStripeRefund(stripe, null, refund({ id: 're_alone' }), 'in_L1', NOV_6)).toBeUndefined();
    expect(await new StripeBillingSource(stripe, null, () => NOV_6).creditNoteOfRefund(refund(), 'in_L1')).toEqual(found);
  });
});
