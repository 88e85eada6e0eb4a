import * as z from 'zod/mini';
import { billingPartySchema, currencySchema, instantSchema, minorAmountSchema, providerIdSchema } from './billing-parts';
import { canonicalEnvelope } from './envelope';

export const SUBSCRIPTION_UPDATED = 'subscription.updated';
export const SUBSCRIPTION_UPDATED_VERSION = 1;

export const subscriptionStatusSchema = z.enum(['incomplete', 'incomplete_expired', 'trialing', 'active', 'past_due', 'canceled', 'unpaid', 'paused']);

/**
 * A subscription as the provider now knows it (created, changed or ended: a full snapshot), which Odoo
 * keeps as a confirmed sale order amended on plan or quantity changes and cancelled when it ends.
 */
export const subscriptionSnapshotSchema = z.strictObject({
  ...billingPartySchema.shape,
  id: providerIdSchema,
  status: subscriptionStatusSchema,
  currency: currencySchema,
  items: z.array(
    z.strictObject({
      id: providerIdSchema,
      priceId: providerIdSchema,
      productId: z.nullable(z.string()),
      description: z.nullable(z.string()),
      quantity: z.number().check(z.nonnegative()),
      /** Unit price in minor units; null for tiered or metered prices (their amounts come on invoices). */
      unitAmount: z.nullable(minorAmountSchema),
      interval: z.nullable(z.enum(['day', 'week', 'month', 'year'])),
      intervalCount: z.nullable(z.int().check(z.positive())),
    }),
  ),
  currentPeriodStart: z.nullable(instantSchema),
  currentPeriodEnd: z.nullable(instantSchema),
  cancelAtPeriodEnd: z.boolean(),
  canceledAt: z.nullable(instantSchema),
  endedAt: z.nullable(instantSchema),
  livemode: z.boolean(),
});
export type SubscriptionSnapshot = z.infer<typeof subscriptionSnapshotSchema>;

export const subscriptionUpdatedSchema = canonicalEnvelope(
  SUBSCRIPTION_UPDATED,
  SUBSCRIPTION_UPDATED_VERSION,
  z.strictObject({ subscription: subscriptionSnapshotSchema }),
);
export type SubscriptionUpdated = z.infer<typeof subscriptionUpdatedSchema>;
