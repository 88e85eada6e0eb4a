import * as z from 'zod/mini';
import type { SubscriptionSnapshot } from '../../../events/subscription-updated';
import {
  completeList,
  embeddedListSchema,
  expandableIdSchema,
  idOf,
  isoOrNull,
  stripeAmountSchema,
  stripeCurrencySchema,
  stripeTimestampSchema,
  type StripeOrigin,
} from './stripe-object-mapping';

const stripeSubscriptionItemSchema = z.object({
  id: z.string().check(z.minLength(1)),
  /** Absent for metered prices: usage is billed on invoices. */
  quantity: z.nullish(z.number().check(z.nonnegative())),
  price: z.object({
    id: z.string().check(z.minLength(1)),
    product: z.nullish(expandableIdSchema),
    nickname: z.nullish(z.string()),
    /** Null for tiered prices and for prices below the minor unit (only `unit_amount_decimal` then). */
    unit_amount: z.nullish(stripeAmountSchema),
    recurring: z.nullish(z.object({ interval: z.enum(['day', 'week', 'month', 'year']), interval_count: z.int().check(z.positive()) })),
  }),
  // Since API 2025-03-31 the billing period is per item, no longer on the subscription.
  current_period_start: z.nullish(stripeTimestampSchema),
  current_period_end: z.nullish(stripeTimestampSchema),
});

type SubscriptionStatus = SubscriptionSnapshot['status'];
/**
 * The statuses the contract knows, spelt out here rather than imported so that the ingest bundle does
 * not carry the contract's schemas; the `satisfies` and the check below fail the build if they drift.
 */
const SUBSCRIPTION_STATUSES = ['incomplete', 'incomplete_expired', 'trialing', 'active', 'past_due', 'canceled', 'unpaid', 'paused'] as const satisfies readonly SubscriptionStatus[];
const everyStatusListed: Exclude<SubscriptionStatus, (typeof SUBSCRIPTION_STATUSES)[number]> extends never ? true : never = true;
void everyStatusListed;

/** The fields of a Stripe subscription we rely on. */
export const stripeSubscriptionSchema = z.object({
  id: z.string().check(z.minLength(1)),
  object: z.literal('subscription'),
  customer: expandableIdSchema,
  status: z.enum(SUBSCRIPTION_STATUSES),
  currency: stripeCurrencySchema,
  items: embeddedListSchema(stripeSubscriptionItemSchema),
  cancel_at_period_end: z.boolean(),
  canceled_at: z.nullish(stripeTimestampSchema),
  ended_at: z.nullish(stripeTimestampSchema),
  livemode: z.boolean(),
});
export type StripeSubscription = z.infer<typeof stripeSubscriptionSchema>;

/**
 * A Stripe subscription as the canonical snapshot. `ended` says the subscription is over
 * (`customer.subscription.deleted`): the snapshot is then canceled with an end date even if the
 * payload was rendered a moment before Stripe stamped it.
 */
export function subscriptionSnapshotFromStripe(subscription: StripeSubscription, origin: StripeOrigin, options: { ended?: boolean } = {}): SubscriptionSnapshot {
  const items = completeList(subscription.items, `subscription ${subscription.id} items`);
  const starts = items.flatMap((item) => (item.current_period_start === null || item.current_period_start === undefined ? [] : [item.current_period_start]));
  const ends = items.flatMap((item) => (item.current_period_end === null || item.current_period_end === undefined ? [] : [item.current_period_end]));
  const ended = options.ended === true;
  return {
    system: 'stripe',
    account: origin.account,
    customerId: idOf(subscription.customer),
    id: subscription.id,
    status: ended ? 'canceled' : subscription.status,
    currency: subscription.currency,
    items: items.map((item) => ({
      id: item.id,
      priceId: item.price.id,
      productId: idOf(item.price.product),
      description: item.price.nickname ?? null,
      // A metered item has no quantity: 0 on the order, its usage comes on invoices.
      quantity: item.quantity ?? 0,
      unitAmount: item.price.unit_amount ?? null,
      interval: item.price.recurring?.interval ?? null,
      intervalCount: item.price.recurring?.interval_count ?? null,
    })),
    // Items may renew on different cycles (flexible billing): the subscription's period spans them all.
    currentPeriodStart: isoOrNull(starts.length > 0 ? Math.min(...starts) : null),
    currentPeriodEnd: isoOrNull(ends.length > 0 ? Math.max(...ends) : null),
    cancelAtPeriodEnd: subscription.cancel_at_period_end,
    canceledAt: isoOrNull(subscription.canceled_at ?? (ended ? origin.observedAt : null)),
    endedAt: isoOrNull(subscription.ended_at ?? (ended ? origin.observedAt : null)),
    livemode: subscription.livemode,
  };
}
