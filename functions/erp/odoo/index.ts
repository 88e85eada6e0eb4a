/** The Odoo adapter: client, error taxonomy, operations, money conversion. */
export { OdooClient, isIdempotentByDefault, type OdooCallEvent, type OdooCallOptions, type OdooClientOptions } from './odoo-client';
export { DEFAULT_ODOO_CONNECTION, resolveOdooConfig } from './odoo-config';
export type { OdooBreakerSettings, OdooConnectionConfig, OdooConnectionSettings, OdooRetrySettings, OdooTransportChoice } from './odoo-config';
export * from './odoo-errors';
export type { ApiKeyProvider, OdooParams, OdooTransport } from './odoo-transport';
export type { OdooCaller, OdooDomain, OdooRecord, OdooValues } from './odoo-caller';
export type { OdooClock } from './odoo-clock';
export { resetDatabaseGuards } from './database-guards';
export {
  archive,
  createMany,
  parseExternalId,
  postNote,
  resolveExternalIds,
  searchRead,
  upsertByExternalId,
  type ResolvedExternalId,
  type SearchReadOptions,
  type UpsertResult,
} from './record-operations';
export { addPartnerTag, removePartnerTag } from './partner-operations';
export { cancelInvoice, createAndPostInvoice, createCreditNote, registerPayment } from './invoice-operations';
export type { CreditNoteRequest, PaymentRequest, PostedInvoice } from './invoice-operations';
export { minorToOdooAmount, odooAmountToMinor } from './odoo-money';
