import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { OdooDealLedger } from '../../erp/odoo/deal-ledger';
import { publishCanonicalEvents } from '../../platform/event-publisher';
import { flowConsumer, flowInfrastructure } from '../../platform/flow-consumer';
import { dealConfigFromEnv } from './deal-wiring';
import { syncDeal } from './sync-deal';

const infrastructure = flowInfrastructure();
const { config, busName } = dealConfigFromEnv();
const eventBridge = new EventBridgeClient({});
const ports = {
  ledger: new OdooDealLedger(infrastructure.odoo),
  identityMap: infrastructure.identityMap,
  watermarks: infrastructure.watermarks,
  config,
  publish: (events: Parameters<typeof publishCanonicalEvents>[2]) => publishCanonicalEvents(eventBridge, busName, events),
};

/** deal-sync consumer: CRM deals (canonical deal events) → Odoo quotations and orders, `deal.won` on the bus. Wiring only. */
export const handler = flowConsumer(infrastructure, {
  flowName: 'deal-sync',
  apply: (event) => syncDeal(event, ports),
});
