import * as z from 'zod/mini';
import { readEnv } from '../../platform/env';
import { readSecret } from '../../platform/secrets';
import { webhookHandler } from '../../platform/webhook-handler';
import { hubspotApiFromEnv } from './hubspot-api-from-env';
import { hubspotWebhook } from './hubspot-webhook';

const env = readEnv({
  HUBSPOT_APP_SECRET_NAME: z.string().check(z.minLength(1)),
  HUBSPOT_WEBHOOK_URL: z.url(),
  HUBSPOT_PORTAL_ID: z.string().check(z.regex(/^\d+$/)),
  HUBSPOT_COMPANY_CURRENCY: z.string().check(z.regex(/^[A-Za-z]{3}$/)),
  HUBSPOT_APP_ID: z.optional(z.string().check(z.regex(/^\d+$/))),
});

/** POST /webhooks/hubspot. Wiring only: the signature, reads and mapping are in hubspot-webhook.ts, the rest in platform/. */
export const handler = webhookHandler(
  hubspotWebhook({
    appSecret: (refresh) => readSecret(env.HUBSPOT_APP_SECRET_NAME, { forceFetch: refresh }),
    webhookUrl: env.HUBSPOT_WEBHOOK_URL,
    portalId: env.HUBSPOT_PORTAL_ID,
    companyCurrency: env.HUBSPOT_COMPANY_CURRENCY.toLowerCase(),
    ownAppId: env.HUBSPOT_APP_ID,
    reader: hubspotApiFromEnv(),
  }),
);
