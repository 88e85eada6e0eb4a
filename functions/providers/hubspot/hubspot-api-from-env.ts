import * as z from 'zod/mini';
import { readEnv } from '../../platform/env';
import { readSecret } from '../../platform/secrets';
import { HubspotCrmApi } from './hubspot-crm-api';

/** Variables set by the HubSpot row of lib/providers.ts (the local dev environment points `HUBSPOT_API_URL` at the sandbox). */
const HUBSPOT_API_ENV = {
  HUBSPOT_ACCESS_TOKEN_SECRET_NAME: z.string().check(z.minLength(1)),
  HUBSPOT_API_URL: z.optional(z.url()),
  HUBSPOT_REQUESTS_PER_10_SECONDS: z.coerce.number().check(z.int(), z.positive()),
};

/** The CRM client as the stage configures it: the private app's token from Secrets Manager (re-read when HubSpot refuses it). */
export function hubspotApiFromEnv(env: NodeJS.ProcessEnv = process.env): HubspotCrmApi {
  const settings = readEnv(HUBSPOT_API_ENV, env);
  return new HubspotCrmApi({
    token: async (refresh) => (await readSecret(settings.HUBSPOT_ACCESS_TOKEN_SECRET_NAME, { forceFetch: refresh })).trim(),
    requestsPer10Seconds: settings.HUBSPOT_REQUESTS_PER_10_SECONDS,
    ...(settings.HUBSPOT_API_URL === undefined ? {} : { baseUrl: settings.HUBSPOT_API_URL }),
  });
}
