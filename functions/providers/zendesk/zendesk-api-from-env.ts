import * as z from 'zod/mini';
import type { SupportDesk } from '../../domain/support-desk';
import { MissingConfigError, readEnv } from '../../platform/env';
import { readSecret } from '../../platform/secrets';
import { ZendeskApi, type ZendeskCredentials } from './zendesk-api';
import { type ZendeskOrganizationFieldKeys, zendeskSupportDesk } from './zendesk-support-desk';

/** Variables set by the Zendesk row of lib/providers.ts (the local dev environment points `ZENDESK_URL` at the sandbox). */
const ZENDESK_API_ENV = {
  ZENDESK_URL: z.url(),
  ZENDESK_API_CREDENTIALS_SECRET_NAME: z.string().check(z.minLength(1)),
  ZENDESK_REQUESTS_PER_MINUTE: z.coerce.number().check(z.int(), z.gte(1)),
  ZENDESK_ORGANIZATION_FIELDS: z.string().check(z.minLength(2)),
};

const credentialsSchema = z.object({ email: z.string().check(z.minLength(1)), apiToken: z.string().check(z.minLength(1)) });
const fieldKeysSchema = z.object({
  plan: z.string(),
  tier: z.string(),
  standing: z.string(),
  standingSince: z.string(),
  odooPartnerId: z.string(),
  billingCustomerId: z.string(),
  mrr: z.string(),
  watermark: z.string(),
});

/** The API client as the stage configures it: the API user's credentials from Secrets Manager (re-read when Zendesk refuses them). */
export function zendeskApiFromEnv(env: NodeJS.ProcessEnv = process.env): ZendeskApi {
  const settings = readEnv(ZENDESK_API_ENV, env);
  return new ZendeskApi({
    baseUrl: settings.ZENDESK_URL,
    credentials: async (refresh): Promise<ZendeskCredentials> => {
      const parsed = credentialsSchema.safeParse(JSON.parse(await readSecret(settings.ZENDESK_API_CREDENTIALS_SECRET_NAME, { forceFetch: refresh })));
      if (!parsed.success) throw new MissingConfigError([`${settings.ZENDESK_API_CREDENTIALS_SECRET_NAME}: not { "email", "apiToken" }`]);
      return parsed.data;
    },
    requestsPerMinute: settings.ZENDESK_REQUESTS_PER_MINUTE,
  });
}

/** Zendesk as the support flows' desk, with the stage's organization field keys. */
export function zendeskSupportDeskFromEnv(env: NodeJS.ProcessEnv = process.env): SupportDesk {
  const settings = readEnv(ZENDESK_API_ENV, env);
  const fieldKeys = fieldKeysSchema.safeParse(JSON.parse(settings.ZENDESK_ORGANIZATION_FIELDS));
  if (!fieldKeys.success) throw new MissingConfigError(['ZENDESK_ORGANIZATION_FIELDS: not the organization field keys']);
  return zendeskSupportDesk({ api: zendeskApiFromEnv(env), fieldKeys: fieldKeys.data as ZendeskOrganizationFieldKeys, agentUrl: settings.ZENDESK_URL });
}
