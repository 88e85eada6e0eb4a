import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod/mini';
import { readEnv, readJsonConfig } from '../../platform/env';
import { salesforceApiFromEnv } from './salesforce-api-from-env';
import { salesforceIngestHandler } from './salesforce-ingest-handler';

const env = readEnv({
  EVENT_BUS_NAME: z.string().check(z.minLength(1)),
  REJECTED_EVENTS_QUEUE_URL: z.string().check(z.minLength(1)),
  SALESFORCE_ORG_ID: z.string().check(z.regex(/^00D[a-zA-Z0-9]{12}([a-zA-Z0-9]{3})?$/)),
  SALESFORCE_CORPORATE_CURRENCY: z.string().check(z.regex(/^[A-Za-z]{3}$/)),
  SALESFORCE_MULTI_CURRENCY: z.enum(['true', 'false']),
  SALESFORCE_CLIENT_NAME: z.string().check(z.minLength(1)),
});

/** The stage's `salesforce.accountFields`, as lib/providers.ts passes them. */
const fieldName = z.string().check(z.regex(/^[A-Za-z][A-Za-z0-9_]*$/));
const accountFields = readJsonConfig('SALESFORCE_ACCOUNT_FIELDS', z.object({ links: z.record(fieldName, z.enum(['stripe', 'paypal'])), taxId: z.optional(fieldName) }));

/** The rule on the org's partner event bus (Event Relay). Wiring only: the mapping is in salesforce-change-ingest.ts. */
export const handler = salesforceIngestHandler({
  settings: {
    orgId: env.SALESFORCE_ORG_ID,
    corporateCurrency: env.SALESFORCE_CORPORATE_CURRENCY.toLowerCase(),
    multiCurrency: env.SALESFORCE_MULTI_CURRENCY === 'true',
    accountFields: { links: accountFields.links, ...(accountFields.taxId === undefined ? {} : { taxId: accountFields.taxId }) },
    ownClientName: env.SALESFORCE_CLIENT_NAME,
    reader: salesforceApiFromEnv(),
  },
  eventBridge: new EventBridgeClient({}),
  eventBusName: env.EVENT_BUS_NAME,
  sqs: new SQSClient({}),
  rejectedEventsQueueUrl: env.REJECTED_EVENTS_QUEUE_URL,
});
