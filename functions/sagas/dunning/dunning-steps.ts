import { type AccountStandingLedger, markStanding } from '../../domain/account-standing';
import { formatMinorUnits } from '../../domain/odoo-document-lines';
import { PermanentSyncError } from '../../platform/errors';
import { clearPastDue, syncPaymentFailed } from '../../flows/billing-sync/account-standing';
import type { BillingSyncPorts } from '../../flows/billing-sync/billing-sync-ports';
import { providerCurrencyExponent, providerOf } from '../../providers/registry';
import type { DunningState, MarkPastDueResult, RecheckResult } from './dunning-state';

/**
 * The dunning saga's steps (the order and the branches are in lib/sagas.ts): past due → grace, re-checking the
 * invoice at its provider → suspended, or restored if it was paid meanwhile. The standing is the billing flow's
 * own code (flows/billing-sync/account-standing.ts, domain/account-standing.ts) through the same ports.
 */

export interface DunningSettings {
  /** Seconds from the failure until an invoice still unpaid suspends the customer (stage config `sagas.dunning`). */
  readonly graceSeconds: number;
  /** The Odoo tag (res.partner.category) of a suspended customer. */
  readonly suspendedTag: string;
}

export interface DunningPorts extends BillingSyncPorts {
  readonly standing: AccountStandingLedger;
  readonly settings: DunningSettings;
  readonly now: () => Date;
}

export class InvoiceUnknownAtProviderError extends PermanentSyncError {
  override name = 'InvoiceUnknownAtProviderError';
}

const attemptOf = (state: DunningState) => state.event.data.attempt;

function flagged(state: DunningState): Extract<MarkPastDueResult, { outcome: 'flagged-past-due' }> {
  const result = state.markPastDue;
  if (result?.outcome !== 'flagged-past-due') throw new PermanentSyncError(`dunning ${state.sagaId}: no past-due partner in the state (markPastDue is ${result?.outcome ?? 'missing'})`);
  return result;
}

/**
 * Step 1: the billing flow's `payment.failed` use case (tag + note, under the invoice's lease). An invoice already
 * paid or cancelled in Odoo ends the saga there. The grace runs from this step's first success.
 */
export async function markPastDue(state: DunningState, ports: DunningPorts): Promise<MarkPastDueResult> {
  const outcome = await syncPaymentFailed(state.event, ports);
  if (outcome.outcome === 'invoice-settled') return outcome;
  return { ...outcome, graceEndsAt: new Date(ports.now().getTime() + ports.settings.graceSeconds * 1000).toISOString() };
}

/** Compensation of step 1: the past-due standing withdrawn with a note saying why (nothing when it is already gone). */
export async function withdrawPastDue(state: DunningState, ports: DunningPorts): Promise<{ outcome: 'withdrawn' | 'nothing-to-undo' }> {
  if (state.markPastDue?.outcome !== 'flagged-past-due') return { outcome: 'nothing-to-undo' };
  const reason = state.failure?.Cause ?? state.failure?.Error ?? 'unknown reason';
  await clearPastDue(ports, state.markPastDue.partnerId, `Dunning of invoice ${attemptOf(state).invoiceId} stopped: ${reason}.`);
  return { outcome: 'withdrawn' };
}

/**
 * The check loop's step: the invoice as its provider sees it now. Paid (nothing remaining) ends the wait early;
 * unpaid once the grace is over suspends; otherwise the loop waits again. An invoice the provider does not know
 * cannot be dunned: permanent (the compensations withdraw the standing).
 */
export async function recheckInvoice(state: DunningState, ports: DunningPorts): Promise<RecheckResult> {
  const { graceEndsAt } = flagged(state);
  const attempt = attemptOf(state);
  const invoice = await ports.source.invoice(attempt.invoiceId);
  if (!invoice) throw new InvoiceUnknownAtProviderError(`invoice ${attempt.invoiceId} is unknown to ${providerOf(attempt.system).displayName}`);
  const now = ports.now();
  const outcome = invoice.amountRemaining <= 0 ? 'paid' : now.getTime() >= Date.parse(graceEndsAt) ? 'unpaid' : 'waiting';
  return { outcome, amountRemaining: invoice.amountRemaining, checkedAt: now.toISOString() };
}

/** Grace over, still unpaid: the customer is suspended (tag + note; nothing when already suspended). */
export async function suspend(state: DunningState, ports: DunningPorts): Promise<{ outcome: 'suspended' | 'already-suspended'; partnerId: number }> {
  const { partnerId } = flagged(state);
  const attempt = attemptOf(state);
  const remaining = state.recheckInvoice?.amountRemaining ?? attempt.amountDue;
  const due = `${formatMinorUnits(remaining, providerCurrencyExponent(attempt.system, attempt.currency))} ${attempt.currency.toUpperCase()}`;
  const changed = await markStanding(
    ports.standing,
    partnerId,
    ports.settings.suspendedTag,
    true,
    `Suspended: invoice ${attempt.invoiceId} is still unpaid (${due}) at the end of the grace period.`,
  );
  return { outcome: changed ? 'suspended' : 'already-suspended', partnerId };
}

/** Paid during the grace: past due and suspended standings cleared, each with a note (nothing when already clear). */
export async function restore(state: DunningState, ports: DunningPorts): Promise<{ outcome: 'restored' | 'already-restored'; partnerId: number }> {
  const { partnerId } = flagged(state);
  const invoiceId = attemptOf(state).invoiceId;
  const suspensionLifted = await markStanding(ports.standing, partnerId, ports.settings.suspendedTag, false, `Invoice ${invoiceId} was paid: suspension lifted.`);
  const pastDue = await ports.standing.hasTag(partnerId, ports.config.standingTags.pastDue);
  await clearPastDue(ports, partnerId, `Invoice ${invoiceId} was paid during the grace period.`);
  return { outcome: suspensionLifted || pastDue ? 'restored' : 'already-restored', partnerId };
}
