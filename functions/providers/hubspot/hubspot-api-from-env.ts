import * as z from 'zod/mini';
import type { CrmWorkspace } from '../../domain/crm-workspace';
import { MissingConfigError, readEnv } from '../../platform/env';
import { readSecret } from '../../platform/secrets';
import { HubspotCrmApi } from './hubspot-crm-api';
import { hubspotCrmWorkspace } from './hubspot-crm-workspace';

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

const writeBackSchema = z.object({
  companyProperties: z.object({ odooPartnerId: z.string().check(z.minLength(1)), billingCustomerId: z.string().check(z.minLength(1)), customerId: z.string().check(z.minLength(1)) }),
  dealProperties: z.object({ odooOrderId: z.string().check(z.minLength(1)), billingSubscriptionId: z.string().check(z.minLength(1)) }),
  formerCustomerLifecycleStage: z.string().check(z.minLength(1)),
  activityKeyProperty: z.string().check(z.minLength(1)),
});

/** HubSpot as the stage's CRM workspace: the API client above and the properties the stage writes (`HUBSPOT_CRM_WRITE_BACK`, set by the HubSpot row). */
export function hubspotCrmWorkspaceFromEnv(env: NodeJS.ProcessEnv = process.env): CrmWorkspace {
  const { HUBSPOT_CRM_WRITE_BACK } = readEnv({ HUBSPOT_CRM_WRITE_BACK: z.string().check(z.minLength(2)) }, env);
  const writeBack = writeBackSchema.safeParse(JSON.parse(HUBSPOT_CRM_WRITE_BACK));
  if (!writeBack.success) throw new MissingConfigError(['HUBSPOT_CRM_WRITE_BACK: not the write-back property names']);
  return hubspotCrmWorkspace({ api: hubspotApiFromEnv(env), writeBack: writeBack.data });
}
