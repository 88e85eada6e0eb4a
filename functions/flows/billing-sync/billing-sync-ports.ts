import type { SourceSystem } from '../../../events/envelope';
import type { BillingConfig } from '../../domain/billing-config';
import type { BillingLedger, BillingSource, LedgerDocument } from '../../domain/billing-ledger';
import { customerCandidate, customerPartnerWrite } from '../../domain/customer-to-partner';
import type { IdentityMap } from '../../domain/identity-map';
import { DependencyMissingError } from '../../domain/invoice-errors';
import type { PartnerGateway } from '../../domain/partner-gateway';
import type { WatermarkStore } from '../../domain/watermark';
import { PermanentSyncError } from '../../platform/errors';
import { type CustomerIdentityPorts, writeCustomerPartner } from '../customer-identity';
import { findPartner } from '../known-partner';

/** Everything a billing use case talks to. */
export interface BillingSyncPorts extends CustomerIdentityPorts {
  readonly ledger: BillingLedger;
  readonly source: BillingSource;
  readonly partners: PartnerGateway;
  readonly identityMap: IdentityMap;
  readonly watermarks: WatermarkStore;
  readonly config: BillingConfig;
}

export const ODOO_MOVE = { system: 'odoo', kind: 'account.move' } as const;
export const ODOO_PAYMENT = { system: 'odoo', kind: 'account.payment' } as const;

export const invoiceKey = (system: SourceSystem, id: string): string => `${system}:invoice:${id}`;
export const paymentKey = (system: SourceSystem, id: string): string => `${system}:payment:${id}`;
/** A refund → its Odoo credit note (`account.move`) and outbound payment (`account.payment`). */
export const refundKey = (system: SourceSystem, id: string): string => `${system}:refund:${id}`;
/** A provider credit note → its Odoo credit note (`account.move`). */
export const creditNoteKey = (system: SourceSystem, id: string): string => `${system}:credit_note:${id}`;

/** `2026-11-01T10:00:00Z` → `2026-11-01` (UTC: the provider's instants are UTC). */
export const odooDate = (instant: string): string => new Date(instant).toISOString().slice(0, 10);

/**
 * The Odoo partner of a provider customer: identity map (0 Odoo calls), else its external id (1), else the
 * provider's snapshot through the one-customer resolution — the partner of the company it is (a CRM account's, another
 * billing customer's), created if the company has none — exactly as customer-sync would write it. A customer the
 * provider does not know either is a retryable `DependencyMissingError`.
 */
export async function resolvePartner(ports: BillingSyncPorts, party: { system: SourceSystem; customerId: string }): Promise<number> {
  const found = await findPartner(ports, party);
  if (found !== undefined) return found;
  const customer = await ports.source.customer(party.customerId);
  if (!customer) throw new DependencyMissingError(`customer ${party.customerId} is neither in Odoo nor at ${party.system} yet`);
  const { partnerId } = await writeCustomerPartner(ports, { candidate: customerCandidate(customer), source: 'billing', ...customerPartnerWrite(customer) });
  return partnerId;
}

/** The Odoo invoice of a provider invoice: identity map (0 calls), else a search by `ref` (1 call). */
export async function locateInvoice(
  ports: { identityMap: IdentityMap; ledger: Pick<BillingLedger, 'findDocument'> },
  system: SourceSystem,
  invoiceId: string,
): Promise<number | undefined> {
  const key = invoiceKey(system, invoiceId);
  const known = await ports.identityMap.find(key, ODOO_MOVE.system, ODOO_MOVE.kind);
  if (known !== undefined) return Number(known);
  // A provider invoice whose total is negative (a downgrade's proration) is booked as a credit note (post-invoice.ts).
  const found = await ports.ledger.findDocument(invoiceId, ['out_invoice', 'out_refund']);
  if (found !== undefined) await ports.identityMap.link(key, { ...ODOO_MOVE, id: String(found) });
  return found;
}

/**
 * The posted Odoo invoice something is booked against (1 call: `read`). A draft is an invoice whose posting
 * was interrupted (its own event's retry posts it): retryable. A cancelled (voided) one or one without a
 * customer cannot take a credit note or a refund: permanent.
 */
export async function postedInvoice(
  ports: BillingSyncPorts,
  moveId: number,
  providerInvoiceId: string,
  what: string,
): Promise<LedgerDocument & { partnerId: number }> {
  const invoice = await ports.ledger.readDocument(moveId);
  if (invoice?.state === 'draft') throw new DependencyMissingError(`${what}: the Odoo invoice ${moveId} of ${providerInvoiceId} is still a draft`);
  if (!invoice || invoice.state !== 'posted') {
    throw new PermanentSyncError(`${what}: the Odoo invoice ${moveId} of ${providerInvoiceId} is ${invoice?.state ?? 'deleted'}, not posted`);
  }
  if (invoice.partnerId === undefined) throw new PermanentSyncError(`${what}: the Odoo invoice ${moveId} has no customer`);
  return { ...invoice, partnerId: invoice.partnerId };
}
