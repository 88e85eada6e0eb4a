import * as z from 'zod/mini';
import { readEnv } from '../../platform/env';
import { webhookHandler } from '../../platform/webhook-handler';
import { PAYPAL_CERTIFICATE_ORIGINS, PaypalCertificateStore } from './paypal-certificates';
import { paypalWebhook } from './paypal-webhook';

const env = readEnv({ PAYPAL_WEBHOOK_ID: z.string().check(z.minLength(1)), PAYPAL_CERTIFICATE_ORIGINS: z.optional(z.string()) });
// PayPal's hosts always; the local stage alone adds its sandbox's origin (the stage config refuses it elsewhere).
const extraOrigins = (env.PAYPAL_CERTIFICATE_ORIGINS ?? '').split(',').map((origin) => origin.trim()).filter((origin) => origin !== '');

/** POST /webhooks/paypal. Wiring only: the signature and mapping are in paypal-webhook.ts, the rest in platform/. */
export const handler = webhookHandler(paypalWebhook({ webhookId: env.PAYPAL_WEBHOOK_ID, certificates: new PaypalCertificateStore({ allowedOrigins: [...PAYPAL_CERTIFICATE_ORIGINS, ...extraOrigins] }) }));
