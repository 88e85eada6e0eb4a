import * as z from 'zod/mini';
import { subscriptionAmendedSchema } from '../../../events/subscription-amended';
import { stepFailureSchema } from '../shared/failure-reason';
import { subscriptionEntitlementResultSchema } from '../shared/subscription-fact';

/**
 * The amendment saga's state as the state machine carries it: the execution's input (`sagaId`, the
 * `subscription.amended` event) and each step's result at its own path (lib/constructs/lifecycle-saga.ts), the
 * compensation's too. Parsed at every step's door.
 */

export const verifyContractAmendedResultSchema = z.object({
  /** `amended`: the contract holds the event's lines; `superseded`: a newer amendment changed them since (nothing more to do). */
  outcome: z.enum(['amended', 'superseded']),
  orderId: z.number(),
  orderName: z.nullable(z.string()),
});
export type VerifyContractAmendedResult = z.infer<typeof verifyContractAmendedResultSchema>;

export const updateCrmResultSchema = z.discriminatedUnion('outcome', [
  z.object({ outcome: z.literal('noted'), companyId: z.string() }),
  z.object({ outcome: z.literal('no-crm'), reason: z.string() }),
]);
export type UpdateCrmResult = z.infer<typeof updateCrmResultSchema>;

export const amendmentStateSchema = z.looseObject({
  sagaId: z.string().check(z.minLength(1)),
  event: subscriptionAmendedSchema,
  verifyContractAmended: z.optional(verifyContractAmendedResultSchema),
  rederiveEntitlement: z.optional(subscriptionEntitlementResultSchema),
  updateCrm: z.optional(updateCrmResultSchema),
  /** Set by the Catch of the step that failed for good: what the restore's note says. */
  failure: z.optional(stepFailureSchema),
});
export type AmendmentState = z.infer<typeof amendmentStateSchema>;

export const parseAmendmentState = (input: unknown): AmendmentState => amendmentStateSchema.parse(input);
