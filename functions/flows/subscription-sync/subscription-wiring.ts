import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { IdentityMap } from '../../domain/identity-map';
import type { WatermarkStore } from '../../domain/watermark';
import { OdooAccountStandingLedger } from '../../erp/odoo/account-standing-ledger';
import { OdooBillingLedger } from '../../erp/odoo/billing-ledger';
import type { OdooCaller } from '../../erp/odoo/odoo-caller';
import { OdooSubscriptionLedger } from '../../erp/odoo/subscription-ledger';
import { readEnv } from '../../platform/env';
import { publishCanonicalEvents } from '../../platform/event-publisher';
import { text } from '../../platform/flow-consumer';
import { billingConfigFromEnv } from '../billing-wiring';
import type { SubscriptionSyncPorts } from './sync-subscription';

/**
 * subscription-sync's ports from a function's environment (BILLING_CONFIG, EVENT_BUS_NAME): for the flow's consumer
 * and for the saga steps that write a contract through its use case, so every writer of a contract is built alike.
 */
export function subscriptionSyncPortsFromEnv(infrastructure: { odoo: OdooCaller; identityMap: IdentityMap; watermarks: WatermarkStore }): SubscriptionSyncPorts {
  const { EVENT_BUS_NAME } = readEnv({ EVENT_BUS_NAME: text() });
  const eventBridge = new EventBridgeClient({});
  // One billing ledger per container: currencies, products and tags are cached once for both ledgers.
  const billing = new OdooBillingLedger(infrastructure.odoo);
  return {
    ledger: new OdooSubscriptionLedger(infrastructure.odoo, billing),
    standing: new OdooAccountStandingLedger(infrastructure.odoo, billing),
    identityMap: infrastructure.identityMap,
    watermarks: infrastructure.watermarks,
    config: billingConfigFromEnv(),
    publish: (events) => publishCanonicalEvents(eventBridge, EVENT_BUS_NAME, events),
  };
}
