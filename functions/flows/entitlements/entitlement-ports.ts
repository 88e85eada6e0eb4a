import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { OdooCaller } from '../../erp/odoo/odoo-caller';
import { OdooBillingLedger } from '../../erp/odoo/billing-ledger';
import { OdooSupportLedger } from '../../erp/odoo/support-ledger';
import type { IdentityMap } from '../../domain/identity-map';
import type { WatermarkStore } from '../../domain/watermark';
import type { EntitlementFlowPorts } from './sync-entitlement';
import { supportFlowEnv, supportPolicyFromEnv } from '../support-wiring';
import { publishCanonicalEvents } from '../../platform/event-publisher';
import { supportDeskFromEnv } from '../../providers/support-desks';
import { CustomerDirectoryTable } from '../../state/customer-directory-table';
import { EntitlementTable } from '../../state/entitlement-table';

/**
 * The entitlements flow's ports, built from a function's environment: for the flow's own consumer and for the saga
 * steps that revise an entitlement (the stack gives them the flow's settings: SUPPORT_POLICY, the desk's API, the
 * bus), so every writer of an entitlement goes through the same store and lease.
 */
export function entitlementPortsFromEnv(infrastructure: { odoo: OdooCaller; identityMap: IdentityMap; watermarks: WatermarkStore; env: { WATERMARK_TABLE: string; IDENTITY_MAP_TABLE: string } }): EntitlementFlowPorts {
  const { EVENT_BUS_NAME } = supportFlowEnv();
  const eventBridge = new EventBridgeClient({});
  const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  return {
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
}
