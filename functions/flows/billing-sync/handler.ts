import { OdooAccountStandingLedger } from '../../erp/odoo/account-standing-ledger';
import { OdooBillingLedger } from '../../erp/odoo/billing-ledger';
import { OdooPartnerGateway } from '../../erp/odoo/partner-gateway';
import { billingSourcesFromEnv } from '../../providers/billing-sources';
import { billingConfigFromEnv } from '../billing-wiring';
import { customerIdentityPorts } from '../identity-wiring';
import { flowConsumer, flowInfrastructure } from '../../platform/flow-consumer';
import { applyBillingEvent, type BillingFlowPorts } from './apply-billing-event';

const infrastructure = flowInfrastructure();
const ledger = new OdooBillingLedger(infrastructure.odoo);
const config = billingConfigFromEnv();
const ports: BillingFlowPorts = {
  // A customer the invoice names before its own event arrived resolves like customer-sync resolves it.
  ...customerIdentityPorts(infrastructure),
  ledger,
  // The event's provider, read on the event's own account.
  sourceFor: billingSourcesFromEnv(),
  partners: new OdooPartnerGateway(infrastructure.odoo),
  // Shares the ledger's tag cache: a standing tag is looked up once per container.
  standing: new OdooAccountStandingLedger(infrastructure.odoo, ledger),
  identityMap: infrastructure.identityMap,
  watermarks: infrastructure.watermarks,
  config,
};

/** billing-sync consumer: invoices, payments, refunds, credit notes and disputes → Odoo accounting. Wiring only. */
export const handler = flowConsumer(infrastructure, {
  flowName: 'billing-sync',
  apply: (event) => applyBillingEvent(event, ports),
});
