import * as z from 'zod/mini';
import { OdooAccountStandingLedger } from '../../erp/odoo/account-standing-ledger';
import { OdooBillingLedger } from '../../erp/odoo/billing-ledger';
import { OdooOpenInvoiceReader } from '../../erp/odoo/open-invoice-reader';
import { OdooPartnerGateway } from '../../erp/odoo/partner-gateway';
import { OdooSubscriptionLedger } from '../../erp/odoo/subscription-ledger';
import { billingConfigFromEnv } from '../../flows/billing-wiring';
import { readEnv } from '../../platform/env';
import { ODOO_WRITER_ENV, odooWriterInfrastructure } from '../../platform/flow-consumer';
import { crmWorkspaceFromEnv } from '../../providers/crm-workspaces';
import { entitlementPortsFromEnv } from '../../flows/entitlements/entitlement-ports';
import type { OffboardingPorts } from './offboarding-steps';

/** Stage config `sagas.offboarding.archivePartner`, as lib/sagas.ts passes it. */
const OFFBOARDING_ENV = { OFFBOARDING_ARCHIVE_PARTNER: z.enum(['true', 'false']) };

/** What an offboarding step function talks to, built once per container from the stack's environment (lib/sagas.ts). */
export function offboardingPortsFromEnv(): OffboardingPorts {
  const env = readEnv(ODOO_WRITER_ENV);
  const infrastructure = odooWriterInfrastructure(env);
  // One billing ledger per container, as subscription-sync's handler has: currencies, products and tags cached once.
  const billing = new OdooBillingLedger(infrastructure.odoo);
  return {
    subscriptions: {
      ledger: new OdooSubscriptionLedger(infrastructure.odoo, billing),
      standing: new OdooAccountStandingLedger(infrastructure.odoo, billing),
      identityMap: infrastructure.identityMap,
      watermarks: infrastructure.watermarks,
      config: billingConfigFromEnv(),
    },
    entitlements: entitlementPortsFromEnv({ ...infrastructure, env }),
    openInvoices: new OdooOpenInvoiceReader(infrastructure.odoo),
    crm: crmWorkspaceFromEnv(),
    partners: new OdooPartnerGateway(infrastructure.odoo),
    archivePartner: readEnv(OFFBOARDING_ENV).OFFBOARDING_ARCHIVE_PARTNER === 'true',
  };
}
