import * as z from 'zod/mini';
import { dealWonSchema } from '../../../events/deal-won';
import { subscriptionSnapshotSchema } from '../../../events/subscription-updated';
import { subscriptionEntitlementResultSchema } from '../shared/subscription-fact';

/**
 * The onboarding saga's state as the state machine carries it: the execution's input (`sagaId`, the `deal.won`
 * event) and each step's result at its own path (lib/constructs/lifecycle-saga.ts), the compensations' too. Parsed at
 * every step's door: a compensation reads what its step made from here, never from a search.
 */

export const ensurePartnerResultSchema = z.object({
  partnerId: z.number(),
  /** The canonical customer (saas_sync) of the CRM account. */
  customerId: z.string(),
  /**
   * Whether this run made the partner. The account's partner is crm-sync's (the step finds it through the identity
   * map and waits for it): false, so undoing the onboarding never archives a customer it did not make.
   */
  createdPartner: z.boolean(),
  name: z.string(),
  email: z.nullable(z.string()),
});
export type EnsurePartnerResult = z.infer<typeof ensurePartnerResultSchema>;

export const verifyContractResultSchema = z.object({ orderId: z.number(), orderName: z.nullable(z.string()), state: z.literal('confirmed') });
export type VerifyContractResult = z.infer<typeof verifyContractResultSchema>;

export const billingCustomerResultSchema = z.object({ system: z.string(), customerId: z.string(), created: z.boolean() });
export type BillingCustomerResult = z.infer<typeof billingCustomerResultSchema>;

export const subscribeResultSchema = z.object({ subscription: subscriptionSnapshotSchema });
export type SubscribeResult = z.infer<typeof subscribeResultSchema>;

/** The entitlement the new subscription gives (functions/sagas/shared/subscription-fact.ts). */
export const grantEntitlementResultSchema = subscriptionEntitlementResultSchema;
export type GrantEntitlementResult = z.infer<typeof grantEntitlementResultSchema>;

export const onboardingStateSchema = z.looseObject({
  sagaId: z.string().check(z.minLength(1)),
  event: dealWonSchema,
  ensurePartner: z.optional(ensurePartnerResultSchema),
  verifyContract: z.optional(verifyContractResultSchema),
  ensureBillingCustomer: z.optional(billingCustomerResultSchema),
  subscribe: z.optional(subscribeResultSchema),
  grantEntitlement: z.optional(grantEntitlementResultSchema),
  /** What the compensations that ran before this one did (the last one's note on the deal lists them). */
  revokeEntitlement: z.optional(z.looseObject({ outcome: z.string() })),
  cancelSubscription: z.optional(z.looseObject({ outcome: z.string() })),
  deleteBillingCustomer: z.optional(z.looseObject({ outcome: z.string() })),
  cancelContract: z.optional(z.looseObject({ outcome: z.string() })),
  /** Set by the Catch of the step that failed for good: what the compensations say in their notes. */
  failure: z.optional(z.object({ Error: z.string(), Cause: z.optional(z.string()) })),
});
export type OnboardingState = z.infer<typeof onboardingStateSchema>;

export const parseOnboardingState = (input: unknown): OnboardingState => onboardingStateSchema.parse(input);
