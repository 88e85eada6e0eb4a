import * as z from 'zod/mini';
import type { CustomerSnapshot } from '../../../events/customer-upserted';
import type { SubscriptionSnapshot } from '../../../events/subscription-updated';
import { regularCycleOf, type PaypalPlan } from './paypal-invoice-mapping';
import {
  customerSnapshotFromPaypalPayer,
  isoTimeOrNull,
  livemodeOf,
  MalformedPaypalObjectError,
  moneyOf,
  paypalAddressSchema,
  paypalLinksSchema,
  paypalMoneySchema,
  paypalNameSchema,
} from './paypal-object-mapping';

/** A subscription (`BILLING.SUBSCRIPTION.*`, `GET /v1/billing/subscriptions/{id}`). */
export const paypalSubscriptionSchema = z.object({
  id: z.string().check(z.minLength(1)),
  status: z.string(),
  status_update_time: z.optional(z.string()),
  plan_id: z.string().check(z.minLength(1)),
  quantity: z.optional(z.string()),
  start_time: z.optional(z.string()),
  create_time: z.optional(z.string()),
  update_time: z.optional(z.string()),
  shipping_amount: z.optional(paypalMoneySchema),
  subscriber: z.optional(
    z.object({
      payer_id: z.optional(z.string()),
      email_address: z.optional(z.string()),
      name: paypalNameSchema,
      shipping_address: z.optional(z.object({ address: paypalAddressSchema })),
    }),
  ),
  billing_info: z.optional(
    z.object({
      outstanding_balance: z.optional(paypalMoneySchema),
      last_payment: z.optional(z.object({ amount: z.optional(paypalMoneySchema), time: z.optional(z.string()) })),
      next_billing_time: z.optional(z.string()),
    }),
  ),
  links: paypalLinksSchema,
});
export type PaypalSubscription = z.infer<typeof paypalSubscriptionSchema>;

/** PayPal's subscription statuses in the canonical words (the contract's states). */
const STATUSES: Readonly<Record<string, SubscriptionSnapshot['status']>> = {
  APPROVAL_PENDING: 'incomplete',
  APPROVED: 'incomplete',
  ACTIVE: 'active',
  // Suspended by the merchant or by PayPal after failed payments: billing stops, the contract stays.
  SUSPENDED: 'paused',
  CANCELLED: 'canceled',
  EXPIRED: 'canceled',
};

export function customerOfPaypalSubscription(subscription: PaypalSubscription): CustomerSnapshot {
  const subscriber = subscription.subscriber;
  return customerSnapshotFromPaypalPayer(
    { payerId: subscriber?.payer_id, email: subscriber?.email_address, name: subscriber?.name, address: subscriber?.shipping_address?.address },
    livemodeOf(subscription.links),
    `subscription ${subscription.id}`,
  );
}

/**
 * A PayPal subscription as the canonical snapshot: one item, the plan, with the subscription's quantity.
 * The webhook names the plan but not its price or cycle: without `plan` (the billing source reads it), the
 * item's unit amount and interval are null — the contract line then says its amounts come on the invoices,
 * which for PayPal they do (every cycle's payment posts an invoice priced by the plan).
 * `cancelled`: the event says the subscription ended (`BILLING.SUBSCRIPTION.CANCELLED`), whatever the payload's status.
 */
export function subscriptionSnapshotFromPaypal(subscription: PaypalSubscription, options: { plan?: PaypalPlan; cancelled?: boolean } = {}): SubscriptionSnapshot {
  const what = `subscription ${subscription.id}`;
  const status = options.cancelled ? 'canceled' : STATUSES[subscription.status.toUpperCase()];
  if (status === undefined) throw new MalformedPaypalObjectError(`${what} has status ${subscription.status}, which no mapping knows`);
  const moneyHint = subscription.billing_info?.last_payment?.amount ?? subscription.billing_info?.outstanding_balance ?? subscription.shipping_amount;
  const cycle = options.plan ? regularCycleOf(options.plan) : undefined;
  const currencySource = cycle?.price ?? moneyHint;
  if (currencySource === undefined || currencySource === null) throw new MalformedPaypalObjectError(`${what} says no currency (no billing info, no plan)`);
  const currency = moneyOf(currencySource, `${what} currency`).currency;
  const quantity = Number(subscription.quantity ?? '1');
  if (!Number.isFinite(quantity) || quantity < 0) throw new MalformedPaypalObjectError(`${what} has quantity ${subscription.quantity}`);
  const ended = status === 'canceled' ? isoTimeOrNull(subscription.status_update_time ?? subscription.update_time) : null;
  return {
    system: 'paypal',
    account: null,
    customerId: customerOfPaypalSubscription(subscription).id,
    id: subscription.id,
    status,
    currency,
    items: [
      {
        id: subscription.id,
        priceId: subscription.plan_id,
        productId: options.plan?.product_id ?? null,
        description: options.plan?.name ?? null,
        quantity,
        unitAmount: cycle?.price ? moneyOf(cycle.price, `plan ${subscription.plan_id} price`).amount : null,
        interval: cycle?.interval ?? null,
        intervalCount: cycle?.intervalCount ?? null,
      },
    ],
    currentPeriodStart: isoTimeOrNull(subscription.billing_info?.last_payment?.time ?? subscription.start_time),
    currentPeriodEnd: isoTimeOrNull(subscription.billing_info?.next_billing_time),
    // PayPal has no "cancel at period end": a cancellation is immediate.
    cancelAtPeriodEnd: false,
    canceledAt: ended,
    endedAt: ended,
    livemode: livemodeOf(subscription.links),
  };
}
