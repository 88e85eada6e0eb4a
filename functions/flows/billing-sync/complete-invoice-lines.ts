import type { InvoiceFinalized, InvoiceSnapshot } from '../../../events/invoice-finalized';
import type { BillingSource } from '../../domain/billing-ledger';
import { DependencyMissingError } from '../../domain/invoice-errors';
import { PermanentSyncError } from '../../platform/errors';

/**
 * An invoice event that carried only the invoice's first lines (`linesIncomplete`: the ingest does no lookup
 * that can fail) made whole before anything is posted: the provider's complete line list replaces them
 * (1 provider call per 100 lines; none for a complete invoice). Posting the first lines alone would give Odoo
 * a wrong total, so without the full list nothing is posted:
 * - the provider does not know the invoice (yet) → retryable `DependencyMissingError`;
 * - the provider cannot list lines, or its list lacks a line the event carried → permanent, with the reason.
 */
export async function withCompleteLines(invoice: InvoiceSnapshot, source: Pick<BillingSource, 'invoiceLines'>): Promise<InvoiceSnapshot> {
  if (!invoice.linesIncomplete) return invoice;
  const { linesIncomplete: _incomplete, ...rest } = invoice;
  if (source.invoiceLines === undefined) {
    throw new PermanentSyncError(`invoice ${invoice.id} carries only its first ${invoice.lines.length} lines and the provider source cannot list the rest`);
  }
  const lines = await source.invoiceLines(invoice);
  if (lines === undefined) throw new DependencyMissingError(`invoice ${invoice.id} has more lines than its event carries, and ${invoice.system} does not know it (yet)`);
  const listed = new Set(lines.map((line) => line.id));
  const missing = invoice.lines.filter((line) => !listed.has(line.id)).map((line) => line.id);
  if (missing.length > 0) {
    throw new PermanentSyncError(`the complete line list of invoice ${invoice.id} at ${invoice.system} lacks line(s) ${missing.join(', ')} that its event carries`);
  }
  return { ...rest, lines };
}

/** `invoice.finalized` with every line of its invoice (the event itself when it carried them all). */
export async function finalizedWithCompleteLines(event: InvoiceFinalized, source: Pick<BillingSource, 'invoiceLines'>): Promise<InvoiceFinalized> {
  const invoice = await withCompleteLines(event.data.invoice, source);
  return invoice === event.data.invoice ? event : { ...event, data: { ...event.data, invoice } };
}
