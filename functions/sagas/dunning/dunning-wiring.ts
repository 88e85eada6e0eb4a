import * as z from 'zod/mini';
import { OdooAccountStandingLedger } from '../../erp/odoo/account-standing-ledger';
import { OdooBillingLedger } from '../../erp/odoo/billing-ledger';
import { OdooPartnerGateway } from '../../erp/odoo/partner-gateway';
import { billingConfigFromEnv } from '../../flows/billing-wiring';
import { customerIdentityPorts } from '../../flows/identity-wiring';
import { readEnv } from '../../platform/env';
import { ODOO_WRITER_ENV, odooWriterInfrastructure } from '../../platform/flow-consumer';
import { billingSourcesFromEnv } from '../../providers/billing-sources';
import { crmWorkspaceFromEnv } from '../../providers/crm-workspaces';
import { entitlementPortsFromEnv } from '../../flows/entitlements/entitlement-ports';
import type { DunningState } from './dunning-state';
import type { DunningPorts } from './dunning-steps';

/** What a dunning step function talks to, built once per container from the stack's environment (lib/sagas.ts). */
const DUNNING_ENV = {
  ...ODOO_WRITER_ENV,
  DUNNING_GRACE_SECONDS: z.coerce.number().check(z.int(), z.positive()),
  DUNNING_SUSPENDED_TAG: z.string().check(z.minLength(1)),
};

export function dunningPortsFromEnv(): (state: DunningState) => DunningPorts {
  const env = readEnv(DUNNING_ENV);
  const infrastructure = odooWriterInfrastructure(env);
  const ledger = new OdooBillingLedger(infrastructure.odoo);
  const sourceFor = billingSourcesFromEnv();
  const shared = {
    // A customer Odoo lacks is resolved as billing-sync resolves it (the first step is billing-sync's own).
    ...customerIdentityPorts({ ...infrastructure, env }),
    ledger,
    partners: new OdooPartnerGateway(infrastructure.odoo),
    // Shares the ledger's tag cache, as billing-sync's handler does.
    standing: new OdooAccountStandingLedger(infrastructure.odoo, ledger),
    identityMap: infrastructure.identityMap,
    watermarks: infrastructure.watermarks,
    config: billingConfigFromEnv(),
    settings: { graceSeconds: env.DUNNING_GRACE_SECONDS, suspendedTag: env.DUNNING_SUSPENDED_TAG },
    now: () => new Date(),
    entitlements: entitlementPortsFromEnv({ ...infrastructure, env }),
    crm: crmWorkspaceFromEnv(),
  };
  // The invoice's provider, read on the failed attempt's own account.
  return (state) => ({ ...shared, source: sourceFor(state.event.source, state.event.data.attempt.account) });
}
