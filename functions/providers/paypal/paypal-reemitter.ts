import type { CanonicalEvent } from '../../../events/catalog';
import type { Reemitter, ReemitRequest } from '../../reconcile/reconcile-period';
import type { PaypalApi, PaypalApiObject, PaypalResource } from './paypal-api';
import { paypalEventToCanonical } from './paypal-event-to-canonical';

/** The read API object and the webhook that carries it: tried in order, the first object PayPal has is re-emitted. */
const SOURCES: Record<'capture' | 'sale' | 'refund' | 'invoice', { resource: PaypalResource; eventType: string; resourceOf?: (object: PaypalApiObject) => Record<string, unknown> }> = {
  capture: { resource: 'capture', eventType: 'PAYMENT.CAPTURE.COMPLETED' },
  sale: { resource: 'sale', eventType: 'PAYMENT.SALE.COMPLETED' },
  refund: { resource: 'refund', eventType: 'PAYMENT.CAPTURE.REFUNDED' },
  // INVOICING.INVOICE.PAID carries `{ invoice }`.
  invoice: { resource: 'invoice', eventType: 'INVOICING.INVOICE.PAID', resourceOf: (invoice) => ({ invoice }) },
};

export class PaypalReemitError extends Error {
  override name = 'PaypalReemitError';
}

/**
 * Re-emits a document Odoo is missing as the canonical events its webhook would have produced: the object is read
 * from PayPal now and mapped by the ingest's own mapping (paypalEventToCanonical), so the flows apply it exactly as
 * they would have. The canonical ids of payments and refunds are keyed on the payment or refund itself, so a
 * re-emitted one and a late real delivery are one event for the flows' idempotency.
 *
 * - an invoice or payment keyed on a transaction: the capture (`PAYMENT.CAPTURE.COMPLETED`), else the subscription
 *   sale (`PAYMENT.SALE.COMPLETED`): its payment event, whose invoice the billing flow posts first from the API;
 * - a PayPal invoice `INV2-…`: `INVOICING.INVOICE.PAID` (the invoice, its customer and its payments);
 * - a refund: the capture refund (`PAYMENT.CAPTURE.REFUNDED`). A sale refund, a reversal or a chargeback cannot be
 *   read back by id from PayPal's REST API (no `GET` of them is served): they fail with that reason, to be
 *   resent from PayPal (Dashboard → Webhooks → Resend) or booked by hand.
 */
export class PaypalReemitter implements Reemitter {
  constructor(
    private readonly paypal: Pick<PaypalApi, 'retrieve'>,
    private readonly publish: (events: readonly CanonicalEvent[]) => Promise<void>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async reemit({ documentType, providerId }: ReemitRequest): Promise<void> {
    const candidates = this.sourcesOf(documentType, providerId);
    if (candidates.length === 0) throw new PaypalReemitError(`a PayPal ${documentType} cannot be read back by id (${providerId}): resend its webhook from PayPal or book it by hand`);
    for (const source of candidates) {
      const object = await this.paypal.retrieve(source.resource, providerId);
      if (object === undefined) continue;
      const result = paypalEventToCanonical({
        // A webhook event id of its own (the schema's `WH-` prefix); payments and refunds are keyed on themselves anyway.
        id: `WH-RECONCILE-${providerId}`,
        event_type: source.eventType,
        create_time: this.now().toISOString(),
        resource: source.resourceOf ? source.resourceOf(object) : object,
      });
      if (!result.handled) throw new PaypalReemitError(`${documentType} ${providerId} maps to no canonical event: ${result.reason}`);
      await this.publish(result.events);
      return;
    }
    throw new PaypalReemitError(`PayPal has no ${candidates.map((source) => source.resource).join(' or ')} ${providerId} (any more)`);
  }

  private sourcesOf(documentType: ReemitRequest['documentType'], id: string) {
    switch (documentType) {
      case 'invoice':
        return id.startsWith('INV2-') ? [SOURCES.invoice] : [SOURCES.capture, SOURCES.sale];
      case 'payment':
        return [SOURCES.capture, SOURCES.sale];
      case 'refund':
        return id.startsWith('REVERSAL-') ? [] : [SOURCES.refund];
      default:
        return [];
    }
  }
}
