import { type BillingConfig, billingConfigSchema } from '../domain/billing-config';
import { readJsonConfig } from '../platform/env';

/**
 * What the billing and subscription consumers read besides Odoo and the state tables (kept apart so other flows do
 * not bundle it): the billing mapping (`BILLING_CONFIG`, JSON from the stage config), validated at cold start.
 */
export function billingConfigFromEnv(): BillingConfig {
  return readJsonConfig('BILLING_CONFIG', billingConfigSchema);
}
