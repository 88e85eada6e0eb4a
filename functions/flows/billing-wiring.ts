import * as z from 'zod/mini';
import { readSecret } from '../adapters/aws/secrets';
import { STRIPE_API_VERSION, StripeApi } from '../adapters/stripe/stripe-api';
import { type BillingConfig, billingConfigSchema } from '../domain/billing-config';
import { MissingConfigError, readEnv } from '../shared/env';
import { describeIssue } from '../shared/validation-issues';
import { text } from './flow-consumer';

/** What the billing and subscription consumers read besides Odoo and the state tables (kept apart so other flows do not bundle it). */

/** The Stripe read client of flows that fetch a missing dependency (`STRIPE_API_KEY_SECRET_NAME`, `STRIPE_API_URL` locally). */
export function stripeApiFromEnv(): { stripe: StripeApi; account: string | null } {
  const env = readEnv({ STRIPE_API_KEY_SECRET_NAME: text(), STRIPE_API_URL: z.optional(text()), STRIPE_ACCOUNT: z.optional(text()) });
  const stripe = new StripeApi({
    apiKey: async () => (await readSecret(env.STRIPE_API_KEY_SECRET_NAME)).trim(),
    apiVersion: STRIPE_API_VERSION,
    ...(env.STRIPE_API_URL ? { baseUrl: env.STRIPE_API_URL } : {}),
    ...(env.STRIPE_ACCOUNT ? { stripeAccount: env.STRIPE_ACCOUNT } : {}),
  });
  return { stripe, account: env.STRIPE_ACCOUNT ?? null };
}

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
