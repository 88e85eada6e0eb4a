import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { OdooBillingLedger } from '../../erp/odoo/billing-ledger';
import { OdooSupportLedger } from '../../erp/odoo/support-ledger';
import { publishCanonicalEvents } from '../../platform/event-publisher';
import { flowConsumer, flowInfrastructure } from '../../platform/flow-consumer';
import { supportDeskFromEnv } from '../../providers/support-desks';
import { CustomerDirectoryTable } from '../../state/customer-directory-table';
import { EntitlementTable } from '../../state/entitlement-table';
import { supportFlowEnv, supportPolicyFromEnv } from '../support-wiring';
import type { EntitlementFlowPorts } from './sync-entitlement';
import { syncEntitlement } from './sync-entitlement';

const infrastructure = flowInfrastructure();
const { EVENT_BUS_NAME } = supportFlowEnv();
const eventBridge = new EventBridgeClient({});
const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const ports: EntitlementFlowPorts = {
  store: new EntitlementTable(documents, infrastructure.env.WATERMARK_TABLE),
  watermarks: infrastructure.watermarks,
  identityMap: infrastructure.identityMap,
  directory: new CustomerDirectoryTable(documents, infrastructure.env.IDENTITY_MAP_TABLE),
  partners: new OdooBillingLedger(infrastructure.odoo),
  ledger: new OdooSupportLedger(infrastructure.odoo),
  desk: supportDeskFromEnv(),
  publish: (events) => publishCanonicalEvents(eventBridge, EVENT_BUS_NAME, events),
  policy: supportPolicyFromEnv(),
};

/** entitlements consumer: billing facts → the customer's entitlement → its support organization and `entitlement.changed`. Wiring only. */
export const handler = flowConsumer(infrastructure, {
  flowName: 'entitlements',
  apply: (event) => syncEntitlement(event, ports),
});
