import * as z from 'zod/mini';
import { readEnv } from '../../platform/env';
import { readSecret } from '../../platform/secrets';
import { webhookHandler } from '../../platform/webhook-handler';
import { stripeWebhook } from './stripe-webhook';

const env = readEnv({ STRIPE_WEBHOOK_SECRET_NAME: z.string().check(z.minLength(1)) });

/** POST /webhooks/stripe. Wiring only: the signature and mapping are in stripe-webhook.ts, the rest in platform/. */
export const handler = webhookHandler(stripeWebhook((refresh) => readSecret(env.STRIPE_WEBHOOK_SECRET_NAME, { forceFetch: refresh })));
