import type { InvoiceUncollectible } from '../../../events/invoice-uncollectible';
import type { InvoiceVoided } from '../../../events/invoice-voided';
import { underWatermarkLease } from '../../platform/watermark-lease';
import { formatMinorUnits, toOdooMinor } from '../../domain/odoo-document-lines';
import { providerCurrencyExponent } from '../../providers/registry';
import { isNewer, watermarkOf } from '../../domain/watermark';
import { companyRouteFor } from '../../domain/billing-config';
import { type BillingSyncPorts, invoiceKey, odooDate } from './billing-sync-ports';
import { postCreditNoteForAmount } from './credit-note-for-amount';
import { locateOrPostInvoice, settledInvoiceDocument } from './post-invoice';

/**
 * The invoice lifecycle after finalization. These events are snapshots of the invoice's state, ordered
 * by the invoice's watermark: finalized < uncollectible / voided, and a void wins. A lifecycle event that
 * overtakes the finalization posts the invoice from the provider's snapshot first, so the finalization,
 * stale when it comes, finds the same document the in-order delivery would have left.
 */

export type InvoiceVoidOutcome =
  | { outcome: 'cancelled'; moveId: number }
  | { outcome: 'already-cancelled'; moveId: number }
  | { outcome: 'stale'; watermark: string };

/** `invoice.voided` → the Odoo invoice cancelled (back to draft, then cancel), posted first if Odoo lacks it. */
export async function syncInvoiceVoided(event: InvoiceVoided, ports: BillingSyncPorts): Promise<InvoiceVoidOutcome> {
  const invoice = event.data.invoice;
  const candidate = watermarkOf(event);
  return underWatermarkLease<InvoiceVoidOutcome>(ports.watermarks, invoiceKey(invoice.system, invoice.id), event.id, async (current) => {
    if (!isNewer(candidate, current)) return { result: { outcome: 'stale', watermark: current ?? candidate } };
    // Posted first if Odoo lacks it, so a void that overtakes its finalization ends as the in-order
    // delivery does (posted, numbered, then cancelled) instead of leaving Odoo without the document.
    const moveId = await locateOrPostInvoice(ports, invoice.system, invoice.id, 'voided');
    const document = await ports.ledger.readDocument(moveId);
    if (!document || document.state === 'cancel') return { result: { outcome: 'already-cancelled', moveId }, commit: candidate };
    await ports.ledger.cancelDocument(moveId);
    return { result: { outcome: 'cancelled', moveId }, commit: candidate };
  });
}

export type InvoiceUncollectibleOutcome =
  | { outcome: 'marked-uncollectible'; moveId: number; partnerId: number; writeOffId?: number }
  | { outcome: 'invoice-cancelled'; moveId: number }
  | { outcome: 'stale'; watermark: string };

/** `ref` marker of the write-off credit note: how a repeated attempt finds it. */
export const writeOffMarker = (invoiceId: string): string => `Uncollectible write-off ${invoiceId}`;

/**
 * `invoice.uncollectible` → the partner tagged uncollectible with a note; with `writeOffUncollectible`,
 * a posted credit note for what remains due: the reversal wizard when nothing was paid (it mirrors every
 * line and tax of the invoice), else an out_refund with one untaxed line for the remaining amount.
 * An invoice Odoo does not have yet is fetched from the provider and posted first.
 */
export async function syncInvoiceUncollectible(event: InvoiceUncollectible, ports: BillingSyncPorts): Promise<InvoiceUncollectibleOutcome> {
  const mark = event.data.invoice;
  const candidate = watermarkOf(event);
  return underWatermarkLease<InvoiceUncollectibleOutcome>(ports.watermarks, invoiceKey(mark.system, mark.id), event.id, async (current) => {
    if (!isNewer(candidate, current)) return { result: { outcome: 'stale', watermark: current ?? candidate } };
    const { moveId, invoice } = await settledInvoiceDocument(ports, mark.system, mark.id, 'uncollectible');
    if (!invoice || invoice.state !== 'posted' || invoice.partnerId === undefined) {
      return { result: { outcome: 'invoice-cancelled', moveId }, commit: candidate };
    }
    const partnerId = invoice.partnerId;
    const remaining = toOdooMinor(mark.amountRemaining, providerCurrencyExponent(mark.system, invoice.currency.code), invoice.currency.decimalPlaces);
    const tagId = await ports.ledger.tagId(ports.config.standingTags.uncollectible);
    await ports.ledger.addPartnerTag(partnerId, tagId);

    let writeOffId: number | undefined;
    if (ports.config.writeOffUncollectible && remaining > 0) {
      const marker = writeOffMarker(mark.id);
      writeOffId = await ports.ledger.findReversal(moveId, marker);
      if (writeOffId === undefined) {
        ({ creditNoteId: writeOffId } = await postCreditNoteForAmount(ports.ledger, {
          invoice,
          amount: remaining,
          marker,
          lineName: `${marker} (${invoice.name ?? mark.id})`,
          route: companyRouteFor(ports.config, { system: mark.system, account: mark.account, currency: invoice.currency.code.toLowerCase() }),
          date: odooDate(mark.markedAt),
        }));
      }
    }
    const amount = `${formatMinorUnits(remaining, invoice.currency.decimalPlaces)} ${invoice.currency.code}`;
    await ports.ledger.note(
      'res.partner',
      partnerId,
      `Invoice ${invoice.name ?? mark.id} (${mark.id}) marked uncollectible with ${amount} remaining` +
        `${writeOffId === undefined ? '' : `; written off by credit note ${writeOffId}`}.`,
    );
    return { result: { outcome: 'marked-uncollectible', moveId, partnerId, ...(writeOffId === undefined ? {} : { writeOffId }) }, commit: candidate };
  });
}
