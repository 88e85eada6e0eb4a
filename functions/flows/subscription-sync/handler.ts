import { OdooAccountStandingLedger } from '../../erp/odoo/account-standing-ledger';
import { OdooBillingLedger } from '../../erp/odoo/billing-ledger';
import { OdooSubscriptionLedger } from '../../erp/odoo/subscription-ledger';
import { billingConfigFromEnv } from '../billing-wiring';
import { flowConsumer, flowInfrastructure } from '../../platform/flow-consumer';
import { syncSubscription } from './sync-subscription';

const infrastructure = flowInfrastructure();
// One billing ledger per container: currencies, products and tags are cached once for both ledgers.
const billing = new OdooBillingLedger(infrastructure.odoo);
const ports = {
  ledger: new OdooSubscriptionLedger(infrastructure.odoo, billing),
  standing: new OdooAccountStandingLedger(infrastructure.odoo, billing),
  identityMap: infrastructure.identityMap,
  watermarks: infrastructure.watermarks,
  config: billingConfigFromEnv(),
};

/** subscription-sync consumer: provider subscriptions → Odoo sale orders (contracts) and account standing. Wiring only. */
export const handler = flowConsumer(infrastructure, {
  flowName: 'subscription-sync',
  apply: (event) => syncSubscription(event, ports),
});
