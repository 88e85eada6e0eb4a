import * as z from 'zod/mini';
import type { CanonicalEvent } from '../../../events/catalog';
import { CUSTOMER_DELETED, CUSTOMER_DELETED_VERSION } from '../../../events/customer-deleted';
import { CUSTOMER_UPSERTED, CUSTOMER_UPSERTED_VERSION } from '../../../events/customer-upserted';
import { entityKey } from '../../../events/envelope';
import { mapped, type MappingResult } from '../../platform/webhook-receiver';
import { creditNoteFromStripe, stripeCreditNoteSchema } from './stripe-credit-note-mapping';
import { customerSnapshotFromStripe, stripeCustomerSchema } from './stripe-customer-mapping';
import { disputeSnapshotFromStripe, stripeDisputeSchema } from './stripe-dispute-mapping';
import {
  invoiceSnapshotFromStripe,
  invoiceUncollectibleFromStripe,
  invoiceVoidedFromStripe,
  paymentFailedFromStripeInvoice,
  stripeInvoiceSchema,
} from './stripe-invoice-mapping';
import { paymentFromStripeInvoicePayment, stripeInvoicePaymentSchema } from './stripe-invoice-payment-mapping';
import { parseStripeObject, type StripeOrigin } from './stripe-object-mapping';
import { refundSnapshotFromStripe, refundSnapshotsFromStripeCharge, stripeChargeRefundsSchema, stripeRefundSchema, type RefundSnapshot } from './stripe-refund-mapping';
import { stripeSubscriptionSchema, subscriptionSnapshotFromStripe } from './stripe-subscription-mapping';

export { MalformedStripeObjectError, STRIPE_API_VERSION } from './stripe-object-mapping';

// Billing event types and versions are written as literals rather than imported from events/: importing
// a constant would bundle that module's zod schemas, which the ingest never runs. The compiler still
// checks each literal against the catalog's CanonicalEvent union (`mapped` takes CanonicalEvent).

/** The part of a Stripe event every mapping relies on; the object is parsed by its own mapping. */
export const stripeEventSchema = z.object({
  id: z.string().check(z.regex(/^evt_/)),
  object: z.literal('event'),
  type: z.string().check(z.minLength(1)),
  created: z.int().check(z.positive()),
  livemode: z.boolean(),
  api_version: z.nullish(z.string()),
  /** The connected account the event happened on (Connect); absent for the platform's own account. */
  account: z.nullish(z.string()),
  data: z.object({ object: z.record(z.string(), z.unknown()) }),
});
export type StripeEvent = z.infer<typeof stripeEventSchema>;

/**
 * Stripe event types this ingest turns into canonical events. Only these pass the API version gate and
 * the object schemas; anything else is acknowledged and counted.
 */
export const HANDLED_STRIPE_EVENT_TYPES = [
  'customer.created',
  'customer.updated',
  'customer.deleted',
  'customer.subscription.created',
  'customer.subscription.updated',
  'customer.subscription.deleted',
  'invoice.finalized',
  'invoice.voided',
  'invoice.marked_uncollectible',
  'invoice.payment_failed',
  'invoice_payment.paid',
  'refund.created',
  'refund.updated',
  'refund.failed',
  'charge.refunded',
  'credit_note.created',
  'charge.dispute.created',
  'charge.dispute.updated',
  'charge.dispute.closed',
] as const;
export type HandledStripeEventType = (typeof HANDLED_STRIPE_EVENT_TYPES)[number];

export function isHandledStripeEventType(type: string): type is HandledStripeEventType {
  return (HANDLED_STRIPE_EVENT_TYPES as readonly string[]).includes(type);
}

/**
 * Event types that describe a change we do map, from another event: acknowledged and counted, never
 * mapped, so that one change never becomes two Odoo writes.
 */
const COVERED_ELSEWHERE: Readonly<Record<string, string>> = {
  // The invoice carries only the cumulative amount_paid and no id of the payment that was made (API
  // 2025-03-31 removed its charge and payment_intent): mapping it would register a second Odoo payment
  // for the money invoice_payment.paid already registered under the invoice payment's own id.
  'invoice.paid': 'payments come from invoice_payment.paid (one per payment, with its own id)',
  'invoice.payment_succeeded': 'payments come from invoice_payment.paid (one per payment, with its own id)',
};

/** Translates one Stripe event into canonical events. Pure: no I/O, no clock. Throws MalformedStripeObjectError. */
export function stripeEventToCanonical(event: StripeEvent): MappingResult {
  const coveredBy = COVERED_ELSEWHERE[event.type];
  if (coveredBy !== undefined) return { handled: false, reason: coveredBy };
  if (!isHandledStripeEventType(event.type)) return { handled: false, reason: 'event type not mapped' };
  const origin: StripeOrigin = { account: event.account ?? null, observedAt: event.created };
  const object = event.data.object;

  switch (event.type) {
    case 'customer.created':
    case 'customer.updated': {
      const customer = customerSnapshotFromStripe(parseStripeObject(stripeCustomerSchema, object, 'customer'), event.livemode);
      return mapped(envelope(event, CUSTOMER_UPSERTED, CUSTOMER_UPSERTED_VERSION, entityKey('stripe', 'customer', customer.id), { customer }));
    }
    case 'customer.deleted': {
      const { id } = parseStripeObject(stripeCustomerSchema, object, 'customer');
      return mapped(envelope(event, CUSTOMER_DELETED, CUSTOMER_DELETED_VERSION, entityKey('stripe', 'customer', id), { customer: { system: 'stripe' as const, id } }));
    }
    case 'customer.subscription.created':
    case 'customer.subscription.updated':
    case 'customer.subscription.deleted': {
      const subscription = subscriptionSnapshotFromStripe(parseStripeObject(stripeSubscriptionSchema, object, 'subscription'), origin, {
        ended: event.type === 'customer.subscription.deleted',
      });
      return mapped(envelope(event, 'subscription.updated', 1, entityKey('stripe', 'subscription', subscription.id), { subscription }));
    }
    case 'invoice.finalized': {
      const invoice = invoiceSnapshotFromStripe(parseStripeObject(stripeInvoiceSchema, object, 'invoice'), origin);
      return mapped(envelope(event, 'invoice.finalized', 1, invoiceKey(invoice.id), { invoice }));
    }
    case 'invoice.voided': {
      const invoice = invoiceVoidedFromStripe(parseStripeObject(stripeInvoiceSchema, object, 'invoice'), origin);
      return mapped(envelope(event, 'invoice.voided', 1, invoiceKey(invoice.id), { invoice }));
    }
    case 'invoice.marked_uncollectible': {
      const invoice = invoiceUncollectibleFromStripe(parseStripeObject(stripeInvoiceSchema, object, 'invoice'), origin);
      return mapped(envelope(event, 'invoice.uncollectible', 1, invoiceKey(invoice.id), { invoice }));
    }
    case 'invoice.payment_failed': {
      const attempt = paymentFailedFromStripeInvoice(parseStripeObject(stripeInvoiceSchema, object, 'invoice'), origin);
      return mapped(envelope(event, 'payment.failed', 1, invoiceKey(attempt.invoiceId), { attempt }));
    }
    case 'invoice_payment.paid': {
      const payment = paymentFromStripeInvoicePayment(parseStripeObject(stripeInvoicePaymentSchema, object, 'invoice payment'), origin);
      return mapped({
        ...envelope(event, 'payment.succeeded', 1, invoiceKey(payment.invoiceId), { payment }),
        // Keyed on the payment, not the event: however Stripe tells of this payment, it is one canonical payment.
        id: `stripe:invoice_payment:${payment.id}:payment.succeeded`,
      });
    }
    case 'refund.created':
      return refundsMapped(event, [refundSnapshotFromStripe(parseStripeObject(stripeRefundSchema, object, 'refund'), origin)]);
    case 'refund.updated':
    case 'refund.failed': {
      // The refund as it is now (failed, canceled, or a pending one that went through): one event per change.
      const refund = refundSnapshotFromStripe(parseStripeObject(stripeRefundSchema, object, 'refund'), origin);
      return mapped(envelope(event, 'refund.updated', 1, paymentKey(refund), { refund }));
    }
    case 'charge.refunded': {
      const refunds = refundSnapshotsFromStripeCharge(parseStripeObject(stripeChargeRefundsSchema, object, 'charge'), origin);
      if (refunds.length === 0) return { handled: false, reason: 'the charge does not embed its refunds; refund.created carries each one' };
      return refundsMapped(event, refunds);
    }
    case 'credit_note.created': {
      const creditNote = creditNoteFromStripe(parseStripeObject(stripeCreditNoteSchema, object, 'credit note'), origin);
      return mapped(envelope(event, 'credit_note.issued', 1, invoiceKey(creditNote.invoiceId), { creditNote }));
    }
    case 'charge.dispute.created':
    case 'charge.dispute.updated':
    case 'charge.dispute.closed': {
      const snapshot = disputeSnapshotFromStripe(parseStripeObject(stripeDisputeSchema, object, 'dispute'), origin);
      const dispute = { ...snapshot, closed: snapshot.closed || event.type === 'charge.dispute.closed' };
      return mapped(envelope(event, 'dispute.updated', 1, paymentKey(dispute), { dispute }));
    }
  }
}

/**
 * One canonical refund.created per refund, whether `refund.created` or `charge.refunded` tells of it:
 * the id derives from the refund id, so the second to arrive is a duplicate the flows' idempotency drops.
 */
function refundsMapped(event: StripeEvent, refunds: RefundSnapshot[]): MappingResult {
  return {
    handled: true,
    events: refunds.map((refund) => ({
      ...envelope(event, 'refund.created', 1, paymentKey(refund), { refund }),
      id: `stripe:refund:${refund.id}:refund.created`,
    })),
  };
}

function invoiceKey(invoiceId: string): string {
  return entityKey('stripe', 'invoice', invoiceId);
}

/** The Odoo document a refund or dispute touches: its invoice when known, else the charge (or payment intent) it is about. */
function paymentKey(subject: { id: string; invoiceId: string | null; chargeId: string | null; paymentIntentId: string | null }): string {
  if (subject.invoiceId) return invoiceKey(subject.invoiceId);
  if (subject.chargeId) return entityKey('stripe', 'charge', subject.chargeId);
  if (subject.paymentIntentId) return entityKey('stripe', 'payment_intent', subject.paymentIntentId);
  return entityKey('stripe', 'refund', subject.id);
}

function envelope<Type extends string, Version extends number, Data>(event: StripeEvent, type: Type, dataVersion: Version, subject: string, data: Data) {
  return {
    // One Stripe event yields at most one event of each canonical type, so this id is stable across redeliveries.
    id: `stripe:${event.id}:${type}`,
    type,
    source: 'stripe' as const,
    subject,
    time: new Date(event.created * 1000).toISOString(),
    correlationId: `stripe:${event.id}`,
    causationId: event.id,
    dataVersion,
    data,
  };
}
