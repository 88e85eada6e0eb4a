import { type SupportPolicy, supportPolicySchema } from '../domain/support-policy';
import { MissingConfigError, readEnv } from '../platform/env';
import { text } from '../platform/flow-consumer';
import { describeIssue } from '../platform/validation-issues';

/** What the support consumers read besides Odoo and the state tables (kept apart so other flows do not bundle it). */

/** The support policy (`SUPPORT_POLICY`, JSON from the stage config's `support`), validated at cold start. */
export function supportPolicyFromEnv(env: NodeJS.ProcessEnv = process.env): SupportPolicy {
  const { SUPPORT_POLICY } = readEnv({ SUPPORT_POLICY: text() }, env);
  let json: unknown;
  try {
    json = JSON.parse(SUPPORT_POLICY);
  } catch {
    throw new MissingConfigError(['SUPPORT_POLICY: not JSON']);
  }
  const parsed = supportPolicySchema.safeParse(json);
  if (!parsed.success) throw new MissingConfigError(parsed.error.issues.map((issue) => `SUPPORT_POLICY: ${describeIssue(issue)}`));
  const { tiers, noneTier, unmappedTier, plans } = parsed.data.entitlements;
  const unknownTiers = [noneTier, unmappedTier, ...plans.map((plan) => plan.tier), ...parsed.data.escalation.tierPriorities.map((rule) => rule.tier)].filter((tier) => !tiers.includes(tier));
  if (unknownTiers.length > 0) throw new MissingConfigError([`SUPPORT_POLICY: tiers not in entitlements.tiers: ${[...new Set(unknownTiers)].join(', ')}`]);
  return parsed.data;
}

/** The bus the support consumers publish on (`entitlement.changed`). */
export function supportFlowEnv(env: NodeJS.ProcessEnv = process.env): { EVENT_BUS_NAME: string } {
  return readEnv({ EVENT_BUS_NAME: text() }, env);
}

