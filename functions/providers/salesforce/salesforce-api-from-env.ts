import * as z from 'zod/mini';
import type { CrmWorkspace } from '../../domain/crm-workspace';
import { MissingConfigError, readEnv } from '../../platform/env';
import { readSecret } from '../../platform/secrets';
import { salesforceCrmWorkspace } from './salesforce-crm-workspace';
import { type SalesforceClientCredentials, SalesforceRestApi } from './salesforce-rest-api';

/** Variables set by the Salesforce row of lib/providers.ts (the local dev environment points `SALESFORCE_INSTANCE_URL` at the sandbox). */
const SALESFORCE_API_ENV = {
  SALESFORCE_CREDENTIALS_SECRET_NAME: z.string().check(z.minLength(1)),
  SALESFORCE_INSTANCE_URL: z.url(),
  SALESFORCE_API_VERSION: z.string().check(z.regex(/^\d+\.\d$/)),
  SALESFORCE_CLIENT_NAME: z.string().check(z.minLength(1)),
};

/** The secret's value: the connected app's consumer key and secret, as JSON. */
const credentialsSchema = z.object({ clientId: z.string().check(z.minLength(1)), clientSecret: z.string().check(z.minLength(1)) });

/** The secret holds no usable credentials: the stage's setup, which no retry fixes. */
export class SalesforceCredentialsError extends Error {
  override name = 'SalesforceCredentialsError';
}

/** The REST client as the stage configures it: client credentials from Secrets Manager (read again when Salesforce refuses the token). */
export function salesforceApiFromEnv(env: NodeJS.ProcessEnv = process.env): SalesforceRestApi {
  const settings = readEnv(SALESFORCE_API_ENV, env);
  return new SalesforceRestApi({
    instanceUrl: settings.SALESFORCE_INSTANCE_URL,
    apiVersion: settings.SALESFORCE_API_VERSION,
    clientName: settings.SALESFORCE_CLIENT_NAME,
    credentials: async (refresh): Promise<SalesforceClientCredentials> => {
      const text = await readSecret(settings.SALESFORCE_CREDENTIALS_SECRET_NAME, { forceFetch: refresh });
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        throw new SalesforceCredentialsError(`secret ${settings.SALESFORCE_CREDENTIALS_SECRET_NAME} is not JSON { "clientId", "clientSecret" }`);
      }
      const parsed = credentialsSchema.safeParse(value);
      if (!parsed.success) throw new SalesforceCredentialsError(`secret ${settings.SALESFORCE_CREDENTIALS_SECRET_NAME} lacks clientId or clientSecret`);
      return parsed.data;
    },
  });
}

const writeBackSchema = z.object({
  account: z.object({ odooPartnerId: z.string().check(z.minLength(1)), billingCustomerId: z.string().check(z.minLength(1)), customerId: z.string().check(z.minLength(1)) }),
  opportunity: z.object({ odooOrderId: z.string().check(z.minLength(1)), billingSubscriptionId: z.string().check(z.minLength(1)) }),
  lifecycle: z.object({ field: z.string().check(z.minLength(1)), customer: z.string().check(z.minLength(1)), formerCustomer: z.string().check(z.minLength(1)) }),
  taskKeyField: z.string().check(z.minLength(1)),
});

/** Salesforce as the stage's CRM workspace: the REST client above and the fields the stage writes (`SALESFORCE_CRM_WRITE_BACK`, set by the Salesforce row). */
export function salesforceCrmWorkspaceFromEnv(env: NodeJS.ProcessEnv = process.env): CrmWorkspace {
  const { SALESFORCE_CRM_WRITE_BACK } = readEnv({ SALESFORCE_CRM_WRITE_BACK: z.string().check(z.minLength(2)) }, env);
  const writeBack = writeBackSchema.safeParse(JSON.parse(SALESFORCE_CRM_WRITE_BACK));
  if (!writeBack.success) throw new MissingConfigError(['SALESFORCE_CRM_WRITE_BACK: not the write-back field names']);
  return salesforceCrmWorkspace({ api: salesforceApiFromEnv(env), writeBack: writeBack.data });
}
