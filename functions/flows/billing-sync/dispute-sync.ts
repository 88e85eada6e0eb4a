import type { DisputeUpdated } from '../../../events/dispute-updated';
import { entityKey } from '../../../events/envelope';
import type { AccountStandingLedger } from '../../domain/account-standing';
import { type BillingConfig, companyRouteFor } from '../../domain/billing-config';
import type { BillingSource, LedgerCurrency } from '../../domain/billing-ledger';
import { type DisputeLedger, type DisputeSnapshot, disputeStageOf, lostDisputeMarker, reversalKindOf } from '../../domain/dispute-resolution';
import type { IdentityMap } from '../../domain/identity-map';
import { DependencyMissingError } from '../../domain/invoice-errors';
import { formatMinorUnits, toOdooMinor } from '../../domain/odoo-document-lines';
import { providerCurrencyExponent } from '../../providers/registry';
import { isNewer, type WatermarkStore, watermarkOf } from '../../domain/watermark';
import { PermanentSyncError } from '../../platform/errors';
import { knownPartner } from '../known-partner';
import { underWatermarkLease } from '../../platform/watermark-lease';
import { locateInvoice, ODOO_MOVE, ODOO_PAYMENT, odooDate } from './billing-sync-ports';
import { postCreditNoteForAmount } from './credit-note-for-amount';

export interface DisputeSyncPorts {
  readonly ledger: DisputeLedger;
  readonly standing: AccountStandingLedger;
  readonly identityMap: IdentityMap;
  readonly watermarks: WatermarkStore;
  readonly config: BillingConfig;
  /**
   * Asked for the invoice a dispute is about (the dispute names only its payment) and, when no single invoice
   * says whose payment it was, for the customer of the payment.
   */
  readonly source?: Pick<BillingSource, 'refundInvoice' | 'paymentCustomer'>;
}

export type DisputeOutcome =
  | { outcome: 'flagged'; partnerId: number; invoiceMoveId?: number }
  | { outcome: 'won'; partnerId: number; invoiceMoveId?: number }
  | { outcome: 'lost'; partnerId: number; invoiceMoveId: number; creditNoteId: number; reversal: 'full' | 'partial' | 'existing' }
  /** Lost, but Odoo has no posted invoice to take it back from: the partner stays flagged, the note says what to book by hand. */
  | { outcome: 'lost-without-invoice'; partnerId: number; invoiceMoveId?: number }
  | { outcome: 'stale'; watermark: string };

export const disputeKey = (dispute: Pick<DisputeSnapshot, 'system' | 'id'>): string => entityKey(dispute.system, 'dispute', dispute.id);

/**
 * `dispute.updated` → the account's standing and, when the dispute is lost, the money:
 * - open: the partner tagged `standingTags.disputed`, a note (amount, reason, status) on the partner and on the invoice;
 * - closed won (any close but lost): the tag removed, a note;
 * - closed lost: a posted credit note on the invoice for the disputed amount (identity map
 *   `<system>:dispute:<id>` → the credit note, else found by its `ref` marker: never two), the tag removed, a note.
 * Ordered by the dispute's watermark: an `open` older than the close is stale, so open → lost in any order
 * ends with the tag removed and one credit note. No single invoice (the payment paid several, a bare charge):
 * only the partner is flagged — found through the payment's customer when nothing else names it — with a note
 * saying why no invoice is credited, and, when lost, that the credit is booked by hand (never a guessed credit
 * note). A named invoice not in Odoo yet: an open dispute flags the partner, a lost one waits for the invoice
 * (retryable), so that the books do not depend on which webhook came first. A customer Odoo does not have is
 * a retryable error.
 * Effects come before notes: a failure part-way repeats idempotent effects, and the note is written once
 * they all hold.
 *
 * Provider calls: 1 to find the invoice of the disputed payment (the dispute does not name it); + 1 for the
 * payment's customer when no single invoice in Odoo says whose payment it was.
 * Odoo calls per event, warm container (identity map knows partner and invoice; tag and currency cached):
 * open or won 3 (tag `write`, `message_post` on partner and invoice); lost 8 (`read` of the invoice,
 * `search_read` for an earlier credit note, 3 to create + post + read back the credit note — wizard
 * `create` + `refund_moves` + `action_post` for a full reversal — untag, two notes). Cold: + invoice search 1,
 * partner by external id 1, tag 1–2, currency 1.
 */
export async function syncDisputeUpdated(event: DisputeUpdated, ports: DisputeSyncPorts): Promise<DisputeOutcome> {
  const candidate = watermarkOf(event);
  return underWatermarkLease<DisputeOutcome>(ports.watermarks, disputeKey(event.data.dispute), event.id, async (current) => {
    if (!isNewer(candidate, current)) return { result: { outcome: 'stale', watermark: current ?? candidate } };
    const { dispute, noInvoice } = await withDisputedInvoice(ports, event.data.dispute);
    const invoiceMoveId = dispute.invoiceId === null ? undefined : await locateInvoice(ports, dispute.system, dispute.invoiceId);
    const stage = disputeStageOf(dispute);
    // Only the invoice can say whose dispute this is, or (lost) the invoice is what the credit note reverses:
    // its invoice.finalized is on its way (webhooks are unordered), so wait for it rather than settle for less —
    // a lost dispute booked "by hand" because it overtook its invoice would leave Odoo depending on the order.
    if (dispute.invoiceId !== null && invoiceMoveId === undefined && (dispute.customerId === null || stage === 'lost')) {
      throw new DependencyMissingError(`dispute ${dispute.id} is about invoice ${dispute.invoiceId}, which is not in Odoo yet`);
    }
    const partnerId = await disputedPartner(ports, dispute, invoiceMoveId);
    const tag = ports.config.standingTags.disputed;
    const amount = `${formatMinorUnits(dispute.amount, providerCurrencyExponent(dispute.system, dispute.currency))} ${dispute.currency.toUpperCase()}`;
    const about = `Dispute ${dispute.id} on ${dispute.chargeId ?? dispute.paymentIntentId ?? 'a payment'} (${amount}, reason: ${dispute.reason ?? 'not given'})`;
    const invoiceText = dispute.invoiceId === null ? 'no invoice' : `invoice ${dispute.invoiceId}`;
    // Why no invoice is credited, said on the partner so that finance knows what to look at.
    const whyNoInvoice = noInvoice ?? `the disputed payment’s ${invoiceText} is not in Odoo`;
    const unknownInvoice = invoiceMoveId === undefined ? ` ${capitalized(whyNoInvoice)}: no invoice is credited, only the customer is flagged.` : '';
    const withInvoice = invoiceMoveId === undefined ? {} : { invoiceMoveId };

    let outcome: DisputeOutcome;
    let body: string;
    if (stage === 'open') {
      await ports.standing.addTag(partnerId, tag);
      body = `${about} is open (${dispute.status}). Standing “${tag}” set.${unknownInvoice}`;
      outcome = { outcome: 'flagged', partnerId, ...withInvoice };
    } else if (stage === 'won') {
      await ports.standing.removeTag(partnerId, tag);
      body = `${about} closed ${dispute.status}: the payment stands. Standing “${tag}” cleared.`;
      outcome = { outcome: 'won', partnerId, ...withInvoice };
    } else {
      const reversal = invoiceMoveId === undefined ? undefined : await reverseLostDispute(ports, dispute, invoiceMoveId);
      if (reversal === undefined || invoiceMoveId === undefined) {
        // The money is gone and Odoo cannot show it yet: keep the customer flagged until a person books it.
        await ports.standing.addTag(partnerId, tag);
        body =
          `${about} closed lost. No posted invoice in Odoo to credit (${invoiceMoveId === undefined ? whyNoInvoice : invoiceText}): ` +
          `book a credit note of ${amount} by hand. Standing “${tag}” kept.`;
        outcome = { outcome: 'lost-without-invoice', partnerId, ...withInvoice };
      } else {
        await ports.standing.removeTag(partnerId, tag);
        body = `${about} closed lost: credit note ${reversal.creditNoteId} takes the disputed amount back. Standing “${tag}” cleared.`;
        outcome = { outcome: 'lost', partnerId, invoiceMoveId, creditNoteId: reversal.creditNoteId, reversal: reversal.kind };
      }
    }
    await ports.standing.note('res.partner', partnerId, body);
    if (invoiceMoveId !== undefined) await ports.standing.note('account.move', invoiceMoveId, body);
    return { result: outcome, commit: candidate };
  });
}

/**
 * The dispute with its invoice: a provider's dispute may name only the charge and payment intent, so the invoice is
 * asked from the provider the way a refund's is (the invoice the payment intent paid; 1 provider call). When there
 * is no single invoice, `noInvoice` says why, for the partner's note: a bare charge (no payment intent), a
 * payment intent that paid no invoice, or one that paid several (the dispute does not say which it takes back).
 */
async function withDisputedInvoice(ports: DisputeSyncPorts, dispute: DisputeSnapshot): Promise<{ dispute: DisputeSnapshot; noInvoice?: string }> {
  if (dispute.invoiceId !== null || ports.source?.refundInvoice === undefined) return { dispute };
  const payment = dispute.chargeId ?? 'the payment';
  if (dispute.paymentIntentId === null) return { dispute, noInvoice: `the disputed payment ${payment} is a bare charge, of no invoice` };
  const invoiceId = await ports.source.refundInvoice({ ...dispute, createdAt: dispute.updatedAt });
  if (invoiceId) return { dispute: { ...dispute, invoiceId } };
  if (invoiceId === null) return { dispute, noInvoice: `the disputed payment ${payment} paid no invoice` };
  return {
    dispute,
    noInvoice: `the disputed payment ${payment} paid several invoices (payment intent ${dispute.paymentIntentId}) and the dispute does not say which one it takes back`,
  };
}

/**
 * The customer: the provider's customer id (synced by the customer flow, else retry). Without one, the
 * partner of the disputed invoice; without that (a payment of several invoices, a bare charge), the customer
 * of the payment as the provider knows it (the charge's customer; 1 call). Only a payment the provider
 * gives no customer for (a guest checkout) is attached to no account: a permanent error naming the charge.
 */
async function disputedPartner(ports: DisputeSyncPorts, dispute: DisputeSnapshot, invoiceMoveId: number | undefined): Promise<number> {
  if (dispute.customerId !== null) return knownPartner(ports, { system: dispute.system, customerId: dispute.customerId });
  const invoice = invoiceMoveId === undefined ? undefined : await ports.ledger.readDocument(invoiceMoveId);
  if (invoice?.partnerId !== undefined) return invoice.partnerId;
  const customerId = ports.source?.paymentCustomer === undefined ? null : await ports.source.paymentCustomer(dispute);
  if (customerId === undefined) {
    throw new DependencyMissingError(`dispute ${dispute.id}: ${dispute.system} does not know its payment ${dispute.chargeId ?? dispute.paymentIntentId} (yet)`);
  }
  if (customerId !== null) return knownPartner(ports, { system: dispute.system, customerId });
  throw new PermanentSyncError(
    `dispute ${dispute.id} names no customer and no invoice Odoo has, and its payment ${dispute.chargeId ?? dispute.paymentIntentId ?? ''} has no customer at ` +
      `${dispute.system}: it cannot be attached to an account`,
  );
}

const capitalized = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

/**
 * The lost dispute's credit note, once: identity map (0 calls), else the credit note with its marker (crash
 * recovery, 1 call), else created and posted — the reversal wizard for the whole invoice, an out_refund of the
 * disputed amount otherwise — and paid out by the chargeback: an outbound payment of the disputed amount (memo =
 * the dispute id), as a refund is, since the bank took the money back. So the invoice stays paid and the credit
 * note is settled by money that left, instead of being offset against the invoice (a real Odoo 18 then shows the
 * paid invoice "reversed") or left open as credit the customer does not have. Undefined when the invoice is not
 * posted (nothing to credit). Refuses a currency or an amount that does not fit the invoice before any write.
 */
async function reverseLostDispute(
  ports: DisputeSyncPorts,
  dispute: DisputeSnapshot,
  invoiceMoveId: number,
): Promise<{ creditNoteId: number; kind: 'full' | 'partial' | 'existing' } | undefined> {
  const key = disputeKey(dispute);
  const known = await ports.identityMap.find(key, ODOO_PAYMENT.system, ODOO_PAYMENT.kind);
  if (known !== undefined) return { creditNoteId: Number(await ports.identityMap.find(key, ODOO_MOVE.system, ODOO_MOVE.kind)), kind: 'existing' };
  const invoice = await ports.ledger.readDocument(invoiceMoveId);
  // A draft is an invoice being booked right now (created, not yet posted, by its own event): wait for it, or the
  // books would depend on which webhook came first — the shuffled e2e caught a lost dispute settled "by hand" so.
  if (invoice?.state === 'draft') throw new DependencyMissingError(`dispute ${dispute.id}: invoice ${invoice.name ?? invoiceMoveId} is still a draft`);
  if (!invoice || invoice.state !== 'posted') return undefined;
  const marker = lostDisputeMarker(dispute.id);
  const route = companyRouteFor(ports.config, dispute);
  const disputed = toOdooMinor(dispute.amount, providerCurrencyExponent(dispute.system, dispute.currency), invoice.currency.decimalPlaces);
  const existing = await ports.ledger.findReversal(invoiceMoveId, marker);
  if (existing !== undefined) {
    // A crash after the credit note: pay it out unless that was done too.
    await ports.identityMap.link(key, { ...ODOO_MOVE, id: String(existing) });
    await payOutChargeback(ports, dispute, existing, { amount: disputed, currency: invoice.currency, partnerId: invoice.partnerId, journalId: route.bankJournalId });
    return { creditNoteId: existing, kind: 'existing' };
  }
  if (invoice.currency.code !== dispute.currency.toUpperCase()) {
    throw new PermanentSyncError(`dispute ${dispute.id} is in ${dispute.currency.toUpperCase()}, its invoice ${invoice.name ?? invoiceMoveId} in ${invoice.currency.code}`);
  }
  const kind = reversalKindOf(disputed, invoice.amountTotal);
  if (kind === 'exceeds') {
    throw new PermanentSyncError(
      `dispute ${dispute.id} takes back ${formatMinorUnits(disputed, invoice.currency.decimalPlaces)} ${invoice.currency.code}, more than invoice ` +
        `${invoice.name ?? invoiceMoveId} (${formatMinorUnits(invoice.amountTotal, invoice.currency.decimalPlaces)}): credit it by hand`,
    );
  }
  const { creditNoteId } = await postCreditNoteForAmount(ports.ledger, {
    invoice,
    amount: disputed,
    marker,
    lineName: `${marker} (${invoice.name ?? dispute.invoiceId ?? invoice.id})`,
    route,
    date: odooDate(dispute.updatedAt),
    paidOut: true,
  });
  await ports.identityMap.link(key, { ...ODOO_MOVE, id: String(creditNoteId) });
  await payOutChargeback(ports, dispute, creditNoteId, { amount: disputed, currency: invoice.currency, partnerId: invoice.partnerId, journalId: route.bankJournalId });
  return { creditNoteId, kind };
}

/** The chargeback's outbound payment on the lost dispute's credit note, once (its memo is the dispute id). */
async function payOutChargeback(
  ports: DisputeSyncPorts,
  dispute: DisputeSnapshot,
  creditNoteId: number,
  money: { amount: number; currency: LedgerCurrency; partnerId: number | undefined; journalId: number },
): Promise<void> {
  const key = disputeKey(dispute);
  const registered = money.partnerId === undefined ? undefined : await ports.ledger.findPayment(dispute.id, money.partnerId);
  const paymentId =
    registered ??
    (
      await ports.ledger.registerPayment(creditNoteId, {
        amount: money.amount,
        currency: money.currency,
        date: odooDate(dispute.updatedAt),
        memo: dispute.id,
        journalId: money.journalId,
      })
    ).paymentId;
  await ports.identityMap.link(key, { ...ODOO_PAYMENT, id: String(paymentId) });
}
