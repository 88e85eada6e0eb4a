import * as z from 'zod/mini';
import type { PaymentSucceeded } from '../../../events/payment-succeeded';
import type { RefundCreated } from '../../../events/refund-created';
import {
  isoTime,
  linkedId,
  MalformedPaypalObjectError,
  moneyOf,
  moneyOfV1,
  paypalLinksSchema,
  paypalMoneySchema,
  paypalV1AmountSchema,
} from './paypal-object-mapping';

/**
 * PayPal's money movements as canonical payments and refunds. One rule ties them to invoices without a lookup:
 * the invoice a checkout capture or a subscription payment (sale) pays is keyed on that payment's own
 * transaction id (the billing source builds it from the order, or from the subscription's plan). So a refund
 * (whose `up` link or `sale_id` names the payment) and a dispute (`seller_transaction_id`) name their invoice
 * straight from the webhook. PayPal invoices keep their own `INV2-…` id.
 */

/** A v2 capture (`PAYMENT.CAPTURE.*`, `GET /v2/payments/captures/{id}`). */
export const paypalCaptureSchema = z.object({
  id: z.string().check(z.minLength(1)),
  status: z.string(),
  amount: paypalMoneySchema,
  create_time: z.optional(z.string()),
  update_time: z.optional(z.string()),
  custom_id: z.optional(z.string()),
  invoice_id: z.optional(z.string()),
  supplementary_data: z.optional(z.object({ related_ids: z.optional(z.object({ order_id: z.optional(z.string()), authorization_id: z.optional(z.string()) })) })),
  links: paypalLinksSchema,
});
export type PaypalCapture = z.infer<typeof paypalCaptureSchema>;

/** A v1 sale: the payment of one billing cycle of a subscription (`PAYMENT.SALE.*`, `GET /v1/payments/sale/{id}`). */
export const paypalSaleSchema = z.object({
  id: z.string().check(z.minLength(1)),
  state: z.string(),
  amount: paypalV1AmountSchema,
  billing_agreement_id: z.optional(z.string()),
  create_time: z.optional(z.string()),
  update_time: z.optional(z.string()),
  links: paypalLinksSchema,
});
export type PaypalSale = z.infer<typeof paypalSaleSchema>;

/** A v2 refund (`PAYMENT.CAPTURE.REFUNDED`, `GET /v2/payments/refunds/{id}`): the capture is its `up` link. */
export const paypalRefundSchema = z.object({
  id: z.string().check(z.minLength(1)),
  status: z.string(),
  amount: paypalMoneySchema,
  note_to_payer: z.optional(z.string()),
  create_time: z.optional(z.string()),
  update_time: z.optional(z.string()),
  links: paypalLinksSchema,
});

/** A v1 sale refund (`PAYMENT.SALE.REFUNDED`). */
export const paypalSaleRefundSchema = z.object({
  id: z.string().check(z.minLength(1)),
  state: z.string(),
  amount: paypalV1AmountSchema,
  sale_id: z.optional(z.string()),
  reason: z.optional(z.string()),
  create_time: z.optional(z.string()),
  update_time: z.optional(z.string()),
  links: paypalLinksSchema,
});

export type PaymentSnapshot = PaymentSucceeded['data']['payment'];
export type RefundSnapshot = RefundCreated['data']['refund'];

const CAPTURES_PATH = '/v2/payments/captures/';
const ORDERS_PATH = '/v2/checkout/orders/';
const AUTHORIZATIONS_PATH = '/v2/payments/authorizations/';

/** The checkout order a capture belongs to, when the capture says (`related_ids.order_id`, or its `up` link). */
export function orderIdOfCapture(capture: PaypalCapture): string | null {
  return capture.supplementary_data?.related_ids?.order_id ?? linkedId(capture.links, 'up', ORDERS_PATH);
}

/** The authorization a capture settles (an order with intent AUTHORIZE): its order is one read away. */
export function authorizationIdOfCapture(capture: PaypalCapture): string | null {
  return capture.supplementary_data?.related_ids?.authorization_id ?? linkedId(capture.links, 'up', AUTHORIZATIONS_PATH);
}

/** A completed capture as the payment of its own invoice (keyed on the capture id: see the top of this file). */
export function paymentFromPaypalCapture(capture: PaypalCapture): PaymentSnapshot {
  const { amount, currency } = moneyOf(capture.amount, `capture ${capture.id}`);
  return {
    system: 'paypal',
    account: null,
    // The capture does not name its payer; the order does, and the invoice built from it carries the customer.
    customerId: null,
    id: capture.id,
    invoiceId: capture.id,
    amount,
    currency,
    paidAt: isoTime(`capture ${capture.id}`, capture.create_time, capture.update_time),
  };
}

/** A completed subscription payment as the payment of the cycle's invoice (keyed on the sale id). */
export function paymentFromPaypalSale(sale: PaypalSale): PaymentSnapshot {
  const { amount, currency } = moneyOfV1(sale.amount, `sale ${sale.id}`);
  return {
    system: 'paypal',
    account: null,
    customerId: null,
    id: sale.id,
    invoiceId: sale.id,
    amount,
    currency,
    paidAt: isoTime(`sale ${sale.id}`, sale.create_time, sale.update_time),
  };
}

/** PayPal's refund statuses in the canonical words the refund flow books by (`succeeded`/`pending` move money). */
function refundStatus(status: string): string {
  switch (status.toUpperCase()) {
    case 'COMPLETED':
      return 'succeeded';
    case 'PENDING':
      return 'pending';
    case 'FAILED':
      return 'failed';
    case 'CANCELLED':
      return 'canceled';
    default:
      return status.toLowerCase();
  }
}

/** A capture refund: money given back on the capture's invoice. */
export function refundFromPaypalCaptureRefund(refund: z.infer<typeof paypalRefundSchema>): RefundSnapshot {
  const captureId = linkedId(refund.links, 'up', CAPTURES_PATH);
  if (captureId === null) throw new MalformedPaypalObjectError(`refund ${refund.id} has no up link to its capture`);
  const { amount, currency } = moneyOf(refund.amount, `refund ${refund.id}`);
  return {
    system: 'paypal',
    account: null,
    id: refund.id,
    chargeId: captureId,
    paymentIntentId: null,
    invoiceId: captureId,
    customerId: null,
    amount,
    currency,
    reason: refund.note_to_payer ?? null,
    status: refundStatus(refund.status),
    createdAt: isoTime(`refund ${refund.id}`, refund.create_time, refund.update_time),
  };
}

/** A refund of a subscription payment. */
export function refundFromPaypalSaleRefund(refund: z.infer<typeof paypalSaleRefundSchema>): RefundSnapshot {
  const saleId = refund.sale_id ?? linkedId(refund.links, 'sale', '/v1/payments/sale/');
  if (!saleId) throw new MalformedPaypalObjectError(`sale refund ${refund.id} names no sale`);
  const { amount, currency } = moneyOfV1(refund.amount, `sale refund ${refund.id}`);
  return {
    system: 'paypal',
    account: null,
    id: refund.id,
    chargeId: saleId,
    paymentIntentId: null,
    invoiceId: saleId,
    customerId: null,
    // v1 writes refunded amounts negative in some payloads: the canonical refund amount is what went back.
    amount: Math.abs(amount),
    currency,
    reason: refund.reason ?? null,
    status: refundStatus(refund.state),
    createdAt: isoTime(`sale refund ${refund.id}`, refund.create_time, refund.update_time),
  };
}
