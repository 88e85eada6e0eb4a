import * as z from 'zod/mini';
import { paymentFailedSchema } from '../../../events/payment-failed';

/**
 * The dunning saga's state as the state machine carries it: the execution's input (`sagaId`, the `payment.failed`
 * event) and each step's result at its own path (lib/constructs/lifecycle-saga.ts). Parsed at every step's door.
 */

export const markPastDueResultSchema = z.discriminatedUnion('outcome', [
  z.object({ outcome: z.literal('flagged-past-due'), partnerId: z.number(), graceEndsAt: z.string() }),
  z.object({ outcome: z.literal('invoice-settled'), moveId: z.number(), state: z.string() }),
]);
export type MarkPastDueResult = z.infer<typeof markPastDueResultSchema>;

export const recheckResultSchema = z.object({
  /** `waiting`: unpaid, grace not over (the check loop waits again); `unpaid`: grace over; `paid`: nothing left to pay. */
  outcome: z.enum(['waiting', 'unpaid', 'paid']),
  amountRemaining: z.number(),
  checkedAt: z.string(),
});
export type RecheckResult = z.infer<typeof recheckResultSchema>;

/** The customer's entitlement after a step revised it: the standing the support desk's organization shows. */
export const entitlementStepResultSchema = z.object({
  customer: z.string(),
  standing: z.enum(['active', 'past_due', 'suspended', 'cancelled']),
  /** Whether the step changed it (pushed to the desk); false when the entitlements flow had already. */
  changed: z.boolean(),
});
export type EntitlementStepResult = z.infer<typeof entitlementStepResultSchema>;

export const ownerTaskResultSchema = z.discriminatedUnion('outcome', [
  z.object({ outcome: z.literal('opened'), taskId: z.string(), companyId: z.string() }),
  /** The stage runs no CRM, or the customer has no company in it: nobody to give a task to. */
  z.object({ outcome: z.literal('no-crm-company'), reason: z.string() }),
]);
export type OwnerTaskResult = z.infer<typeof ownerTaskResultSchema>;

export const dunningStateSchema = z.looseObject({
  sagaId: z.string().check(z.minLength(1)),
  event: paymentFailedSchema,
  markPastDue: z.optional(markPastDueResultSchema),
  entitlementPastDue: z.optional(entitlementStepResultSchema),
  openOwnerTask: z.optional(ownerTaskResultSchema),
  recheckInvoice: z.optional(recheckResultSchema),
  /** Set by the Catch of the step that failed for good: what the compensations say in their notes. */
  failure: z.optional(z.object({ Error: z.string(), Cause: z.optional(z.string()) })),
});
export type DunningState = z.infer<typeof dunningStateSchema>;

export const parseDunningState = (input: unknown): DunningState => dunningStateSchema.parse(input);
