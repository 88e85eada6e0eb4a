import * as z from 'zod/mini';
import { creditNoteIssuedSchema } from '../../../events/credit-note-issued';
import { disputeUpdatedSchema } from '../../../events/dispute-updated';
import { invoiceFinalizedSchema } from '../../../events/invoice-finalized';
import { invoiceUncollectibleSchema } from '../../../events/invoice-uncollectible';
import { invoiceVoidedSchema } from '../../../events/invoice-voided';
import { paymentFailedSchema } from '../../../events/payment-failed';
import { paymentSucceededSchema } from '../../../events/payment-succeeded';
import { refundCreatedSchema } from '../../../events/refund-created';
import { refundUpdatedSchema } from '../../../events/refund-updated';
import { OdooAccountStandingLedger } from '../../erp/odoo/account-standing-ledger';
import { OdooBillingLedger } from '../../erp/odoo/billing-ledger';
import { OdooPartnerGateway } from '../../erp/odoo/partner-gateway';
import { billingSourcesFromEnv } from '../../providers/registry';
import { billingConfigFromEnv } from '../billing-wiring';
import { flowConsumer, flowInfrastructure } from '../../platform/flow-consumer';
import { applyBillingEvent, type BillingFlowPorts } from './apply-billing-event';

const infrastructure = flowInfrastructure();
const ledger = new OdooBillingLedger(infrastructure.odoo);
const config = billingConfigFromEnv();
const ports: BillingFlowPorts = {
  ledger,
  // The event's provider, read on the event's own account.
  sourceFor: billingSourcesFromEnv(),
  partners: new OdooPartnerGateway(infrastructure.odoo),
  // Shares the ledger's tag cache: a standing tag is looked up once per container.
  standing: new OdooAccountStandingLedger(infrastructure.odoo, ledger),
  identityMap: infrastructure.identityMap,
  watermarks: infrastructure.watermarks,
  config,
};

const billingEventSchema = z.discriminatedUnion('type', [
  invoiceFinalizedSchema,
  invoiceVoidedSchema,
  invoiceUncollectibleSchema,
  paymentSucceededSchema,
  paymentFailedSchema,
  refundCreatedSchema,
  refundUpdatedSchema,
  creditNoteIssuedSchema,
  disputeUpdatedSchema,
]);

/** billing-sync consumer: invoices, payments, refunds, credit notes and disputes → Odoo accounting. Wiring only. */
export const handler = flowConsumer(infrastructure, {
  flowName: 'billing-sync',
  schema: billingEventSchema,
  apply: (event) => applyBillingEvent(event, ports),
});
