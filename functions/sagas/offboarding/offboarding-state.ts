import * as z from 'zod/mini';
import { customerDeletedSchema } from '../../../events/customer-deleted';
import { sourceSystemSchema } from '../../../events/envelope';
import { subscriptionUpdatedSchema } from '../../../events/subscription-updated';

/**
 * The offboarding saga's state: the execution's input (`sagaId`, the triggering event: a subscription's snapshot or
 * a customer's deletion at its provider) and each step's result at its own path. Parsed at every step's door.
 */

export const recogniseEndResultSchema = z.discriminatedUnion('outcome', [
  /** A snapshot of a subscription that still runs (or has not started): nothing to offboard. */
  z.object({ outcome: z.literal('not-an-end'), status: z.string() }),
  z.object({
    outcome: z.literal('offboard'),
    reason: z.enum(['subscription-ended', 'customer-deleted']),
    billingCustomer: z.object({ system: sourceSystemSchema, customerId: z.string() }),
    /** The canonical customer. */
    customer: z.string(),
    partnerId: z.number(),
  }),
]);
export type RecogniseEndResult = z.infer<typeof recogniseEndResultSchema>;

export const revokeEntitlementResultSchema = z.object({
  customer: z.string(),
  /** `cancelled` unless another live subscription (another provider's) still gives the customer a plan. */
  standing: z.enum(['active', 'past_due', 'suspended', 'cancelled']),
  changed: z.boolean(),
});

export const offboardingStateSchema = z.looseObject({
  sagaId: z.string().check(z.minLength(1)),
  event: z.discriminatedUnion('type', [subscriptionUpdatedSchema, customerDeletedSchema]),
  recogniseEnd: z.optional(recogniseEndResultSchema),
  revokeEntitlement: z.optional(revokeEntitlementResultSchema),
  /** What CheckOpenInvoices found (ArchivePartner keeps a partner that still owes). */
  checkOpenInvoices: z.optional(z.discriminatedUnion('outcome', [z.object({ outcome: z.literal('none-open') }), z.looseObject({ outcome: z.literal('open-invoices'), invoices: z.array(z.unknown()) })])),
  failure: z.optional(z.object({ Error: z.string(), Cause: z.optional(z.string()) })),
});
export type OffboardingState = z.infer<typeof offboardingStateSchema>;

export const parseOffboardingState = (input: unknown): OffboardingState => offboardingStateSchema.parse(input);
