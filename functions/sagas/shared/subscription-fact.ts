import * as z from 'zod/mini';
import { entityKey } from '../../../events/envelope';
import { SUBSCRIPTION_UPDATED, SUBSCRIPTION_UPDATED_VERSION, type SubscriptionSnapshot, type SubscriptionUpdated } from '../../../events/subscription-updated';
import { type EntitlementFlowPorts, syncEntitlement } from '../../flows/entitlements/sync-entitlement';
import { PermanentSyncError } from '../../platform/errors';

/**
 * A subscription as a `subscription.updated` fact for the entitlements flow's code (flows/entitlements), under an id
 * of the saga's own (`<saga>:<sagaId>:<write>`): the entitlement's lease and its `entitlement.changed` are the step's,
 * never the triggering event's, which the flow may be applying at the same time.
 */
export function subscriptionFact(id: string, correlationId: string, subscription: SubscriptionSnapshot, time: string): SubscriptionUpdated {
  return {
    id,
    type: SUBSCRIPTION_UPDATED,
    source: subscription.system,
    subject: entityKey(subscription.system, 'subscription', subscription.id),
    time,
    correlationId,
    causationId: id,
    dataVersion: SUBSCRIPTION_UPDATED_VERSION,
    data: { subscription },
  };
}

export const subscriptionEntitlementResultSchema = z.object({
  outcome: z.enum(['entitlement-changed', 'entitlement-unchanged']),
  customer: z.string(),
  tier: z.nullable(z.string()),
  organizationId: z.nullable(z.string()),
});
export type SubscriptionEntitlementResult = z.infer<typeof subscriptionEntitlementResultSchema>;

/**
 * The entitlement a subscription fact gives, derived and pushed by the entitlements flow's own code (the canonical
 * customer's organization at the desk, with its tier; `entitlement.changed` published). Unchanged: the provider's own
 * webhook of the subscription got there first. `saga` names the run in the error of a fact that derives nothing.
 */
export async function entitlementOfSubscription(fact: SubscriptionUpdated, ports: EntitlementFlowPorts, saga: string): Promise<SubscriptionEntitlementResult> {
  const outcome = await syncEntitlement(fact, ports);
  switch (outcome.outcome) {
    case 'entitlement-changed':
      return { outcome: outcome.outcome, customer: outcome.customer, tier: outcome.tier, organizationId: outcome.organizationId };
    case 'entitlement-unchanged':
      return { outcome: outcome.outcome, customer: outcome.customer, tier: null, organizationId: null };
    default:
      throw new PermanentSyncError(`${saga}: the entitlement of subscription ${fact.data.subscription.id} was not derived (${outcome.outcome})`);
  }
}
