import { type AccountStandingLedger, markStanding } from '../../domain/account-standing';
import type { CrmWorkspace } from '../../domain/crm-workspace';
import { withGraceEnded, withPayment } from '../../domain/entitlement';
import { watermarkOf } from '../../domain/watermark';
import { formatMinorUnits } from '../../domain/odoo-document-lines';
import { PermanentSyncError } from '../../platform/errors';
import { clearPastDue, syncPaymentFailed } from '../../flows/billing-sync/account-standing';
import type { BillingSyncPorts } from '../../flows/billing-sync/billing-sync-ports';
import { type EntitlementCause, type EntitlementFlowPorts, reviseEntitlement, syncEntitlement } from '../../flows/entitlements/sync-entitlement';
import { providerCurrencyExponent, providerOf } from '../../providers/registry';
import { crmCompanyOf } from '../shared/crm-company';
import type { DunningState, EntitlementStepResult, MarkPastDueResult, OwnerTaskResult, RecheckResult } from './dunning-state';

/**
 * The dunning saga's steps (the order and the branches are in lib/sagas.ts): past due → grace, re-checking the
 * invoice at its provider → suspended, or restored if it was paid meanwhile. The Odoo standing is the billing flow's
 * own code (flows/billing-sync/account-standing.ts, domain/account-standing.ts) through the same ports.
 *
 * The entitlement's standing (what the support desk shows) has one owner: its derivation from facts, which the
 * entitlements flow revises (flows/entitlements/sync-entitlement.ts). The saga never pushes a standing of its own:
 * it hands the failure to that same use case (the flow receives `payment.failed` too; facts merge commutatively, so
 * whichever comes second changes nothing), and adds the facts only it knows — the grace ended unpaid, the invoice
 * found paid at the provider — through the same `reviseEntitlement`. Were it to push "suspended" itself, a payment
 * the flow saw a moment later would be overwritten, or overwrite it, depending on who came last.
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
  /** The entitlements flow's ports: the entitlement is revised by the flow's own code. */
  readonly entitlements: EntitlementFlowPorts;
  /** The stage's CRM; undefined when it runs none (no owner task then). */
  readonly crm: CrmWorkspace | undefined;
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

function pastDueEntitlement(state: DunningState): EntitlementStepResult {
  const result = state.entitlementPastDue;
  if (result === undefined) throw new PermanentSyncError(`dunning ${state.sagaId}: no entitlement in the state (entitlementPastDue is missing)`);
  return result;
}

/** A saga step as the cause of an entitlement revision: its own id, so its `entitlement.changed` is never taken for another's. */
function causeOf(state: DunningState, step: string, time: string): EntitlementCause {
  return { id: `${state.sagaId}:${step}`, source: state.event.source, time, correlationId: state.event.correlationId };
}

const due = (state: DunningState, amount: number) => {
  const { system, currency } = attemptOf(state);
  return `${formatMinorUnits(amount, providerCurrencyExponent(system, currency))} ${currency.toUpperCase()}`;
};

/**
 * Step 2: the entitlement past due on the support desk, by the entitlements flow's own use case on the same failure
 * (nothing more when the flow was first). Not compensated: the failure is the provider's fact, which the flow applies
 * whatever becomes of the saga; only a payment (or a won dispute…) makes the customer active again.
 */
export async function entitlementPastDue(state: DunningState, ports: DunningPorts): Promise<EntitlementStepResult> {
  flagged(state);
  const outcome = await syncEntitlement(state.event, ports.entitlements);
  if (outcome.outcome !== 'entitlement-changed' && outcome.outcome !== 'entitlement-unchanged') {
    throw new PermanentSyncError(`dunning ${state.sagaId}: the failure revised no entitlement (${outcome.outcome})`);
  }
  const { published } = await ports.entitlements.store.load(outcome.customer);
  if (published === undefined) throw new PermanentSyncError(`dunning ${state.sagaId}: customer ${outcome.customer} has no entitlement after the failure`);
  return { customer: outcome.customer, standing: published.status, changed: outcome.outcome === 'entitlement-changed' };
}

/**
 * Step 3: a task for the account owner in the CRM, once per run (keyed `dunning:<sagaId>`). A stage without a CRM,
 * or a customer with no company in it, has nobody to give it to: said in the output, the dunning goes on.
 */
export async function openOwnerTask(state: DunningState, ports: DunningPorts): Promise<OwnerTaskResult> {
  const { graceEndsAt } = flagged(state);
  const { customer } = pastDueEntitlement(state);
  if (ports.crm === undefined) return { outcome: 'no-crm-company', reason: 'the stage runs no CRM' };
  const companyId = await crmCompanyOf(ports.entitlements.directory, ports.crm, customer);
  if (companyId === undefined) return { outcome: 'no-crm-company', reason: `customer ${customer} has no company in ${providerOf(ports.crm.system).displayName}` };
  const attempt = attemptOf(state);
  const { taskId } = await ports.crm.openTask({
    key: `dunning:${state.sagaId}`,
    companyId,
    subject: `Payment failed: invoice ${attempt.invoiceId} (${due(state, attempt.amountDue)})`,
    body:
      `The payment of invoice ${attempt.invoiceId} failed (attempt ${attempt.attemptCount}${attempt.failureReason === null ? '' : `: ${attempt.failureReason}`}). ` +
      `The customer is past due; unless the invoice is paid by ${graceEndsAt.slice(0, 16).replace('T', ' ')} UTC, its support entitlement is suspended.`,
  });
  return { outcome: 'opened', taskId, companyId };
}

/**
 * The owner's task completed: when the invoice was paid (the last step of a restoration), and as the compensation of
 * step 3 when a later step fails for good (nothing is left for the owner to chase). Nothing when none was opened.
 */
export async function completeOwnerTask(state: DunningState, ports: DunningPorts): Promise<{ outcome: 'completed' | 'no-task' }> {
  const task = state.openOwnerTask;
  if (task?.outcome !== 'opened' || ports.crm === undefined) return { outcome: 'no-task' };
  await ports.crm.completeTask(task.taskId);
  return { outcome: 'completed' };
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
  const changed = await markStanding(
    ports.standing,
    partnerId,
    ports.settings.suspendedTag,
    true,
    `Suspended: invoice ${attempt.invoiceId} is still unpaid (${due(state, remaining)}) at the end of the grace period.`,
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

/**
 * After the Odoo suspension: the grace ended unpaid, a fact the entitlement derivation reads as suspended (support
 * sees it on the organization, `entitlement.changed` tells the bus). A payment the flow has seen meanwhile wins:
 * the derivation then says active, and that is what is pushed.
 */
export async function suspendEntitlement(state: DunningState, ports: DunningPorts): Promise<EntitlementStepResult> {
  const { graceEndsAt } = flagged(state);
  const { customer } = pastDueEntitlement(state);
  const attempt = attemptOf(state);
  const cause = causeOf(state, 'SuspendEntitlement', graceEndsAt);
  const revision = await reviseEntitlement(customer, cause, ports.entitlements, (inputs) =>
    withGraceEnded(
      inputs,
      { system: attempt.system, customerId: attempt.customerId, id: attempt.invoiceId, amountRemaining: state.recheckInvoice?.amountRemaining ?? attempt.amountDue },
      graceEndsAt,
      watermarkOf({ time: graceEndsAt, causationId: cause.id }),
    ),
  );
  return { customer, standing: revision.entitlement.status, changed: revision.changed };
}

/**
 * After the Odoo restoration: the invoice paid, as its provider said at the last check (the payment's own event,
 * whenever it reaches the entitlements flow, is the same fact again). The customer is active unless another fact
 * (another unpaid invoice, an open dispute) says otherwise — the derivation decides, not the saga.
 */
export async function restoreEntitlement(state: DunningState, ports: DunningPorts): Promise<EntitlementStepResult> {
  flagged(state);
  const { customer } = pastDueEntitlement(state);
  const checkedAt = state.recheckInvoice?.checkedAt;
  if (checkedAt === undefined) throw new PermanentSyncError(`dunning ${state.sagaId}: no re-check of the invoice in the state`);
  const attempt = attemptOf(state);
  const cause = causeOf(state, 'RestoreEntitlement', checkedAt);
  const revision = await reviseEntitlement(customer, cause, ports.entitlements, (inputs) =>
    withPayment(inputs, { system: attempt.system, customerId: attempt.customerId, invoiceId: attempt.invoiceId }, checkedAt, watermarkOf({ time: checkedAt, causationId: cause.id })),
  );
  return { customer, standing: revision.entitlement.status, changed: revision.changed };
}
