import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { OdooBillingLedger } from '../../erp/odoo/billing-ledger';
import { OdooDealLedger } from '../../erp/odoo/deal-ledger';
import { OdooSupportLedger } from '../../erp/odoo/support-ledger';
import { supportFlowEnv, supportPolicyFromEnv } from '../../flows/support-wiring';
import { readEnv, readJsonConfig } from '../../platform/env';
import { publishCanonicalEvents } from '../../platform/event-publisher';
import { ODOO_WRITER_ENV, odooWriterInfrastructure } from '../../platform/flow-consumer';
import { billingAccountsFromEnv } from '../../providers/billing-accounts';
import { supportDeskFromEnv } from '../../providers/support-desks';
import { CustomerDirectoryTable } from '../../state/customer-directory-table';
import { EntitlementTable } from '../../state/entitlement-table';
import { onboardingConfigSchema } from './onboarding-config';
import type { OnboardingPorts } from './onboarding-steps';

/**
 * What an onboarding step function talks to, built once per container from the stack's environment (lib/sagas.ts):
 * Odoo, the state tables, the stage's billing provider (ONBOARDING_CONFIG `billingSystem`), its support desk and the
 * entitlements flow's ports (SUPPORT_POLICY, the bus for `entitlement.changed`).
 */
export function onboardingPortsFromEnv(): OnboardingPorts {
  const env = readEnv(ODOO_WRITER_ENV);
  const infrastructure = odooWriterInfrastructure(env);
  const config = readJsonConfig('ONBOARDING_CONFIG', onboardingConfigSchema);
  const { EVENT_BUS_NAME } = supportFlowEnv();
  const eventBridge = new EventBridgeClient({});
  const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  const directory = new CustomerDirectoryTable(documents, env.IDENTITY_MAP_TABLE);
  const contacts = new OdooSupportLedger(infrastructure.odoo);
  return {
    identityMap: infrastructure.identityMap,
    directory,
    contacts,
    deals: new OdooDealLedger(infrastructure.odoo),
    billing: billingAccountsFromEnv(config.billingSystem),
    entitlements: {
      store: new EntitlementTable(documents, env.WATERMARK_TABLE),
      watermarks: infrastructure.watermarks,
      identityMap: infrastructure.identityMap,
      directory,
      partners: new OdooBillingLedger(infrastructure.odoo),
      ledger: contacts,
      desk: supportDeskFromEnv(),
      publish: (events) => publishCanonicalEvents(eventBridge, EVENT_BUS_NAME, events),
      policy: supportPolicyFromEnv(),
    },
    // The CRM workspace rows (functions/providers/crm-workspaces.ts) come with the CRM write-back's branch; until
    // they are merged the stage writes nothing back (the step says `no-crm`).
    crm: undefined,
    config,
    now: () => new Date(),
  };
}
