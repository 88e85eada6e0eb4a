import * as z from 'zod/mini';
import { readEnv } from '../../platform/env';
import { readSecret } from '../../platform/secrets';
import { webhookHandler } from '../../platform/webhook-handler';
import { zendeskWebhook } from './zendesk-webhook';

const env = readEnv({
  ZENDESK_WEBHOOK_SECRET_NAME: z.string().check(z.minLength(1)),
  ZENDESK_API_USER_ID: z.string().check(z.regex(/^\d+$/)),
});

/** POST /webhooks/zendesk. Wiring only: the signature and mapping are in zendesk-webhook.ts, the rest in platform/. */
export const handler = webhookHandler(
  zendeskWebhook({
    signingSecret: (refresh) => readSecret(env.ZENDESK_WEBHOOK_SECRET_NAME, { forceFetch: refresh }),
    apiUserId: env.ZENDESK_API_USER_ID,
  }),
);
