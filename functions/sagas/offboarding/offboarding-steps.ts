import type { CrmWorkspace } from '../../domain/crm-workspace';
import { withCustomerDeleted } from '../../domain/entitlement';
import { formatMinorUnits } from '../../domain/odoo-document-lines';
import type { OpenInvoiceReader } from '../../domain/open-invoices';
import { targetContractState } from '../../domain/subscription-contract';
import type { ContractState } from '../../domain/subscription-ledger';
import { watermarkOf } from '../../domain/watermark';
import { canonicalCustomerOf } from '../../flows/canonical-customer';
import { type EntitlementFlowPorts, reviseEntitlement, syncEntitlement } from '../../flows/entitlements/sync-entitlement';
import { customerPartnerExternalId } from '../../domain/customer-resolution';
import type { PartnerGateway } from '../../domain/partner-gateway';
import { knownPartner } from '../../flows/known-partner';
import { ODOO_SALE_ORDER, type SubscriptionSyncPorts, subscriptionKey, syncSubscription } from '../../flows/subscription-sync/sync-subscription';
import { PermanentSyncError } from '../../platform/errors';
import { underWatermarkLease } from '../../platform/watermark-lease';
import { providerOf } from '../../providers/registry';
import { crmCompanyOf } from '../shared/crm-company';
import type { OffboardingState, RecogniseEndResult } from './offboarding-state';

/**
 * The offboarding saga's steps (order in lib/sagas.ts): a subscription's end or its customer's deletion at the
 * provider → the Odoo contract closed → the entitlement revoked on the support desk → the CRM company a former
 * customer (when nothing else keeps it a customer) → what the customer still owes, reported.
 *
 * No step is compensated: each applies an end the provider has already made (the subscription is over, the customer
 * gone there), so a later step failing for good undoes nothing — reopening the contract or giving the entitlement
 * back would contradict the provider. The execution fails with the step's reason; a redrive finishes it.
 *
 * Each write goes through the flow that owns it: the contract through subscription-sync's use case (its lease and
 * watermark: whichever of the flow and the saga applies the end first closes the contract, the other finds it
 * applied), the entitlement through the entitlements flow's reviser. The partner stays, unless the stage archives
 * former customers (`sagas.offboarding.archivePartner`) and nothing is left: no plan, no open invoice (a customer's
 * deletion at the provider is customer-sync's to apply, as before).
 */

export interface OffboardingPorts {
  readonly subscriptions: SubscriptionSyncPorts;
  readonly entitlements: EntitlementFlowPorts;
  readonly openInvoices: OpenInvoiceReader;
  /** The stage's CRM; undefined when it runs none. */
  readonly crm: CrmWorkspace | undefined;
  readonly partners: Pick<PartnerGateway, 'archive'>;
  /** Stage config `sagas.offboarding.archivePartner`. */
  readonly archivePartner: boolean;
}

function offboarded(state: OffboardingState): Extract<RecogniseEndResult, { outcome: 'offboard' }> {
  const result = state.recogniseEnd;
  if (result?.outcome !== 'offboard') throw new PermanentSyncError(`offboarding ${state.sagaId}: no customer to offboard in the state (recogniseEnd is ${result?.outcome ?? 'missing'})`);
  return result;
}

/**
 * Step 1: is this an end? A subscription snapshot is one when its contract's target is cancelled (the same rule
 * subscription-sync applies, domain/subscription-contract.ts); a customer's deletion always is. The rule cannot see
 * a snapshot's status, so every `subscription.updated` starts a run, and this step ends the others at once.
 * The customer's canonical id and Odoo partner are those the flows linked (retried until they have).
 */
export async function recogniseEnd(state: OffboardingState, ports: OffboardingPorts): Promise<RecogniseEndResult> {
  const { event } = state;
  let reason: 'subscription-ended' | 'customer-deleted';
  let billingCustomer: { system: typeof event.source; customerId: string };
  if (event.type === 'subscription.updated') {
    const { subscription } = event.data;
    if (targetContractState(subscription) !== 'cancelled') return { outcome: 'not-an-end', status: subscription.status };
    reason = 'subscription-ended';
    billingCustomer = { system: subscription.system, customerId: subscription.customerId };
  } else {
    reason = 'customer-deleted';
    billingCustomer = { system: event.data.customer.system, customerId: event.data.customer.id };
  }
  const customer = await canonicalCustomerOf(ports.entitlements, billingCustomer);
  const partnerId = await knownPartner({ identityMap: ports.subscriptions.identityMap, ledger: ports.subscriptions.ledger }, billingCustomer);
  return { outcome: 'offboard', reason, billingCustomer, customer, partnerId };
}

export interface ClosedContract {
  readonly subscriptionId: string;
  readonly orderId: number;
  readonly state: ContractState;
}

/**
 * Step 2: the contract closed in Odoo. A subscription's end is subscription-sync's own use case on the same snapshot
 * (a note on the partner, the order cancelled); a deleted customer's contracts are those of the subscriptions its
 * entitlement knows it had, each cancelled under its subscription's lease when still open. The orders as Odoo holds
 * them afterwards are the result.
 */
export async function closeContract(state: OffboardingState, ports: OffboardingPorts): Promise<{ contracts: ClosedContract[] }> {
  const { billingCustomer, customer } = offboarded(state);
  const { event } = state;
  if (event.type === 'subscription.updated') {
    await syncSubscription(event, ports.subscriptions, `${state.sagaId}:CloseContract`);
    const contract = await contractOf(ports, event.data.subscription);
    return { contracts: contract === undefined ? [] : [contract] };
  }
  const { inputs } = await ports.entitlements.store.load(customer);
  const subscriptions = Object.values(inputs.subscriptions).filter((fact) => fact.system === billingCustomer.system && (fact.customerId === undefined || fact.customerId === billingCustomer.customerId));
  const contracts: ClosedContract[] = [];
  for (const subscription of subscriptions) {
    const key = subscriptionKey(subscription);
    const closed = await underWatermarkLease<ClosedContract | undefined>(ports.subscriptions.watermarks, key, `${state.sagaId}:CloseContract`, async () => {
      const orderId = await ports.subscriptions.identityMap.find(key, ODOO_SALE_ORDER.system, ODOO_SALE_ORDER.kind);
      const order = orderId === undefined ? undefined : await ports.subscriptions.ledger.readOrder(Number(orderId));
      if (order === undefined) return { result: undefined };
      if (order.state !== 'cancelled') {
        if (order.partnerId !== undefined) {
          await ports.subscriptions.standing.note(
            'res.partner',
            order.partnerId,
            `Customer ${billingCustomer.customerId} was deleted at ${providerOf(billingCustomer.system).displayName} (${event.time.slice(0, 10)}): contract ${order.name ?? `sale order ${order.id}`} of subscription ${subscription.id} cancelled.`,
          );
        }
        await ports.subscriptions.ledger.cancelOrder(order.id);
      }
      return { result: { subscriptionId: subscription.id, orderId: order.id, state: 'cancelled' } };
    });
    if (closed !== undefined) contracts.push(closed);
  }
  return { contracts };
}

async function contractOf(ports: OffboardingPorts, subscription: { system: OffboardingState['event']['source']; id: string }): Promise<ClosedContract | undefined> {
  const orderId = await ports.subscriptions.identityMap.find(subscriptionKey(subscription), ODOO_SALE_ORDER.system, ODOO_SALE_ORDER.kind);
  const order = orderId === undefined ? undefined : await ports.subscriptions.ledger.readOrder(Number(orderId));
  return order === undefined ? undefined : { subscriptionId: subscription.id, orderId: order.id, state: order.state };
}

/**
 * Step 3: the entitlement revoked: the subscription's end is the entitlements flow's own use case on the snapshot;
 * a customer's deletion ends its subscriptions there as a fact (domain/entitlement.ts `withCustomerDeleted`). The
 * derivation decides: cancelled, unless another live subscription still gives the customer a plan.
 */
export async function revokeEntitlement(state: OffboardingState, ports: OffboardingPorts): Promise<{ customer: string; standing: 'active' | 'past_due' | 'suspended' | 'cancelled'; changed: boolean }> {
  const { customer, billingCustomer } = offboarded(state);
  const { event } = state;
  if (event.type === 'subscription.updated') {
    const outcome = await syncEntitlement(event, ports.entitlements);
    const { published } = await ports.entitlements.store.load(customer);
    if (published === undefined) throw new PermanentSyncError(`offboarding ${state.sagaId}: customer ${customer} has no entitlement`);
    return { customer, standing: published.status, changed: outcome.outcome === 'entitlement-changed' };
  }
  // A customer never entitled (it never subscribed) gets no organization on the desk just to be told it has nothing.
  if ((await ports.entitlements.store.load(customer)).published === undefined) return { customer, standing: 'cancelled', changed: false };
  const cause = { id: `${state.sagaId}:RevokeEntitlement`, source: event.source, time: event.time, correlationId: event.correlationId };
  const revision = await reviseEntitlement(customer, cause, ports.entitlements, (inputs) => withCustomerDeleted(inputs, billingCustomer, event.time, watermarkOf(event)));
  return { customer, standing: revision.entitlement.status, changed: revision.changed };
}

/**
 * Step 4: the CRM company a former customer — only when the entitlement says no plan is left (a customer paying
 * through another subscription is still one). Nothing when the stage runs no CRM or the customer has no company.
 */
export async function markFormerCustomer(
  state: OffboardingState,
  ports: OffboardingPorts,
): Promise<{ outcome: 'former-customer'; companyId: string } | { outcome: 'still-a-customer'; standing: string } | { outcome: 'no-crm-company'; reason: string }> {
  const { customer } = offboarded(state);
  const standing = state.revokeEntitlement?.standing;
  if (standing === undefined) throw new PermanentSyncError(`offboarding ${state.sagaId}: no revoked entitlement in the state`);
  if (standing !== 'cancelled') return { outcome: 'still-a-customer', standing };
  if (ports.crm === undefined) return { outcome: 'no-crm-company', reason: 'the stage runs no CRM' };
  const companyId = await crmCompanyOf(ports.entitlements.directory, ports.crm, customer);
  if (companyId === undefined) return { outcome: 'no-crm-company', reason: `customer ${customer} has no company in ${providerOf(ports.crm.system).displayName}` };
  await ports.crm.setCompanyLifecycle(companyId, 'former_customer');
  return { outcome: 'former-customer', companyId };
}

export interface OpenInvoiceReport {
  readonly name: string;
  readonly ref: string | null;
  readonly amountDue: number;
  readonly currency: string;
}

/**
 * Step 5: what the customer still owes in Odoo. Open invoices are reported, not chased: a note on the partner for
 * finance (once: the step's result is kept) and the list in the execution's output.
 */
export async function checkOpenInvoices(state: OffboardingState, ports: OffboardingPorts): Promise<{ outcome: 'none-open' } | { outcome: 'open-invoices'; invoices: OpenInvoiceReport[] }> {
  const { partnerId, reason } = offboarded(state);
  const open = await ports.openInvoices.openInvoicesOf(partnerId);
  if (open.length === 0) return { outcome: 'none-open' };
  const listed = open.map((invoice) => `${invoice.name}${invoice.ref === null ? '' : ` (${invoice.ref})`}: ${formatMinorUnits(invoice.amountDue, invoice.decimalPlaces)} ${invoice.currency} due`);
  const why = reason === 'customer-deleted' ? 'the customer was deleted at its billing provider' : 'its subscription ended';
  await ports.subscriptions.standing.note('res.partner', partnerId, `Offboarding (${why}): ${open.length} invoice${open.length === 1 ? '' : 's'} still open — ${listed.join('; ')}.`);
  return { outcome: 'open-invoices', invoices: open.map(({ name, ref, amountDue, currency }) => ({ name, ref, amountDue, currency })) };
}

/**
 * Step 6: the partner archived when the stage archives former customers and nothing is left of the customer: no plan
 * (another subscription may still give one) and no open invoice (finance collects it from an active partner). Odoo
 * keeps an archived partner's invoices and history; a new subscription or a CRM restore makes it active again.
 */
export async function archivePartner(
  state: OffboardingState,
  ports: OffboardingPorts,
): Promise<{ outcome: 'archived' | 'already-archived'; partnerId: number } | { outcome: 'kept'; reason: string }> {
  const { partnerId, customer } = offboarded(state);
  if (!ports.archivePartner) return { outcome: 'kept', reason: 'the stage keeps former customers’ partners (sagas.offboarding.archivePartner)' };
  const standing = state.revokeEntitlement?.standing;
  if (standing === undefined) throw new PermanentSyncError(`offboarding ${state.sagaId}: no revoked entitlement in the state`);
  if (standing !== 'cancelled') return { outcome: 'kept', reason: `the customer is still ${standing}: another subscription gives it a plan` };
  const invoices = state.checkOpenInvoices;
  if (invoices === undefined) throw new PermanentSyncError(`offboarding ${state.sagaId}: no open-invoice check in the state`);
  if (invoices.outcome === 'open-invoices') return { outcome: 'kept', reason: `${invoices.invoices.length} invoice${invoices.invoices.length === 1 ? '' : 's'} still open` };
  const { archived } = await ports.partners.archive(customerPartnerExternalId(customer), partnerId);
  return { outcome: archived ? 'archived' : 'already-archived', partnerId };
}
