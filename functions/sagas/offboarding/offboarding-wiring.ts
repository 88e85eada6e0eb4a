import * as z from 'zod/mini';
import { OdooOpenInvoiceReader } from '../../erp/odoo/open-invoice-reader';
import { OdooPartnerGateway } from '../../erp/odoo/partner-gateway';
import { subscriptionSyncPortsFromEnv } from '../../flows/subscription-sync/subscription-wiring';
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
  return {
    subscriptions: subscriptionSyncPortsFromEnv(infrastructure),
    entitlements: entitlementPortsFromEnv({ ...infrastructure, env }),
    openInvoices: new OdooOpenInvoiceReader(infrastructure.odoo),
    crm: crmWorkspaceFromEnv(),
    partners: new OdooPartnerGateway(infrastructure.odoo),
    archivePartner: readEnv(OFFBOARDING_ENV).OFFBOARDING_ARCHIVE_PARTNER === 'true',
  };
}
