import { flowConsumer, flowInfrastructure } from '../../platform/flow-consumer';
import { entitlementPortsFromEnv } from './entitlement-ports';
import { syncEntitlement } from './sync-entitlement';

const infrastructure = flowInfrastructure();
const ports = entitlementPortsFromEnv(infrastructure);

/** entitlements consumer: billing facts → the customer's entitlement → its support organization and `entitlement.changed`. Wiring only. */
export const handler = flowConsumer(infrastructure, {
  flowName: 'entitlements',
  apply: (event) => syncEntitlement(event, ports),
});
