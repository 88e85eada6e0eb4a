import type { CustomerSnapshot } from '../../../events/customer-upserted';
import type { InvoiceSnapshot } from '../../../events/invoice-finalized';
import type { SubscriptionSnapshot } from '../../../events/subscription-updated';
import type { BillingSource, RefundSnapshot } from '../../domain/billing-ledger';
import type { PaypalApi } from './paypal-api';
import {
  customerOfPaypalInvoice,
  customerOfPaypalOrder,
  invoiceSnapshotFromPaypalCapture,
  invoiceSnapshotFromPaypalInvoice,
  invoiceSnapshotFromPaypalSale,
  paypalInvoiceSchema,
  paypalOrderSchema,
  paypalPlanSchema,
} from './paypal-invoice-mapping';
import { parsePaypalObject } from './paypal-object-mapping';
import { authorizationIdOfCapture, orderIdOfCapture, paypalCaptureSchema, paypalSaleSchema } from './paypal-payment-mapping';
import { customerOfPaypalSubscription, paypalSubscriptionSchema, subscriptionSnapshotFromPaypal } from './paypal-subscription-mapping';

/** PayPal invoice statuses with final lines: sent or paid in any way (a draft or scheduled one may still change). */
const FINAL_INVOICE_STATUSES: ReadonlySet<string> = new Set(['SENT', 'UNPAID', 'PAID', 'MARKED_AS_PAID', 'PARTIALLY_PAID', 'PAYMENT_PENDING', 'REFUNDED', 'PARTIALLY_REFUNDED', 'MARKED_AS_REFUNDED']);

/**
 * The billing flows' view of PayPal (the provider-neutral `BillingSource` port): what an event leaves out, read
 * from the API and mapped as the ingest maps webhooks.
 *
 * Invoices come in three kinds, told apart by id: `INV2-…` is a PayPal invoice; any other id is the transaction
 * that an invoice of ours is keyed on (paypal-payment-mapping.ts) — a checkout capture (its invoice is the order's
 * items: capture + order, + the authorization when the capture names only that: 2–3 GETs) or a subscription
 * payment (its invoice is the plan: sale + subscription + plan, 3 GETs; a capture id is tried first, so 4).
 *
 * Customers: PayPal has no customer API. The payer of every order, subscription and invoice this source reads is
 * kept (for the container's life) and answered by `customer(id)`, which is exactly when the flow asks: posting an
 * invoice it just read resolves its customer next. A customer never seen here is `undefined` (the flow retries
 * until `customer.upserted`, which subscriptions and PayPal invoices carry, has created the partner).
 */
export class PaypalBillingSource implements BillingSource {
  private readonly payers = new Map<string, CustomerSnapshot>();

  constructor(private readonly paypal: PaypalApi) {}

  async customer(id: string): Promise<CustomerSnapshot | undefined> {
    return this.payers.get(id);
  }

  async invoice(id: string): Promise<InvoiceSnapshot | undefined> {
    if (id.startsWith('INV2-')) return this.paypalInvoice(id);
    return (await this.captureInvoice(id)) ?? (await this.saleInvoice(id));
  }

  /** A PayPal refund names its payment, whose id is its invoice's: nothing to look up. */
  async refundInvoice(refund: RefundSnapshot): Promise<string | null | undefined> {
    return refund.invoiceId ?? refund.chargeId ?? undefined;
  }

  /** The payer of a disputed payment: the customer of the invoice keyed on it (null: PayPal names no payer). */
  async paymentCustomer(payment: { chargeId: string | null; paymentIntentId: string | null }): Promise<string | null | undefined> {
    if (payment.chargeId === null) return undefined;
    const invoice = await this.invoice(payment.chargeId);
    return invoice === undefined ? undefined : invoice.customerId;
  }

  /**
   * The subscription with its plan's price and cycle (2 GETs): what `BILLING.SUBSCRIPTION.*` webhooks leave out.
   * Not part of the BillingSource port (the subscription flow reads no provider today): ready for when it does.
   */
  async subscription(id: string): Promise<SubscriptionSnapshot | undefined> {
    const raw = await this.paypal.retrieve('subscription', id);
    if (raw === undefined) return undefined;
    const subscription = parsePaypalObject(paypalSubscriptionSchema, raw, 'subscription');
    const planRaw = await this.paypal.retrieve('plan', subscription.plan_id);
    const plan = planRaw === undefined ? undefined : parsePaypalObject(paypalPlanSchema, planRaw, 'plan');
    this.remember(customerOfPaypalSubscription(subscription));
    return subscriptionSnapshotFromPaypal(subscription, plan === undefined ? {} : { plan });
  }

  private async paypalInvoice(id: string): Promise<InvoiceSnapshot | undefined> {
    const raw = await this.paypal.retrieve('invoice', id);
    if (raw === undefined) return undefined;
    const invoice = parsePaypalObject(paypalInvoiceSchema, raw, 'invoice');
    if (!FINAL_INVOICE_STATUSES.has(invoice.status.toUpperCase())) return undefined;
    this.remember(customerOfPaypalInvoice(invoice));
    return invoiceSnapshotFromPaypalInvoice(invoice);
  }

  private async captureInvoice(captureId: string): Promise<InvoiceSnapshot | undefined> {
    const raw = await this.paypal.retrieve('capture', captureId);
    if (raw === undefined) return undefined;
    const capture = parsePaypalObject(paypalCaptureSchema, raw, 'capture');
    let orderId = orderIdOfCapture(capture);
    const authorizationId = authorizationIdOfCapture(capture);
    if (orderId === null && authorizationId !== null) {
      const authorization = await this.paypal.retrieve('authorization', authorizationId);
      const related = (authorization?.['supplementary_data'] as { related_ids?: { order_id?: string } } | undefined)?.related_ids;
      orderId = related?.order_id ?? null;
    }
    // A capture of no order (a PayPal invoice's payment): no invoice of ours is keyed on it.
    if (orderId === null) return undefined;
    const orderRaw = await this.paypal.retrieve('order', orderId);
    if (orderRaw === undefined) return undefined;
    const order = parsePaypalObject(paypalOrderSchema, orderRaw, 'order');
    this.remember(customerOfPaypalOrder(order));
    return invoiceSnapshotFromPaypalCapture(capture, order);
  }

  private async saleInvoice(saleId: string): Promise<InvoiceSnapshot | undefined> {
    const raw = await this.paypal.retrieve('sale', saleId);
    if (raw === undefined) return undefined;
    const sale = parsePaypalObject(paypalSaleSchema, raw, 'sale');
    if (!sale.billing_agreement_id) return undefined;
    const subscriptionRaw = await this.paypal.retrieve('subscription', sale.billing_agreement_id);
    if (subscriptionRaw === undefined) return undefined;
    const subscription = parsePaypalObject(paypalSubscriptionSchema, subscriptionRaw, 'subscription');
    const planRaw = await this.paypal.retrieve('plan', subscription.plan_id);
    if (planRaw === undefined) return undefined;
    const plan = parsePaypalObject(paypalPlanSchema, planRaw, 'plan');
    this.remember(customerOfPaypalSubscription(subscription));
    return invoiceSnapshotFromPaypalSale(sale, subscriptionSnapshotFromPaypal(subscription, { plan }), plan);
  }

  private remember(customer: CustomerSnapshot): void {
    this.payers.set(customer.id, customer);
  }
}
