import type { CanonicalEvent } from '../../../events/catalog';
import type { StripeApi, StripeApiObject, StripeResource } from './stripe-api';
import { STRIPE_API_VERSION } from './stripe-object-mapping';
import type { DocumentType } from '../../domain/reconciliation';
import { stripeEventToCanonical } from './stripe-event-to-canonical';
import type { Reemitter, ReemitRequest } from '../../reconcile/reconcile-period';

/** The Stripe object and the webhook that would have carried it, per reconciled document type. */
const SOURCE: Record<DocumentType, { resource: StripeResource; eventType: string; occurredAt: (object: StripeApiObject) => unknown }> = {
  invoice: { resource: 'invoice', eventType: 'invoice.finalized', occurredAt: (object) => transitions(object)['finalized_at'] ?? object['created'] },
  payment: { resource: 'invoice_payment', eventType: 'invoice_payment.paid', occurredAt: (object) => transitions(object)['paid_at'] ?? object['created'] },
  refund: { resource: 'refund', eventType: 'refund.created', occurredAt: (object) => object['created'] },
  credit_note: { resource: 'credit_note', eventType: 'credit_note.created', occurredAt: (object) => object['created'] },
  // Only a lost dispute is re-emitted, and lost is final. Stripe keeps no time of the close, so the event is dated
  // now: the flow's per-dispute watermark then ranks it after the dispute's opening, which it already applied.
  dispute: { resource: 'dispute', eventType: 'charge.dispute.closed', occurredAt: () => Math.floor(Date.now() / 1000) },
};

function transitions(object: StripeApiObject): Record<string, unknown> {
  return (object['status_transitions'] ?? {}) as Record<string, unknown>;
}

export class ReemitError extends Error {
  override name = 'ReemitError';
}

/**
 * Re-emits a document Odoo is missing as the canonical event its webhook would have produced: the object
 * is read from Stripe now and mapped by the ingest's own mapping, so the flows apply it exactly as they
 * would have. The event id is stable per document (`evt_reconcile_<id>`): re-emitting twice is one event
 * for the flows' idempotency, and its time is when the document happened at Stripe (finalized, paid,
 * refunded), so watermarks order it among the document's real events.
 */
export class StripeReemitter implements Reemitter {
  constructor(
    private readonly stripe: StripeApi,
    private readonly publish: (events: readonly CanonicalEvent[]) => Promise<void>,
    /** Connect: the account the reconciled documents belong to (null: the platform). */
    private readonly account: string | null = null,
  ) {}

  async reemit({ documentType, providerId }: ReemitRequest): Promise<void> {
    const source = SOURCE[documentType];
    const object = await this.stripe.retrieve(source.resource, providerId);
    if (object === undefined) throw new ReemitError(`Stripe has no ${documentType} ${providerId} (any more)`);
    const created = source.occurredAt(object);
    if (typeof created !== 'number') throw new ReemitError(`${documentType} ${providerId} has no time to date its event by`);
    const result = stripeEventToCanonical({
      id: `evt_reconcile_${providerId}`,
      object: 'event',
      type: source.eventType,
      created,
      livemode: object['livemode'] === true,
      api_version: STRIPE_API_VERSION,
      account: this.account,
      data: { object },
    });
    if (!result.handled) throw new ReemitError(`${documentType} ${providerId} maps to no canonical event: ${result.reason}`);
    await this.publish(result.events);
  }
}
