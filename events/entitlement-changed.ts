import * as z from 'zod/mini';
import { currencySchema, instantSchema, minorAmountSchema, providerIdSchema } from './billing-parts';
import { canonicalEnvelope, sourceSystemSchema } from './envelope';

export const ENTITLEMENT_CHANGED = 'entitlement.changed';
export const ENTITLEMENT_CHANGED_VERSION = 1;

/**
 * A customer's entitlement after a billing change altered it (functions/domain/entitlement.ts): plan, support tier,
 * seats, standing and since when. `subject` is the canonical customer (`saas_sync:customer:<id>`), `source` the
 * system whose event changed it, `watermark` the newest billing fact it was derived from: a consumer keeps the
 * entitlement with the highest watermark (deliveries are not ordered).
 */
export const entitlementChangedSchema = canonicalEnvelope(
  ENTITLEMENT_CHANGED,
  ENTITLEMENT_CHANGED_VERSION,
  z.strictObject({
    entitlement: z.strictObject({
      customer: z.string().check(z.minLength(1), z.describe('the canonical customer id')),
      plan: z.nullable(z.string()),
      tier: z.string().check(z.minLength(1)),
      seats: z.number().check(z.nonnegative()),
      status: z.enum(['active', 'past_due', 'suspended', 'cancelled']),
      since: z.nullable(instantSchema),
      mrr: z.array(z.strictObject({ currency: currencySchema, amount: minorAmountSchema })),
      billingCustomers: z.array(z.strictObject({ system: sourceSystemSchema, customerId: providerIdSchema })),
      openInvoices: z.array(
        z.strictObject({
          system: sourceSystemSchema,
          id: providerIdSchema,
          amountDue: z.nullable(minorAmountSchema),
          currency: z.nullable(currencySchema),
          failedAt: instantSchema,
          failureReason: z.nullable(z.string()),
        }),
      ),
      watermark: z.string().check(z.minLength(1)),
    }),
    /** The entitlement before the change, when there was one (its status and tier: what a consumer reacts to). */
    previous: z.nullable(z.strictObject({ status: z.enum(['active', 'past_due', 'suspended', 'cancelled']), tier: z.string(), plan: z.nullable(z.string()) })),
  }),
);
export type EntitlementChanged = z.infer<typeof entitlementChangedSchema>;
