import * as z from 'zod/mini';
import { CUSTOMER_UPSERTED, CUSTOMER_UPSERTED_VERSION } from '../../../events/customer-upserted';
import type { CanonicalEvent } from '../../../events/catalog';
import { entityKey } from '../../../events/envelope';
import { mapped, type MappingResult } from '../../platform/webhook-receiver';
import { disputeSnapshotFromPaypal, paypalDisputeSchema } from './paypal-dispute-mapping';
import { customerOfPaypalInvoice, invoiceSnapshotFromPaypalInvoice, paymentsOfPaypalInvoice, paypalInvoiceSchema } from './paypal-invoice-mapping';
import { isoTime, parsePaypalObject } from './paypal-object-mapping';
import {
  authorizationIdOfCapture,
  orderIdOfCapture,
  paymentFromPaypalCapture,
  paymentFromPaypalSale,
  paypalCaptureSchema,
  paypalRefundSchema,
  paypalSaleRefundSchema,
  paypalSaleSchema,
  refundFromPaypalCaptureRefund,
  refundFromPaypalSaleRefund,
  type PaymentSnapshot,
  type RefundSnapshot,
} from './paypal-payment-mapping';
import { customerOfPaypalSubscription, paypalSubscriptionSchema, subscriptionSnapshotFromPaypal } from './paypal-subscription-mapping';

export { MalformedPaypalObjectError } from './paypal-object-mapping';

// Canonical types and versions are literals (as in the Stripe ingest): importing them from events/ would bundle
// those modules' zod schemas, which the ingest never runs. `mapped` takes CanonicalEvent, so the compiler checks them.

/** The part of a PayPal webhook event every mapping relies on; the resource is parsed by its own mapping. */
export const paypalEventSchema = z.object({
  id: z.string().check(z.regex(/^WH-/)),
  event_type: z.string().check(z.minLength(1)),
  /** Not trusted as a time: the simulator sends impossible dates (`2018-19-12T…`); the resource's times come first. */
  create_time: z.optional(z.string()),
  resource_type: z.optional(z.string()),
  resource: z.record(z.string(), z.unknown()),
});
export type PaypalEvent = z.infer<typeof paypalEventSchema>;

/**
 * Not `PAYMENT.CAPTURE.REVERSED`: a reversal is the money of a chargeback, which its dispute books when it is
 * resolved for the buyer (paypal-dispute-mapping.ts); booking the reversal too would take the money back twice.
 */
export const HANDLED_PAYPAL_EVENT_TYPES = [
  'PAYMENT.CAPTURE.COMPLETED',
  'PAYMENT.CAPTURE.REFUNDED',
  'PAYMENT.SALE.COMPLETED',
  'PAYMENT.SALE.REFUNDED',
  'INVOICING.INVOICE.PAID',
  'CUSTOMER.DISPUTE.CREATED',
  'CUSTOMER.DISPUTE.UPDATED',
  'CUSTOMER.DISPUTE.RESOLVED',
  'BILLING.SUBSCRIPTION.ACTIVATED',
  'BILLING.SUBSCRIPTION.UPDATED',
  'BILLING.SUBSCRIPTION.SUSPENDED',
  'BILLING.SUBSCRIPTION.CANCELLED',
  'BILLING.SUBSCRIPTION.EXPIRED',
] as const;
export type HandledPaypalEventType = (typeof HANDLED_PAYPAL_EVENT_TYPES)[number];

export function isHandledPaypalEventType(type: string): type is HandledPaypalEventType {
  return (HANDLED_PAYPAL_EVENT_TYPES as readonly string[]).includes(type);
}

/**
 * Translates one PayPal webhook event into canonical events. Pure: no I/O, no clock. Throws
 * MalformedPaypalObjectError for a resource that cannot be mapped as it is.
 *
 * What an event leaves out is never guessed here (the ingest makes no lookup that can fail): a checkout capture
 * and a subscription payment come as the payment only, keyed on an invoice of the same id, which the billing flow
 * posts first from the PayPal API (the order's items, or the plan: PaypalBillingSource.invoice).
 */
export function paypalEventToCanonical(event: PaypalEvent): MappingResult {
  if (!isHandledPaypalEventType(event.event_type)) return { handled: false, reason: 'event type not mapped' };
  const resource = event.resource;
  switch (event.event_type) {
    case 'PAYMENT.CAPTURE.COMPLETED': {
      const capture = parsePaypalObject(paypalCaptureSchema, resource, 'capture');
      if (orderIdOfCapture(capture) === null && authorizationIdOfCapture(capture) === null) {
        // A capture of no checkout order: a PayPal invoice's payment, which INVOICING.INVOICE.PAID books with its invoice.
        return { handled: false, reason: 'a capture of no checkout order (PayPal invoice payments come as INVOICING.INVOICE.PAID)' };
      }
      return mapped(paymentEvent(event, paymentFromPaypalCapture(capture)));
    }
    case 'PAYMENT.SALE.COMPLETED': {
      const sale = parsePaypalObject(paypalSaleSchema, resource, 'sale');
      if (!sale.billing_agreement_id) return { handled: false, reason: 'a sale of no subscription (only subscription payments come as sales)' };
      return mapped(paymentEvent(event, paymentFromPaypalSale(sale)));
    }
    case 'INVOICING.INVOICE.PAID': {
      const invoice = parsePaypalObject(paypalInvoiceSchema, (resource as { invoice?: unknown }).invoice ?? resource, 'invoice');
      const customer = customerOfPaypalInvoice(invoice);
      const snapshot = invoiceSnapshotFromPaypalInvoice(invoice);
      const time = isoTime(`invoice ${invoice.id}`, invoice.detail.metadata?.last_update_time, invoice.detail.metadata?.create_time, event.create_time);
      return mapped(
        envelope(event, CUSTOMER_UPSERTED, CUSTOMER_UPSERTED_VERSION, entityKey('paypal', 'customer', customer.id), time, { customer }),
        envelope(event, 'invoice.finalized', 1, invoiceKey(snapshot.id), time, { invoice: snapshot }),
        ...paymentsOfPaypalInvoice(invoice).map((payment) => paymentEvent(event, payment)),
      );
    }
    case 'PAYMENT.CAPTURE.REFUNDED':
      return mapped(refundEvent(event, refundFromPaypalCaptureRefund(parsePaypalObject(paypalRefundSchema, resource, 'refund'))));
    case 'PAYMENT.SALE.REFUNDED':
      return mapped(refundEvent(event, refundFromPaypalSaleRefund(parsePaypalObject(paypalSaleRefundSchema, resource, 'sale refund'))));
    case 'CUSTOMER.DISPUTE.CREATED':
    case 'CUSTOMER.DISPUTE.UPDATED':
    case 'CUSTOMER.DISPUTE.RESOLVED': {
      const dispute = disputeSnapshotFromPaypal(parsePaypalObject(paypalDisputeSchema, resource, 'dispute'), {
        resolved: event.event_type === 'CUSTOMER.DISPUTE.RESOLVED',
      });
      return mapped(envelope(event, 'dispute.updated', 1, dispute.invoiceId ? invoiceKey(dispute.invoiceId) : entityKey('paypal', 'dispute', dispute.id), dispute.updatedAt, { dispute }));
    }
    case 'BILLING.SUBSCRIPTION.ACTIVATED':
    case 'BILLING.SUBSCRIPTION.UPDATED':
    case 'BILLING.SUBSCRIPTION.SUSPENDED':
    case 'BILLING.SUBSCRIPTION.CANCELLED':
    case 'BILLING.SUBSCRIPTION.EXPIRED': {
      const raw = parsePaypalObject(paypalSubscriptionSchema, resource, 'subscription');
      const ended = event.event_type === 'BILLING.SUBSCRIPTION.CANCELLED' || event.event_type === 'BILLING.SUBSCRIPTION.EXPIRED';
      const subscription = subscriptionSnapshotFromPaypal(raw, { cancelled: ended });
      const customer = customerOfPaypalSubscription(raw);
      // The watermark: when PayPal last changed the subscription (its status change counts).
      const time = isoTime(`subscription ${raw.id}`, latest(raw.update_time, raw.status_update_time), raw.create_time, event.create_time);
      return mapped(
        envelope(event, CUSTOMER_UPSERTED, CUSTOMER_UPSERTED_VERSION, entityKey('paypal', 'customer', customer.id), time, { customer }),
        envelope(event, 'subscription.updated', 1, entityKey('paypal', 'subscription', subscription.id), time, { subscription }),
      );
    }
  }
}

function invoiceKey(invoiceId: string): string {
  return entityKey('paypal', 'invoice', invoiceId);
}

/** Keyed on the payment, not the event: however PayPal tells of this payment (a capture, an invoice's PAID again), it is one canonical payment. */
function paymentEvent(event: PaypalEvent, payment: PaymentSnapshot): CanonicalEvent {
  return { ...envelope(event, 'payment.succeeded', 1, invoiceKey(payment.invoiceId), payment.paidAt, { payment }), id: `paypal:payment:${payment.id}:payment.succeeded` };
}

/** Keyed on the refund: one canonical refund per PayPal refund, whichever delivery tells of it. */
function refundEvent(event: PaypalEvent, refund: RefundSnapshot): CanonicalEvent {
  const subject = refund.invoiceId ? invoiceKey(refund.invoiceId) : entityKey('paypal', 'refund', refund.id);
  return { ...envelope(event, 'refund.created', 1, subject, refund.createdAt, { refund }), id: `paypal:refund:${refund.id}:refund.created` };
}

function latest(...times: Array<string | undefined>): string | undefined {
  const known = times.filter((time): time is string => time !== undefined && !Number.isNaN(Date.parse(time)));
  return known.sort((a, b) => Date.parse(b) - Date.parse(a))[0];
}

/**
 * The envelope. `time` is the resource's own change time (the watermark), not the event's `create_time`; the
 * causation is the webhook event id (`WH-…`, stable across PayPal's retries), which the canonical id derives from.
 */
function envelope<Type extends string, Version extends number, Data>(event: PaypalEvent, type: Type, dataVersion: Version, subject: string, time: string, data: Data) {
  return {
    // One PayPal event yields at most one event of each canonical type this way (payments and refunds are keyed on themselves).
    id: `paypal:${event.id}:${type}`,
    type,
    source: 'paypal' as const,
    subject,
    time,
    correlationId: `paypal:${event.id}`,
    causationId: event.id,
    dataVersion,
    data,
  };
}
