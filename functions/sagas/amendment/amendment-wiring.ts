import { entitlementPortsFromEnv } from '../../flows/entitlements/entitlement-ports';
import { subscriptionSyncPortsFromEnv } from '../../flows/subscription-sync/subscription-wiring';
import { readEnv } from '../../platform/env';
import { ODOO_WRITER_ENV, odooWriterInfrastructure } from '../../platform/flow-consumer';
import { crmWorkspaceFromEnv } from '../../providers/crm-workspaces';
import type { AmendmentPorts } from './amendment-steps';

/** What an amendment step function talks to, built once per container from the stack's environment (lib/sagas.ts). */
export function amendmentPortsFromEnv(): AmendmentPorts {
  const env = readEnv(ODOO_WRITER_ENV);
  const infrastructure = odooWriterInfrastructure(env);
  return {
    subscriptions: subscriptionSyncPortsFromEnv(infrastructure),
    entitlements: entitlementPortsFromEnv({ ...infrastructure, env }),
    crm: crmWorkspaceFromEnv(),
  };
}
