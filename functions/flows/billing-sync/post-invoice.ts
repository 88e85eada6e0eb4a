import type { DocumentLine } from '../../../events/billing-parts';
import type { SourceSystem } from '../../../events/envelope';
import type { InvoiceFinalized, InvoiceSnapshot } from '../../../events/invoice-finalized';
import { underWatermarkLease } from '../../platform/watermark-lease';
import { type CompanyRoute, companyRouteFor } from '../../domain/billing-config';
import type { DraftLine, LedgerCurrency, LedgerDocument } from '../../domain/billing-ledger';
import { BillingSetupError, DependencyMissingError, InvoiceTotalMismatchError } from '../../domain/invoice-errors';
import { configuredOdooTaxId, configuredOdooTaxIds } from '../../domain/invoice-taxes';
import { type DocumentPlan, planDocumentLines, type ProviderDocument } from '../../domain/odoo-document-lines';
import { providerCurrencyExponent, providerOf } from '../../providers/registry';
import { isNewer, watermarkOf } from '../../domain/watermark';
import { type BillingSyncPorts, invoiceKey, locateInvoice, ODOO_MOVE, odooDate, resolvePartner } from './billing-sync-ports';
import { withResolvedTaxRates } from './provider-tax-rates';

export type InvoicePostOutcome =
  | { outcome: 'posted'; moveId: number; total: number; roundingDifference: number }
  | { outcome: 'already-posted'; moveId: number; state: LedgerDocument['state'] }
  | { outcome: 'stale'; watermark: string };

/**
 * `invoice.finalized` → a posted Odoo customer invoice, once, with the provider's total to the cent:
 * - the invoice's write lease serialises every event about the invoice (payments included);
 * - the watermark makes a finalization older than a void or an uncollectible mark a no-op;
 * - identity map, then a search by `ref`, before creating: a crash between the Odoo create and the
 *   identity-map write finds the invoice instead of duplicating it.
 *
 * Provider calls: 0, + 1 for the customer when Odoo lacks it, + 1 per tax rate the container has not read yet
 * among the line taxes that name only their rate (webhook line taxes carry no percentage) and that the
 * billing config does not map by id (provider-tax-rates.ts; a config mapping every rate by id needs none).
 */
export async function syncInvoiceFinalized(event: InvoiceFinalized, ports: BillingSyncPorts): Promise<InvoicePostOutcome> {
  const invoice = event.data.invoice;
  const candidate = watermarkOf(event);
  return underWatermarkLease<InvoicePostOutcome>(ports.watermarks, invoiceKey(invoice.system, invoice.id), event.id, async (current) => {
    if (!isNewer(candidate, current)) return { result: { outcome: 'stale', watermark: current ?? candidate } };
    return { result: await ensureInvoicePosted(invoice, ports), commit: candidate };
  });
}

/**
 * The Odoo invoice of a provider invoice, posted from the provider's snapshot first when Odoo does not
 * have it yet (a lifecycle event that overtook its `invoice.finalized`, which will then be stale).
 */
export async function locateOrPostInvoice(ports: BillingSyncPorts, system: SourceSystem, invoiceId: string, what: string): Promise<number> {
  const moveId = await locateInvoice(ports, system, invoiceId);
  if (moveId !== undefined) return moveId;
  return postFromProvider(ports, system, invoiceId, what);
}

/**
 * The Odoo invoice of a provider invoice as it now stands, for an event that settles or marks it: posted from the
 * provider first when Odoo lacks it, and an interrupted draft (a 5xx or a timeout between `create` and
 * `action_post`) posted too, so the event never takes that draft for a cancelled or deleted invoice.
 */
export async function settledInvoiceDocument(
  ports: BillingSyncPorts,
  system: SourceSystem,
  invoiceId: string,
  what: string,
): Promise<{ moveId: number; invoice: LedgerDocument | undefined }> {
  const moveId = await locateOrPostInvoice(ports, system, invoiceId, what);
  const invoice = await ports.ledger.readDocument(moveId);
  if (invoice?.state !== 'draft') return { moveId, invoice };
  await postFromProvider(ports, system, invoiceId, what);
  return { moveId, invoice: await ports.ledger.readDocument(moveId) };
}

/**
 * The invoice as the provider has it, posted in Odoo (or its interrupted draft posted: a 5xx or a timeout between
 * `create` and `action_post` leaves one, which a payment must not take for a refusal).
 */
export async function postFromProvider(ports: BillingSyncPorts, system: SourceSystem, invoiceId: string, what: string): Promise<number> {
  const snapshot = await ports.source.invoice(invoiceId);
  if (!snapshot) throw new DependencyMissingError(`${what} invoice ${invoiceId} is neither in Odoo nor at ${system} yet`);
  return (await ensureInvoicePosted(snapshot, ports)).moveId;
}

/**
 * The posted Odoo invoice of a provider invoice snapshot, created if Odoo has none. The caller holds the
 * invoice's lease. Shared by `invoice.finalized` and by the events that find their invoice missing
 * (a payment before its invoice: the snapshot comes from the provider).
 */
export async function ensureInvoicePosted(invoice: InvoiceSnapshot, ports: BillingSyncPorts): Promise<Exclude<InvoicePostOutcome, { outcome: 'stale' }>> {
  const existing = await locateInvoice(ports, invoice.system, invoice.id);
  if (existing !== undefined) return resumeExisting(invoice, existing, ports);

  const { plan, draft } = await prepareInvoice(invoice, ports);
  const partnerId = await resolvePartner(ports, invoice);
  const posted = await ports.ledger.createPostedDocument({ ...draft, partnerId, lines: await odooLinesOf(ports, invoice.system, invoice.lines, plan, { creditNote: draft.moveType === 'out_refund' }) });
  // Checked before linking: a cancelled invoice must not stay linked (a redrive after the fix creates anew).
  await checkPostedTotal({ kind: 'invoice', id: invoice.id, system: invoice.system }, Math.abs(plan.total), posted, ports);
  await ports.identityMap.link(invoiceKey(invoice.system, invoice.id), { ...ODOO_MOVE, id: String(posted.id) });
  return { outcome: 'posted', moveId: posted.id, total: posted.amountTotal, roundingDifference: plan.roundingDifference };
}

/**
 * `invoice_line_ids` values of a planned document: the service products of the provider prices (created
 * on first sight, 0 calls when cached), lines without a price get none.
 */
export async function odooLinesOf(
  ports: BillingSyncPorts,
  system: SourceSystem,
  sourceLines: readonly DocumentLine[],
  plan: DocumentPlan,
  options: { creditNote?: boolean } = {},
): Promise<DraftLine[]> {
  const pricedLines = sourceLines.filter((line) => line.priceId !== null);
  const products =
    pricedLines.length === 0
      ? new Map<string, number>()
      : await ports.ledger.products(
          system,
          [...new Map(pricedLines.map((line) => [line.priceId!, { priceId: line.priceId!, name: productNameFromLine(line) }])).values()],
        );
  return plan.lines.map((line) => {
    const productId = line.priceId === null ? undefined : products.get(line.priceId);
    return { line, ...(productId === undefined ? {} : { productId }), ...(options.creditNote === true ? { negated: true } : {}) };
  });
}

/**
 * The name a product made from an invoice line gets: the line's description, unless it is a proration line
 * ("Unused time on 1 × Team plan after 15 Nov"), which describes the adjustment rather than what is sold —
 * then the price id until the subscription flow names it (its names win: BillingLedger.products).
 */
function productNameFromLine(line: DocumentLine): string {
  return (line.proration ? null : line.description?.trim()) || `Price ${line.priceId!}`;
}

/** Everything decided before the first write: route, currency, taxes, lines and their simulated totals. */
async function prepareInvoice(invoice: InvoiceSnapshot, ports: BillingSyncPorts) {
  const currency = await ports.ledger.currency(invoice.currency.toUpperCase());
  if (!currency) throw new BillingSetupError(`Odoo has no currency ${invoice.currency.toUpperCase()} (invoice ${invoice.id})`);
  const { plan, route } = await planProviderDocument(ports, invoice, currency);
  return {
    plan,
    draft: {
      // A real Odoo refuses to post a customer invoice whose total is negative ("You cannot validate an invoice
      // with a negative total amount", recorded in test/contract/odoo/odoo-contract): a downgrade's proration, which
      // the provider credits to the customer's balance, is booked as a credit note with the same lines.
      moveType: plan.total < 0 ? ('out_refund' as const) : ('out_invoice' as const),
      ref: invoice.id,
      companyId: route.companyId,
      journalId: route.salesJournalId,
      currency,
      invoiceDate: odooDate(invoice.issuedAt),
      dueDate: invoice.dueAt === null ? null : odooDate(invoice.dueAt),
      narration: invoice.number === null ? undefined : `${providerOf(invoice.system).displayName} invoice ${invoice.number}`,
    },
  };
}

/**
 * The company route and the Odoo lines of a provider document (invoice or credit note) with the totals Odoo
 * will compute, taxes mapped by configuration (a tax naming only its provider tax rate gets the rate's
 * percentage from the provider first: provider-tax-rates.ts). No write: a tax that is not configured, or
 * totals that differ by more than a rounding difference, fail here (permanently) before anything is created.
 */
export async function planProviderDocument(
  ports: BillingSyncPorts,
  providerDocument: ProviderDocument & { id: string; system: SourceSystem; account: string | null },
  currency: LedgerCurrency,
): Promise<{ plan: DocumentPlan; route: CompanyRoute }> {
  const route = companyRouteFor(ports.config, providerDocument);
  const document = await withResolvedTaxRates(ports, route.companyId, providerDocument);
  const allTaxes = document.lines.flatMap((line) => line.taxes);
  const [odooTaxes, precisions] = await Promise.all([
    ports.ledger.taxes(configuredOdooTaxIds(ports.config, route.companyId, allTaxes)),
    ports.ledger.precisions(),
  ]);
  const plan: DocumentPlan = planDocumentLines(document, {
    precision: { currencyDecimals: currency.decimalPlaces, ...precisions },
    providerExponent: providerCurrencyExponent(document.system, document.currency),
    providerName: providerOf(document.system).displayName,
    odooTaxFor: (tax) => {
      const id = configuredOdooTaxId(ports.config, route.companyId, tax);
      if (id === undefined) return undefined;
      const odooTax = odooTaxes.get(id);
      if (!odooTax) throw new BillingSetupError(`the Odoo tax ${id} configured for provider tax ${tax.taxRateId ?? tax.percentage ?? tax.label} does not exist in Odoo (billing config: taxes)`);
      return odooTax;
    },
  });
  return { plan, route };
}

/**
 * Odoo has a document with this `ref` already: posted (a redelivery, or a crash before the identity-map
 * write) → nothing to do; draft (a crash between create and post) → post it and check its total;
 * cancelled → voided or refused before, left alone.
 */
async function resumeExisting(invoice: InvoiceSnapshot, moveId: number, ports: BillingSyncPorts): Promise<Exclude<InvoicePostOutcome, { outcome: 'stale' }>> {
  const document = await ports.ledger.readDocument(moveId);
  if (document?.state !== 'draft') return { outcome: 'already-posted', moveId, state: document?.state ?? 'cancel' };
  const { plan } = await prepareInvoice(invoice, ports);
  const posted = await ports.ledger.postDocument(moveId);
  await checkPostedTotal({ kind: 'invoice', id: invoice.id, system: invoice.system }, Math.abs(plan.total), posted, ports);
  return { outcome: 'posted', moveId, total: posted.amountTotal, roundingDifference: plan.roundingDifference };
}

/**
 * Finance must never see a wrong posted total: cancel it (its `ref` retired, so that a redrive after the fix
 * creates anew) and fail with both totals.
 */
export async function checkPostedTotal(
  document: { kind: 'invoice' | 'credit note'; id: string; system: SourceSystem },
  expected: number,
  posted: LedgerDocument,
  ports: BillingSyncPorts,
): Promise<void> {
  if (posted.amountTotal === expected) return;
  await ports.ledger.cancelDocument(posted.id, { retireRef: `${document.id} (cancelled: total mismatch)` });
  const code = posted.currency.code;
  throw new InvoiceTotalMismatchError(
    `Odoo computed total ${posted.amountTotal} for ${document.kind} ${document.id} where ${providerOf(document.system).displayName} has ${expected} (minor units of ${code}, ` +
      `${posted.currency.decimalPlaces} decimals); the Odoo ${document.kind} ${posted.id} was cancelled`,
  );
}
