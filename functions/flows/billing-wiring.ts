import { type BillingConfig, billingConfigSchema } from '../domain/billing-config';
import { MissingConfigError, readEnv } from '../platform/env';
import { describeIssue } from '../platform/validation-issues';
import { text } from '../platform/flow-consumer';

/** What the billing and subscription consumers read besides Odoo and the state tables (kept apart so other flows do not bundle it). */
/** The billing mapping (`BILLING_CONFIG`, JSON from the stage config), validated at cold start. */
export function billingConfigFromEnv(): BillingConfig {
  const { BILLING_CONFIG } = readEnv({ BILLING_CONFIG: text() });
  let json: unknown;
  try {
    json = JSON.parse(BILLING_CONFIG);
  } catch {
    throw new MissingConfigError(['BILLING_CONFIG: not JSON']);
  }
  const parsed = billingConfigSchema.safeParse(json);
  if (!parsed.success) throw new MissingConfigError(parsed.error.issues.map((issue) => `BILLING_CONFIG: ${describeIssue(issue)}`));
  return parsed.data;
}
