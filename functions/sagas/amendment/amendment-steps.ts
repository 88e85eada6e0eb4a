import type { ContractLine } from '../../../events/subscription-amended';
import type { CrmWorkspace } from '../../domain/crm-workspace';
import { DependencyMissingError } from '../../domain/invoice-errors';
import { isNewer, type Watermark, watermarkOf } from '../../domain/watermark';
import { amendContractLines } from '../../domain/subscription-contract';
import type { ContractOrder } from '../../domain/subscription-ledger';
import { canonicalCustomerOf } from '../../flows/canonical-customer';
import type { EntitlementFlowPorts } from '../../flows/entitlements/sync-entitlement';
import { contractLineValuesOf, type SubscriptionSyncPorts, subscriptionKey } from '../../flows/subscription-sync/sync-subscription';
import { PermanentSyncError } from '../../platform/errors';
import { underWatermarkLease } from '../../platform/watermark-lease';
import { providerOf } from '../../providers/registry';
import { crmCompanyOf } from '../shared/crm-company';
import { reasonOf } from '../shared/failure-reason';
import { entitlementOfSubscription, type SubscriptionEntitlementResult, subscriptionFact } from '../shared/subscription-fact';
import type { AmendmentState, UpdateCrmResult, VerifyContractAmendedResult } from './amendment-state';

/**
 * The amendment saga's steps (their order is in lib/sagas.ts): a confirmed contract whose lines a subscription
 * snapshot changed (`subscription.amended`, published by subscription-sync, which wrote the lines) → the amendment
 * verified in Odoo → the entitlement re-derived and pushed → the customer's CRM company told of the change. A later
 * step failing for good restores the contract's previous lines, with a note on the order saying why.
 *
 * Each write goes through the code that owns it: the contract under subscription-sync's lease (its key, its store),
 * the entitlement through the entitlements flow's `syncEntitlement`. Idempotency: every step's result is kept under
 * `amendment:<sagaId>:<step>` (functions/platform/saga-step.ts), and the CRM note carries a key of its own.
 */

export interface AmendmentPorts {
  readonly subscriptions: SubscriptionSyncPorts;
  /** The entitlements flow's own ports: the entitlement is derived and pushed by its code, not again here. */
  readonly entitlements: EntitlementFlowPorts;
  /** The stage's CRM; undefined when it runs none. */
  readonly crm: CrmWorkspace | undefined;
}

/** The contract is gone or cancelled: there is nothing amended to follow up, nor to restore. */
export class ContractGoneError extends PermanentSyncError {
  override name = 'ContractGoneError';
}

/** The key a write of this run is made under (a lease owner, the entitlement's fact, the CRM note). */
export const amendmentWriteKey = (state: AmendmentState, write: string): string => `amendment:${state.sagaId}:${write}`;

const orderLabel = (state: AmendmentState): string => state.event.data.order.name ?? `sale order ${state.event.data.order.id}`;

/** Whether an order's lines are the event's (nothing `amendContractLines` would change, at Odoo's precisions). */
async function holdsLines(ports: AmendmentPorts, order: ContractOrder, lines: readonly ContractLine[]): Promise<boolean> {
  const precisions = await ports.subscriptions.ledger.precisions();
  return amendContractLines(order.lines, lines.map(contractLineValuesOf), { confirmed: true, ...precisions }).length === 0;
}

/**
 * Runs `work` on the contract under the subscription's write lease (subscription-sync's), as this run's `write`, with
 * the subscription's watermark (the newest snapshot applied); commits none: the saga applies no snapshot.
 */
function underSubscriptionLease<Result>(state: AmendmentState, ports: AmendmentPorts, write: string, work: (applied: Watermark | undefined) => Promise<Result>): Promise<Result> {
  const key = subscriptionKey(state.event.data.subscription);
  return underWatermarkLease(ports.subscriptions.watermarks, key, amendmentWriteKey(state, write), async (applied) => ({ result: await work(applied) }));
}

/**
 * Step 1: the contract holds the event's new lines. Read under the subscription's lease: subscription-sync publishes
 * the event before it writes the lines, under that lease, so this waits for the write (a busy lease is retried). The
 * snapshot not applied yet (the subscription's watermark older: the flow's write failed and is retried) → retried too.
 * Other lines after a newer snapshot → it amended the contract since: `superseded`, and the run does nothing more (that
 * snapshot's own amendment, if it made one, is another run). The order gone or cancelled → permanent.
 */
export async function verifyContractAmended(state: AmendmentState, ports: AmendmentPorts): Promise<VerifyContractAmendedResult> {
  const { order, lines } = state.event.data;
  return underSubscriptionLease(state, ports, 'verify', async (applied) => {
    const found = await ports.subscriptions.ledger.readOrder(order.id);
    if (found === undefined) throw new ContractGoneError(`Odoo order ${orderLabel(state)} no longer exists: nothing was amended`);
    if (found.state === 'cancelled') throw new ContractGoneError(`Odoo order ${found.name ?? order.id} is cancelled: nothing was amended`);
    const result = { orderId: found.id, orderName: found.name };
    if (await holdsLines(ports, found, lines)) return { outcome: 'amended', ...result };
    if (isNewer(watermarkOf(state.event), applied)) throw new DependencyMissingError(`Odoo order ${orderLabel(state)} does not have the amendment yet (subscription-sync writes it)`);
    return { outcome: 'superseded', ...result };
  });
}

/**
 * Compensation of step 1: the contract's previous lines back, under the subscription's lease, with a note on the order
 * saying why (the failed step's reason). Left alone, and said so, when: the order is gone or cancelled, its lines are
 * the previous ones already, or a newer amendment changed them since (restoring would undo the newer one). The
 * subscription at its provider still has the new lines: its next snapshot amends the contract again.
 */
export async function restoreContractLines(
  state: AmendmentState,
  ports: AmendmentPorts,
): Promise<{ outcome: 'restored' | 'already-previous' | 'newer-amendment-kept' | 'order-gone' | 'nothing-to-undo' }> {
  if (state.verifyContractAmended?.outcome !== 'amended') return { outcome: 'nothing-to-undo' };
  const { order, lines, previousLines, currency } = state.event.data;
  return underSubscriptionLease(state, ports, 'restore', async () => {
    const found = await ports.subscriptions.ledger.readOrder(order.id);
    if (found === undefined || found.state === 'cancelled') return { outcome: 'order-gone' };
    if (await holdsLines(ports, found, previousLines)) return { outcome: 'already-previous' };
    if (!(await holdsLines(ports, found, lines))) return { outcome: 'newer-amendment-kept' };
    const precisions = await ports.subscriptions.ledger.precisions();
    await ports.subscriptions.standing.note(
      'sale.order',
      found.id,
      `Amendment undone, lines restored to ${describeLines(previousLines, currency)} (were ${describeLines(lines, currency)}): ${reasonOf(state)}.`,
    );
    await ports.subscriptions.ledger.amendOrder(found.id, amendContractLines(found.lines, previousLines.map(contractLineValuesOf), { confirmed: true, ...precisions }));
    return { outcome: 'restored' };
  });
}

function verified(state: AmendmentState): VerifyContractAmendedResult {
  const result = state.verifyContractAmended;
  if (result?.outcome !== 'amended') throw new PermanentSyncError(`amendment ${state.sagaId}: no verified amendment in the state (verifyContractAmended is ${result?.outcome ?? 'missing'})`);
  return result;
}

/**
 * Step 2: the entitlement the amended subscription gives, re-derived and pushed through the entitlements flow's own
 * code, under a fact of this run's own (`amendment:<sagaId>:entitlement`, the snapshot's time): the entitlement's lease
 * and `entitlement.changed` are the step's, not the snapshot's, which the flow applies too. The flow first: unchanged.
 */
export async function rederiveEntitlement(state: AmendmentState, ports: AmendmentPorts): Promise<SubscriptionEntitlementResult> {
  verified(state);
  const { event } = state;
  const fact = subscriptionFact(amendmentWriteKey(state, 'entitlement'), event.correlationId, event.data.subscription, event.time);
  return entitlementOfSubscription(fact, ports.entitlements, `amendment ${state.sagaId}`);
}

/**
 * Step 3: the customer's CRM company told of the change, a note (once per run: its key) saying the contract's lines
 * from → to. Nothing when the stage runs no CRM or the customer has no company in it (`no-crm`).
 */
export async function updateCrm(state: AmendmentState, ports: AmendmentPorts): Promise<UpdateCrmResult> {
  verified(state);
  const crm = ports.crm;
  if (crm === undefined) return { outcome: 'no-crm', reason: 'the stage runs no CRM' };
  const { subscription } = state.event.data;
  const customer = await canonicalCustomerOf(ports.entitlements, { system: subscription.system, customerId: subscription.customerId });
  const companyId = await crmCompanyOf(ports.entitlements.directory, crm, customer);
  if (companyId === undefined) return { outcome: 'no-crm', reason: `customer ${customer} has no company in ${providerOf(crm.system).displayName}` };
  await crm.noteOnCompany(companyId, { key: amendmentWriteKey(state, 'note'), text: amendmentNote(state) });
  return { outcome: 'noted', companyId };
}

/** What the company's note says: the contract, the subscription, its lines before and after. */
export function amendmentNote(state: AmendmentState): string {
  const { subscription, order, currency, previousLines, lines } = state.event.data;
  return (
    `Contract ${order.name ?? `sale order ${order.id}`} amended (subscription ${subscription.id} at ${providerOf(subscription.system).displayName}, ${state.event.time.slice(0, 10)}): ` +
    `${describeLines(previousLines, currency)} → ${describeLines(lines, currency)}.`
  );
}

/** `Pro (monthly) × 3 at 99.00 USD; Seats × 5 at 12.50 USD`, or `nothing`. */
function describeLines(lines: readonly ContractLine[], currency: string): string {
  if (lines.length === 0) return 'nothing';
  return lines.map((line) => `${line.name} × ${Number(line.quantity)} at ${line.unitPrice} ${currency.toUpperCase()}`).join('; ');
}
