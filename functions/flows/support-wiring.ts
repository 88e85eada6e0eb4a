import { type SupportPolicy, supportPolicySchema } from '../domain/support-policy';
import { MissingConfigError, readEnv, readJsonConfig } from '../platform/env';
import { text } from '../platform/flow-consumer';

/** What the support consumers read besides Odoo and the state tables (kept apart so other flows do not bundle it). */

/** The support policy (`SUPPORT_POLICY`, JSON from the stage config's `support`), validated at cold start. */
export function supportPolicyFromEnv(env: NodeJS.ProcessEnv = process.env): SupportPolicy {
  const policy = readJsonConfig('SUPPORT_POLICY', supportPolicySchema, env);
  const { tiers, noneTier, unmappedTier, plans } = policy.entitlements;
  const unknownTiers = [noneTier, unmappedTier, ...plans.map((plan) => plan.tier), ...policy.escalation.tierPriorities.map((rule) => rule.tier)].filter((tier) => !tiers.includes(tier));
  if (unknownTiers.length > 0) throw new MissingConfigError([`SUPPORT_POLICY: tiers not in entitlements.tiers: ${[...new Set(unknownTiers)].join(', ')}`]);
  return policy;
}

/** The bus the support consumers publish on (`entitlement.changed`). */
export function supportFlowEnv(env: NodeJS.ProcessEnv = process.env): { EVENT_BUS_NAME: string } {
  return readEnv({ EVENT_BUS_NAME: text() }, env);
}

