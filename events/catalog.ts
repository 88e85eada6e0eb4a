import * as z from 'zod/mini';
import { ACCOUNT_DELETED, ACCOUNT_DELETED_VERSION, accountDeletedSchema } from './account-deleted';
import { ACCOUNT_MERGED, ACCOUNT_MERGED_VERSION, accountMergedSchema } from './account-merged';
import { ACCOUNT_UPSERTED, ACCOUNT_UPSERTED_VERSION, accountUpsertedSchema } from './account-upserted';
import { CONTACT_DELETED, CONTACT_DELETED_VERSION, contactDeletedSchema } from './contact-deleted';
import { CONTACT_MERGED, CONTACT_MERGED_VERSION, contactMergedSchema } from './contact-merged';
import { CONTACT_UPSERTED, CONTACT_UPSERTED_VERSION, contactUpsertedSchema } from './contact-upserted';
import { CREDIT_NOTE_ISSUED, CREDIT_NOTE_ISSUED_VERSION, creditNoteIssuedSchema } from './credit-note-issued';
import { CUSTOMER_DELETED, CUSTOMER_DELETED_VERSION, customerDeletedSchema } from './customer-deleted';
import { CUSTOMER_UPSERTED, CUSTOMER_UPSERTED_VERSION, customerUpsertedSchema } from './customer-upserted';
import { DEAL_DELETED, DEAL_DELETED_VERSION, dealDeletedSchema } from './deal-deleted';
import { DEAL_UPSERTED, DEAL_UPSERTED_VERSION, dealUpsertedSchema } from './deal-upserted';
import { ENTITLEMENT_CHANGED, ENTITLEMENT_CHANGED_VERSION, entitlementChangedSchema } from './entitlement-changed';
import { DEAL_WON, DEAL_WON_VERSION, dealWonSchema } from './deal-won';
import { DISPUTE_UPDATED, DISPUTE_UPDATED_VERSION, disputeUpdatedSchema } from './dispute-updated';
import { INVOICE_FINALIZED, INVOICE_FINALIZED_VERSION, invoiceFinalizedSchema } from './invoice-finalized';
import { INVOICE_UNCOLLECTIBLE, INVOICE_UNCOLLECTIBLE_VERSION, invoiceUncollectibleSchema } from './invoice-uncollectible';
import { INVOICE_VOIDED, INVOICE_VOIDED_VERSION, invoiceVoidedSchema } from './invoice-voided';
import { PAYMENT_FAILED, PAYMENT_FAILED_VERSION, paymentFailedSchema } from './payment-failed';
import { PAYMENT_SUCCEEDED, PAYMENT_SUCCEEDED_VERSION, paymentSucceededSchema } from './payment-succeeded';
import { REFUND_CREATED, REFUND_CREATED_VERSION, refundCreatedSchema } from './refund-created';
import { REFUND_UPDATED, REFUND_UPDATED_VERSION, refundUpdatedSchema } from './refund-updated';
import { TICKET_UPDATED, TICKET_UPDATED_VERSION, ticketUpdatedSchema } from './ticket-updated';
import { SUBSCRIPTION_AMENDED, SUBSCRIPTION_AMENDED_VERSION, subscriptionAmendedSchema } from './subscription-amended';
import { SUBSCRIPTION_UPDATED, SUBSCRIPTION_UPDATED_VERSION, subscriptionUpdatedSchema } from './subscription-updated';

/**
 * Every canonical event type with its current version and schema. A breaking change adds a new
 * version here and keeps the old schema readable.
 */
export const EVENT_CATALOG = [
  { type: CUSTOMER_UPSERTED, version: CUSTOMER_UPSERTED_VERSION, schema: customerUpsertedSchema },
  { type: CUSTOMER_DELETED, version: CUSTOMER_DELETED_VERSION, schema: customerDeletedSchema },
  { type: SUBSCRIPTION_UPDATED, version: SUBSCRIPTION_UPDATED_VERSION, schema: subscriptionUpdatedSchema },
  { type: INVOICE_FINALIZED, version: INVOICE_FINALIZED_VERSION, schema: invoiceFinalizedSchema },
  { type: INVOICE_VOIDED, version: INVOICE_VOIDED_VERSION, schema: invoiceVoidedSchema },
  { type: INVOICE_UNCOLLECTIBLE, version: INVOICE_UNCOLLECTIBLE_VERSION, schema: invoiceUncollectibleSchema },
  { type: PAYMENT_SUCCEEDED, version: PAYMENT_SUCCEEDED_VERSION, schema: paymentSucceededSchema },
  { type: PAYMENT_FAILED, version: PAYMENT_FAILED_VERSION, schema: paymentFailedSchema },
  { type: REFUND_CREATED, version: REFUND_CREATED_VERSION, schema: refundCreatedSchema },
  { type: REFUND_UPDATED, version: REFUND_UPDATED_VERSION, schema: refundUpdatedSchema },
  { type: CREDIT_NOTE_ISSUED, version: CREDIT_NOTE_ISSUED_VERSION, schema: creditNoteIssuedSchema },
  { type: DISPUTE_UPDATED, version: DISPUTE_UPDATED_VERSION, schema: disputeUpdatedSchema },
  { type: ACCOUNT_UPSERTED, version: ACCOUNT_UPSERTED_VERSION, schema: accountUpsertedSchema },
  { type: ACCOUNT_DELETED, version: ACCOUNT_DELETED_VERSION, schema: accountDeletedSchema },
  { type: ACCOUNT_MERGED, version: ACCOUNT_MERGED_VERSION, schema: accountMergedSchema },
  { type: CONTACT_UPSERTED, version: CONTACT_UPSERTED_VERSION, schema: contactUpsertedSchema },
  { type: CONTACT_DELETED, version: CONTACT_DELETED_VERSION, schema: contactDeletedSchema },
  { type: CONTACT_MERGED, version: CONTACT_MERGED_VERSION, schema: contactMergedSchema },
  { type: DEAL_UPSERTED, version: DEAL_UPSERTED_VERSION, schema: dealUpsertedSchema },
  { type: DEAL_DELETED, version: DEAL_DELETED_VERSION, schema: dealDeletedSchema },
  { type: ENTITLEMENT_CHANGED, version: ENTITLEMENT_CHANGED_VERSION, schema: entitlementChangedSchema },
  { type: TICKET_UPDATED, version: TICKET_UPDATED_VERSION, schema: ticketUpdatedSchema },
  { type: DEAL_WON, version: DEAL_WON_VERSION, schema: dealWonSchema },
  { type: SUBSCRIPTION_AMENDED, version: SUBSCRIPTION_AMENDED_VERSION, schema: subscriptionAmendedSchema },
] as const;

export type CanonicalEventType = (typeof EVENT_CATALOG)[number]['type'];

type CatalogSchema = (typeof EVENT_CATALOG)[number]['schema'];

/** Any canonical event: the union of the catalog's schemas (the catalog is the one list of event types). */
export const canonicalEventSchema = z.discriminatedUnion('type', EVENT_CATALOG.map((entry) => entry.schema) as unknown as [CatalogSchema, ...CatalogSchema[]]);
export type CanonicalEvent = z.infer<typeof canonicalEventSchema>;

const CURRENT_VERSIONS = new Map<string, number>(EVENT_CATALOG.map((entry) => [entry.type, entry.version]));

/** The version a producer writes a type at today (its catalog entry): one truth, so no producer lags a bump. */
export function currentVersionOf(type: CanonicalEventType): number {
  return CURRENT_VERSIONS.get(type)!;
}
