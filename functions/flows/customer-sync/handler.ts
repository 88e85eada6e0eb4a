import { flowConsumer, flowInfrastructure } from '../../platform/flow-consumer';
import { crmWorkspacesFromEnv } from '../crm-write-back-wiring';
import { customerIdentityPorts } from '../identity-wiring';
import { syncCustomer } from './sync-customer';

const infrastructure = flowInfrastructure();
const ports = { ...customerIdentityPorts(infrastructure), watermarks: infrastructure.watermarks, crmWorkspaceOf: crmWorkspacesFromEnv() };

/** customer-sync consumer: provider customers (canonical customer events) → their canonical customer's Odoo partner. Wiring only. */
export const handler = flowConsumer(infrastructure, {
  flowName: 'customer-sync',
  apply: (event) => syncCustomer(event, ports),
});
