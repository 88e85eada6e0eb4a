import { OdooPartnerGateway } from '../../erp/odoo/partner-gateway';
import { flowConsumer, flowInfrastructure } from '../../platform/flow-consumer';
import { syncCustomer } from './sync-customer';

const infrastructure = flowInfrastructure();
const ports = {
  partners: new OdooPartnerGateway(infrastructure.odoo),
  identityMap: infrastructure.identityMap,
  watermarks: infrastructure.watermarks,
};

/** customer-sync consumer: provider customers (canonical customer events) → Odoo partners. Wiring only. */
export const handler = flowConsumer(infrastructure, {
  flowName: 'customer-sync',
  apply: (event) => syncCustomer(event, ports),
});
