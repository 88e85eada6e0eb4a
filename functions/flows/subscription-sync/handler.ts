import { flowConsumer, flowInfrastructure } from '../../platform/flow-consumer';
import { subscriptionSyncPortsFromEnv } from './subscription-wiring';
import { syncSubscription } from './sync-subscription';

const infrastructure = flowInfrastructure();
const ports = subscriptionSyncPortsFromEnv(infrastructure);

/** subscription-sync consumer: provider subscriptions → Odoo sale orders (contracts) and account standing, `subscription.amended` on the bus. Wiring only. */
export const handler = flowConsumer(infrastructure, {
  flowName: 'subscription-sync',
  apply: (event) => syncSubscription(event, ports),
});
