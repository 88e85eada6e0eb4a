import type { RefundCreated } from '../../../events/refund-created';
import type { RefundUpdated } from '../../../events/refund-updated';
import { isNewer, watermarkOf } from '../../domain/watermark';
import { underWatermarkLease } from '../../platform/watermark-lease';
import { companyRouteFor } from '../../domain/billing-config';
import type { RefundSnapshot } from '../../domain/billing-ledger';
import { CreditExceedsInvoiceError, DependencyMissingError, RefundWithoutInvoiceError } from '../../domain/invoice-errors';
import { formatMinorUnits, toOdooMinor } from '../../domain/odoo-document-lines';
import { providerCurrencyExponent, providerOf } from '../../providers/registry';
import { booksRefund, creditedAmount, isOwnRefundCreditNote, refundMarker } from '../../domain/refund-credit-notes';
import {
  type BillingSyncPorts,
  invoiceKey,
  locateInvoice,
  ODOO_MOVE,
  ODOO_PAYMENT,
  odooDate,
  postedInvoice,
  refundKey,
  resolvePartner,
} from './billing-sync-ports';
import { postCreditNoteForAmount } from './credit-note-for-amount';
import { ensureCreditNotePosted } from './post-credit-note';

export type RefundOutcome =
  | {
      outcome: 'refunded';
      creditNoteId: number;
      paymentId: number;
      /**
       * Which credit note carries it (refund-credit-notes.ts): `full` / `partial` its own (rule 2c), `credit-note`
       * the provider credit note listing it booked now (2b), `existing` one already in Odoo (2a, or a retry).
       */
      creditNote: 'full' | 'partial' | 'credit-note' | 'existing';
    }
  | { outcome: 'already-refunded'; paymentId: number }
  /** `failed` / `canceled` (or any status but `succeeded` / `pending`): no money moved, nothing booked. */
  | { outcome: 'not-applicable'; status: string }
  /** It failed or was canceled after Odoo booked it: its outbound payment is cancelled, the credit note stays owed. */
  | { outcome: 'refund-reversed'; paymentId: number; status: string }
  /** A newer change of the refund was applied already (a failure that overtook its creation). */
  | { outcome: 'stale'; watermark: string };

/** Refund statuses whose money leaves (or is leaving) the account: booked. */
const MONEY_MOVING = new Set(['succeeded', 'pending']);

/**
 * `refund.created` → money given back on an invoice: a posted credit note for the refunded amount and an
 * outbound customer payment of that amount (memo = the refund id, the company route's bank journal) registered
 * on the credit note with Odoo's payment wizard, which reconciles the two. Which credit note — the provider
 * credit note that lists the refund, or one of its own — follows functions/domain/refund-credit-notes.ts, so
 * a refund and its credit note give one credit note in either order.
 * - Exactly once: identity map `<system>:refund:<id>` → credit note and payment; else the payment found by its
 *   memo, the credit note by the refund id it names (crash recovery: never a second one of either).
 * - The invoice: the event's, else asked from the provider (`BillingSource.refundInvoice`); the provider
 *   cannot tell → retryable; the provider says none → a note on the customer and a permanent error. An
 *   invoice Odoo does not have yet → retryable `DependencyMissingError`.
 * - A currency other than the invoice's, or more than the invoice has left to credit (or than the credit note
 *   paying it out), is a permanent error before any write. Amounts exact in every currency (JPY, KWD).
 * Holds the invoice's lease: its payments, refunds and credit notes never interleave.
 *
 * Odoo calls, warm container (identity map knows the invoice; currency cached):
 * - a refund of its own credit note: 8 — `read` of the invoice, `search_read` of the payment by memo and of the
 *   invoice's credit notes, 3 for the credit note (`create` + `action_post` + `read`; the wizard's `create` +
 *   `refund_moves` + `action_post` for the whole invoice), 2 for the payment (wizard `create` + `action_create_payments`);
 * - a refund whose credit note is in Odoo already: 5 (no credit note to create);
 * - a refund before its provider credit note: 8, the credit note booked as `credit_note.issued` would
 *   (+ taxes / products when not cached), plus 1 provider call (+ 1 per tax rate as for `credit_note.issued`);
 * - a duplicate: 0 (identity map); `failed` / `canceled`: 0. Cold: +1 invoice search, +1 currency.
 */
export async function syncRefundCreated(event: RefundCreated, ports: BillingSyncPorts): Promise<RefundOutcome> {
  return applyRefundChange(event, ports);
}

/**
 * `refund.updated` → the refund as it is now. Failed or canceled (the money never left): its outbound payment is
 * cancelled, which leaves the credit note open — the customer is still owed the amount — and a note on the credit
 * note says so; when Odoo had not booked the refund yet, it is booked first, as its creation would have been, so
 * either order ends in the same records. Succeeded or pending: booked as `refund.created` books it (when that event
 * was lost or comes later, it is then a duplicate).
 *
 * Both events go through the refund's watermark (the provider's event time): a failure that overtakes the
 * creation makes the creation stale, so the final Odoo state does not depend on the order. Odoo calls to
 * reverse: 1 (identity map knows the payment; else a search by memo) + 2 (`action_draft`, `action_cancel`) + 1 note.
 */
export async function syncRefundUpdated(event: RefundUpdated, ports: BillingSyncPorts): Promise<RefundOutcome> {
  return applyRefundChange(event, ports);
}

async function applyRefundChange(event: RefundCreated | RefundUpdated, ports: BillingSyncPorts): Promise<RefundOutcome> {
  const refund = event.data.refund;
  // Created already failed or canceled: no money ever moved, nothing to book.
  if (event.type === 'refund.created' && !MONEY_MOVING.has(refund.status)) return { outcome: 'not-applicable', status: refund.status };
  const key = refundKey(refund.system, refund.id);
  const candidate = watermarkOf(event);
  return underWatermarkLease<RefundOutcome>(ports.watermarks, key, event.id, async (current) => {
    // Older than the change applied: stale. The same change again (a redelivery, a crash before the commit) is
    // applied again — booking and reversing are idempotent — so it reports what Odoo holds.
    if (current !== undefined && candidate !== current && !isNewer(candidate, current)) return { result: { outcome: 'stale', watermark: current } };
    if (MONEY_MOVING.has(refund.status)) return { result: await bookRefund(event, ports), commit: candidate };
    // Every refund starts pending or succeeded: had its creation come first, Odoo would hold its credit note and an
    // outbound payment, then cancel that payment. A failure that comes first (or alone) books the same, so the final
    // Odoo state does not depend on the order: the credit note owed, the payment attempt cancelled.
    await bookRefund(event, ports);
    return { result: await reverseRefund(refund, ports), commit: candidate };
  });
}

async function bookRefund(event: RefundCreated | RefundUpdated, ports: BillingSyncPorts): Promise<RefundOutcome> {
  const refund = event.data.refund;
  const key = refundKey(refund.system, refund.id);
  const known = await ports.identityMap.find(key, ODOO_PAYMENT.system, ODOO_PAYMENT.kind);
  if (known !== undefined) return { outcome: 'already-refunded', paymentId: Number(known) };
  const invoiceId = await refundedInvoice(refund, ports);
  return underWatermarkLease<RefundOutcome>(ports.watermarks, invoiceKey(refund.system, invoiceId), event.id, async () => ({
    result: await refundOnInvoice(refund, invoiceId, ports),
  }));
}

/** A refund that failed or was canceled: its outbound payment (if Odoo has one) cancelled, under the invoice's lease. */
async function reverseRefund(refund: RefundSnapshot, ports: BillingSyncPorts): Promise<RefundOutcome> {
  const key = refundKey(refund.system, refund.id);
  const known = await ports.identityMap.find(key, ODOO_PAYMENT.system, ODOO_PAYMENT.kind);
  const creditNote = await ports.identityMap.find(key, ODOO_MOVE.system, ODOO_MOVE.kind);
  if (known === undefined && creditNote === undefined) return { outcome: 'not-applicable', status: refund.status };
  const invoiceId = await refundedInvoice(refund, ports);
  return underWatermarkLease<RefundOutcome>(ports.watermarks, invoiceKey(refund.system, invoiceId), `${refund.id}:reversal`, async () => {
    const moveId = await locateInvoice(ports, refund.system, invoiceId);
    const invoice = moveId === undefined ? undefined : await ports.ledger.readDocument(moveId);
    if (invoice?.partnerId === undefined) return { result: { outcome: 'not-applicable', status: refund.status } };
    const paymentId = known !== undefined ? Number(known) : await ports.ledger.findPayment(refund.id, invoice.partnerId);
    if (paymentId === undefined) return { result: { outcome: 'not-applicable', status: refund.status } };
    const [payment] = await ports.ledger.payments([paymentId], invoice.currency);
    if (payment !== undefined && payment.state !== 'canceled') await ports.ledger.cancelPayment(paymentId);
    if (creditNote !== undefined) {
      const amount = `${formatMinorUnits(refund.amount, providerCurrencyExponent(refund.system, refund.currency))} ${refund.currency.toUpperCase()}`;
      await ports.ledger.note(
        'account.move',
        Number(creditNote),
        `Refund ${refund.id} of ${amount} ${refund.status} at ${refund.system}: its outbound payment ${paymentId} is cancelled. ` +
          'The customer is still owed this credit note: pay it back another way, or cancel the credit note if nothing is owed.',
      );
    }
    return { result: { outcome: 'refund-reversed', paymentId, status: refund.status } };
  });
}

/** The provider invoice the refunded payment paid: the event's, else the provider's answer. Never guessed. */
async function refundedInvoice(refund: RefundSnapshot, ports: BillingSyncPorts): Promise<string> {
  if (refund.invoiceId !== null) return refund.invoiceId;
  const paid = refund.paymentIntentId ?? refund.chargeId ?? 'its payment';
  if (ports.source.refundInvoice === undefined) {
    throw new DependencyMissingError(`refund ${refund.id} names no invoice and the billing source cannot look up the invoice ${paid} paid`);
  }
  const invoiceId = await ports.source.refundInvoice(refund);
  if (invoiceId === undefined) throw new DependencyMissingError(`refund ${refund.id}: ${refund.system} cannot tell yet which invoice ${paid} paid`);
  if (invoiceId !== null) return invoiceId;

  // Odoo never saw the payment (only invoice payments are booked): nothing to credit. Say it where finance looks.
  const amount = `${formatMinorUnits(refund.amount, providerCurrencyExponent(refund.system, refund.currency))} ${refund.currency.toUpperCase()}`;
  if (refund.customerId !== null) {
    const partnerId = await resolvePartner(ports, { system: refund.system, customerId: refund.customerId });
    await ports.ledger.note(
      'res.partner',
      partnerId,
      `Refund ${refund.id} of ${amount} (reason: ${refund.reason ?? 'not given'}) gives back ${paid}, ` +
        `which paid no ${providerOf(refund.system).displayName} invoice: not booked in Odoo. Book it by hand if it belongs in the accounts.`,
    );
  }
  throw new RefundWithoutInvoiceError(`refund ${refund.id} (${amount}) gives back ${paid}, which paid no ${refund.system} invoice: not booked${refund.customerId === null ? '' : ', noted on the customer'}`);
}

async function refundOnInvoice(refund: RefundSnapshot, invoiceId: string, ports: BillingSyncPorts): Promise<RefundOutcome> {
  const what = `refund ${refund.id}`;
  const moveId = await locateInvoice(ports, refund.system, invoiceId);
  if (moveId === undefined) throw new DependencyMissingError(`invoice ${invoiceId} of ${what} is not in Odoo yet`);
  const invoice = await postedInvoice(ports, moveId, invoiceId, what);
  const { currency } = invoice;
  if (currency.code !== refund.currency.toUpperCase()) {
    throw new CreditExceedsInvoiceError(`${what} is in ${refund.currency.toUpperCase()}, its invoice ${invoice.name ?? invoiceId} (${invoiceId}) in ${currency.code}: nothing was booked`);
  }
  const amount = toOdooMinor(refund.amount, providerCurrencyExponent(refund.system, refund.currency), currency.decimalPlaces);
  const money = (minor: number): string => `${formatMinorUnits(minor, currency.decimalPlaces)} ${currency.code}`;
  const key = refundKey(refund.system, refund.id);

  // Registered by an attempt that crashed before the identity-map write: nothing more to do.
  const registered = await ports.ledger.findPayment(refund.id, invoice.partnerId);
  if (registered !== undefined) {
    await ports.identityMap.link(key, { ...ODOO_PAYMENT, id: String(registered) });
    return { outcome: 'already-refunded', paymentId: registered };
  }

  const creditNotes = await ports.ledger.creditNotesOf(moveId, currency);
  const booked = creditNotes.find((note) => booksRefund(note, refund.id));
  let creditNoteId: number;
  let kind: Extract<RefundOutcome, { outcome: 'refunded' }>['creditNote'];
  if (booked !== undefined) {
    // Rule 2a: the provider credit note listing it, or its own credit note from an attempt that crashed before paying.
    if (amount > booked.amountTotal) {
      throw new CreditExceedsInvoiceError(`${what} gives back ${money(amount)}, more than the credit note ${booked.id} (${money(booked.amountTotal)}) paying it out: nothing was booked`);
    }
    if (booked.state === 'draft') {
      // A provider credit note's draft is posted by its own event's retry, which checks its total.
      if (!isOwnRefundCreditNote(booked, refund.id)) throw new DependencyMissingError(`${what}: the credit note ${booked.id} (${booked.ref}) paying it out is still a draft`);
      await ports.ledger.postDocument(booked.id);
    }
    creditNoteId = booked.id;
    kind = 'existing';
  } else {
    const listing = await ports.source.creditNoteOfRefund?.(refund, invoiceId);
    if (listing !== undefined) {
      // Rule 2b: the provider credit note paying it out, booked now as credit_note.issued will find it.
      if (listing.currency !== refund.currency) {
        throw new CreditExceedsInvoiceError(`${what} is in ${refund.currency.toUpperCase()}, credit note ${listing.id} paying it out in ${listing.currency.toUpperCase()}: nothing was booked`);
      }
      const listed = toOdooMinor(listing.total, providerCurrencyExponent(listing.system, listing.currency), currency.decimalPlaces);
      if (amount > listed) {
        throw new CreditExceedsInvoiceError(`${what} gives back ${money(amount)}, more than credit note ${listing.id} (${money(listed)}) paying it out: nothing was booked`);
      }
      ({ creditNoteId } = await ensureCreditNotePosted(listing, invoice, creditNotes, ports));
      kind = 'credit-note';
    } else {
      // Rule 2c: a credit note of its own, for what the invoice has left to credit at most.
      const left = invoice.amountTotal - creditedAmount(creditNotes);
      if (amount > left) {
        throw new CreditExceedsInvoiceError(
          `${what} gives back ${money(amount)} where invoice ${invoice.name ?? invoiceId} (${invoiceId}, ${money(invoice.amountTotal)}) has ` +
            `${money(left)} left to credit in Odoo: nothing was booked`,
        );
      }
      const marker = refundMarker(refund.id);
      ({ creditNoteId, kind } = await postCreditNoteForAmount(ports.ledger, {
        invoice,
        amount,
        marker,
        lineName: `${marker} (${invoice.name ?? invoiceId})`,
        route: companyRouteFor(ports.config, refund),
        date: odooDate(refund.createdAt),
        paymentReference: refund.id,
        paidOut: true,
      }));
    }
  }
  await ports.identityMap.link(key, { ...ODOO_MOVE, id: String(creditNoteId) });

  const { paymentId } = await ports.ledger.registerPayment(creditNoteId, {
    amount,
    currency,
    date: odooDate(refund.createdAt),
    memo: refund.id,
    journalId: companyRouteFor(ports.config, refund).bankJournalId,
  });
  await ports.identityMap.link(key, { ...ODOO_PAYMENT, id: String(paymentId) });
  return { outcome: 'refunded', creditNoteId, paymentId, creditNote: kind };
}
