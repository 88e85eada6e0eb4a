import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { OdooBillingLedger } from '../../erp/odoo/billing-ledger';
import { OdooSupportLedger } from '../../erp/odoo/support-ledger';
import { flowConsumer, flowInfrastructure } from '../../platform/flow-consumer';
import { supportDeskFromEnv } from '../../providers/support-desks';
import { CustomerDirectoryTable } from '../../state/customer-directory-table';
import { EntitlementTable } from '../../state/entitlement-table';
import { TicketEffectsTable } from '../../state/ticket-effects-table';
import { supportPolicyFromEnv } from '../support-wiring';
import { syncTicket, type TicketFlowPorts } from './sync-ticket';

const infrastructure = flowInfrastructure();
const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const ports: TicketFlowPorts = {
  desk: supportDeskFromEnv(),
  entitlements: new EntitlementTable(dynamo, infrastructure.env.WATERMARK_TABLE),
  effects: new TicketEffectsTable(dynamo, infrastructure.env.WATERMARK_TABLE),
  watermarks: infrastructure.watermarks,
  identityMap: infrastructure.identityMap,
  directory: new CustomerDirectoryTable(dynamo, infrastructure.env.IDENTITY_MAP_TABLE),
  partners: new OdooBillingLedger(infrastructure.odoo),
  ledger: new OdooSupportLedger(infrastructure.odoo),
  policy: supportPolicyFromEnv(),
};

/** support-tickets consumer: desk tickets → escalation by entitlement, and notes on the customer's Odoo partner. Wiring only. */
export const handler = flowConsumer(infrastructure, {
  flowName: 'support-tickets',
  apply: (event) => syncTicket(event, ports),
});
