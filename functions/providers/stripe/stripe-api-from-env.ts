import * as z from 'zod/mini';
import { readEnv } from '../../platform/env';
import { readSecret } from '../../platform/secrets';
import { STRIPE_API_VERSION, StripeApi } from './stripe-api';

const text = () => z.string().check(z.minLength(1));

/**
 * The Stripe read client of a function that reads Stripe (a flow fetching a missing dependency, the
 * reconciliation): the key from the secret named `STRIPE_API_KEY_SECRET_NAME`, `STRIPE_API_URL` (the
 * sandbox's locally, Stripe's API otherwise) and, for Connect, the account `STRIPE_ACCOUNT`.
 */
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
