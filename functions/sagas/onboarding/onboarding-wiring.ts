import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { OdooDealLedger } from '../../erp/odoo/deal-ledger';
import { OdooSupportLedger } from '../../erp/odoo/support-ledger';
import { entitlementPortsFromEnv } from '../../flows/entitlements/entitlement-ports';
import { readEnv, readJsonConfig } from '../../platform/env';
import { ODOO_WRITER_ENV, odooWriterInfrastructure } from '../../platform/flow-consumer';
import type { SourceSystem } from '../../../events/envelope';
import type { CrmWorkspace } from '../../domain/crm-workspace';
import { billingAccountsFromEnv } from '../../providers/billing-accounts';
import { crmWorkspaceOf } from '../../providers/crm-workspaces';
import { CustomerDirectoryTable } from '../../state/customer-directory-table';
import { onboardingConfigSchema } from './onboarding-config';
import type { OnboardingState } from './onboarding-state';
import type { OnboardingPorts } from './onboarding-steps';

/**
 * What an onboarding step function talks to, built once per container from the stack's environment (lib/sagas.ts):
 * Odoo, the state tables, the stage's billing provider (ONBOARDING_CONFIG `billingSystem`), its support desk and the
 * entitlements flow's ports (SUPPORT_POLICY, the bus for `entitlement.changed`).
 */
function onboardingPortsFromEnv(): OnboardingPorts {
  const env = readEnv(ODOO_WRITER_ENV);
  const infrastructure = odooWriterInfrastructure(env);
  const config = readJsonConfig('ONBOARDING_CONFIG', onboardingConfigSchema);
  const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  const directory = new CustomerDirectoryTable(documents, env.IDENTITY_MAP_TABLE);
  const contacts = new OdooSupportLedger(infrastructure.odoo);
  return {
    identityMap: infrastructure.identityMap,
    directory,
    contacts,
    deals: new OdooDealLedger(infrastructure.odoo),
    billing: billingAccountsFromEnv(config.billingSystem),
    entitlements: entitlementPortsFromEnv({ ...infrastructure, env }),
    crm: undefined,
    config,
    now: () => new Date(),
  };
}

/**
 * The ports of one run: the shared ones, and the workspace of the CRM the deal was won in (built once per CRM and
 * container; undefined when the stage does not write to that CRM: nothing is written back).
 */
export function onboardingPortsPerRun(): (state: OnboardingState) => OnboardingPorts {
  const shared = onboardingPortsFromEnv();
  const workspaces = new Map<SourceSystem, CrmWorkspace | undefined>();
  return (state) => {
    const system = state.event.data.deal.system;
    if (!workspaces.has(system)) workspaces.set(system, crmWorkspaceOf(system));
    return { ...shared, crm: workspaces.get(system) };
  };
}
