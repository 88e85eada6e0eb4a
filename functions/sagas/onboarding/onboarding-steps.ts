import { entityKey } from '../../../events/envelope';
import type { SubscriptionSnapshot, SubscriptionUpdated } from '../../../events/subscription-updated';
import type { BillingAccounts, BillingCustomerLinks } from '../../domain/billing-accounts';
import type { CrmWorkspace } from '../../domain/crm-workspace';
import type { CustomerDirectory } from '../../domain/customer-directory';
import { CANONICAL_CUSTOMER, canonicalCustomerKey } from '../../domain/customer-resolution';
import type { DealLedger } from '../../domain/deal-ledger';
import type { IdentityMap } from '../../domain/identity-map';
import { DependencyMissingError } from '../../domain/invoice-errors';
import type { SupportLedger } from '../../domain/support-ledger';
import { PermanentSyncError } from '../../platform/errors';
import { canonicalCustomer, markRecordState } from '../../flows/customer-identity';
import { type EntitlementFlowPorts, syncEntitlement } from '../../flows/entitlements/sync-entitlement';
import { ODOO_SALE_ORDER, subscriptionKey } from '../../flows/subscription-sync/sync-subscription';
import { customerKey, ODOO_PARTNER } from '../../flows/known-partner';
import { reasonOf } from '../shared/failure-reason';
import { entitlementOfSubscription, subscriptionFact } from '../shared/subscription-fact';
import { type OnboardingConfig, subscriptionItemsOf } from './onboarding-config';
import type {
  BillingCustomerResult,
  EnsurePartnerResult,
  GrantEntitlementResult,
  OnboardingState,
  SubscribeResult,
  VerifyContractResult,
} from './onboarding-state';

/**
 * The onboarding saga's steps (their order is in lib/sagas.ts): a won deal → its Odoo partner and confirmed contract
 * → a billing customer and subscription → the support entitlement → the ids written back to the CRM. Each step that
 * makes something has a compensation that undoes exactly that, using what the step recorded in the saga state; the
 * compensations run in reverse when a later step fails for good (lib/constructs/lifecycle-saga.ts).
 *
 * Idempotency: every step's result is kept under `onboarding:<sagaId>:<step>` (functions/platform/saga-step.ts), and
 * every write a provider could repeat carries a key of its own (`onboarding:<sagaId>:<write>`), so a step cut short
 * after its write and run again finds what the first attempt made.
 */

export interface OnboardingPorts {
  readonly identityMap: IdentityMap;
  readonly directory: CustomerDirectory;
  readonly contacts: Pick<SupportLedger, 'partnerContact'>;
  readonly deals: Pick<DealLedger, 'readOrder' | 'cancelOrder' | 'note'>;
  /** The stage's onboarding billing provider (config `billingSystem`). */
  readonly billing: BillingAccounts;
  /** The entitlements flow's own ports: the entitlement is derived and pushed by its code, not again here. */
  readonly entitlements: EntitlementFlowPorts;
  /** The stage's CRM; undefined when it runs none (nothing is written back). */
  readonly crm: CrmWorkspace | undefined;
  readonly config: OnboardingConfig;
  readonly now: () => Date;
}

export class PartnerMismatchError extends PermanentSyncError {
  override name = 'PartnerMismatchError';
}
export class PartnerGoneError extends PermanentSyncError {
  override name = 'PartnerGoneError';
}
export class ContractNotConfirmedError extends PermanentSyncError {
  override name = 'ContractNotConfirmedError';
}
export class OtherCrmError extends PermanentSyncError {
  override name = 'OtherCrmError';
}
/** A step's result a later step needs is not in the state: a bug in the saga's definition, never retried. */
export class MissingStepResultError extends PermanentSyncError {
  override name = 'MissingStepResultError';
}

/** The key a provider write of this run is made under: the same run, the same write → the first attempt's object. */
export const onboardingWriteKey = (state: OnboardingState, write: string): string => `onboarding:${state.sagaId}:${write}`;

function required<Value>(value: Value | undefined, step: string, state: OnboardingState): Value {
  if (value === undefined) throw new MissingStepResultError(`onboarding ${state.sagaId}: no ${step} result in the state`);
  return value;
}

const deal = (state: OnboardingState) => state.event.data;
/**
 * Step 1: the Odoo partner of the deal's account, the one crm-sync made and linked (`<crm>:account:<id>`), with its
 * canonical customer. Not linked yet → retryable `DependencyMissingError` (crm-sync is on its way; never guessed).
 * The order deal-sync confirmed must be that partner's: another partner means the records disagree — permanent.
 */
export async function ensurePartner(state: OnboardingState, ports: OnboardingPorts): Promise<EnsurePartnerResult> {
  const { account, order } = deal(state);
  const accountKey = entityKey(account.system, 'account', account.id);
  const linkedPartner = await ports.identityMap.find(accountKey, ODOO_PARTNER.system, ODOO_PARTNER.kind);
  if (linkedPartner === undefined) throw new DependencyMissingError(`${accountKey} has no Odoo partner yet (crm-sync makes it)`);
  const linkedCustomer = await ports.identityMap.find(accountKey, CANONICAL_CUSTOMER.system, CANONICAL_CUSTOMER.kind);
  if (linkedCustomer === undefined) throw new DependencyMissingError(`${accountKey} has no canonical customer yet (crm-sync links it)`);
  const partnerId = Number(linkedPartner);
  if (partnerId !== order.partnerId) {
    throw new PartnerMismatchError(`order ${order.name ?? order.id} is for Odoo partner ${order.partnerId}, but ${accountKey} is partner ${partnerId}`);
  }
  const contact = await ports.contacts.partnerContact(partnerId);
  if (contact === undefined) throw new PartnerGoneError(`Odoo partner ${partnerId} of ${accountKey} no longer exists`);
  const customerId = await canonicalCustomer(ports.directory, linkedCustomer);
  return { partnerId, customerId, createdPartner: false, name: contact.name, email: contact.email ?? null };
}

/**
 * Compensation of step 1, the last to run: the partner stays (crm-sync made it, not this run: `createdPartner` is
 * false), and the CRM deal gets a note saying why the onboarding was undone and what was undone, once per run.
 */
export async function noteUndoneOnDeal(state: OnboardingState, ports: OnboardingPorts): Promise<{ outcome: 'noted' | 'no-crm'; partnerKept: boolean }> {
  const partnerKept = state.ensurePartner?.createdPartner !== true;
  const crm = ports.crm;
  if (crm === undefined || crm.system !== deal(state).deal.system) return { outcome: 'no-crm', partnerKept };
  await crm.noteOnDeal(deal(state).deal.id, { key: onboardingWriteKey(state, 'undone'), text: undoneNote(state) });
  return { outcome: 'noted', partnerKept };
}

/** What the deal's note says: why, and each compensation's outcome (read from the state the compensations wrote). */
export function undoneNote(state: OnboardingState): string {
  const done = [
    state.revokeEntitlement && `support entitlement: ${state.revokeEntitlement.outcome}`,
    state.cancelSubscription && `billing subscription ${state.subscribe?.subscription.id ?? ''}: ${state.cancelSubscription.outcome}`,
    state.deleteBillingCustomer && `billing customer ${state.ensureBillingCustomer?.customerId ?? ''}: ${state.deleteBillingCustomer.outcome}`,
    state.cancelContract && `Odoo order ${state.verifyContract?.orderName ?? state.verifyContract?.orderId ?? ''}: ${state.cancelContract.outcome}`,
  ].filter((line): line is string => typeof line === 'string');
  return `Onboarding of this won deal was undone: ${reasonOf(state)}.${done.length > 0 ? ` Undone: ${done.join('; ')}.` : ' Nothing had been made yet.'}`;
}

/**
 * Step 2: the contract is the order deal-sync confirmed when the deal was won (`order.id`): read back, it must still
 * be confirmed. A quotation or a cancelled order means the deal was reopened or lost since: nothing to onboard.
 */
export async function verifyContract(state: OnboardingState, ports: OnboardingPorts): Promise<VerifyContractResult> {
  const { order } = deal(state);
  const found = await ports.deals.readOrder(order.id);
  if (found === undefined) throw new ContractNotConfirmedError(`Odoo order ${order.name ?? order.id} no longer exists`);
  if (found.state !== 'confirmed') throw new ContractNotConfirmedError(`Odoo order ${found.name ?? order.id} is ${found.state}, not confirmed`);
  return { orderId: found.id, orderName: found.name, state: 'confirmed' };
}

/** Compensation of step 2: the order cancelled (without the wizard's email), with a note saying why; already cancelled or gone is success. */
export async function cancelContract(state: OnboardingState, ports: OnboardingPorts): Promise<{ outcome: 'cancelled' | 'already-cancelled' | 'not-found' | 'nothing-to-undo' }> {
  const contract = state.verifyContract;
  if (contract === undefined) return { outcome: 'nothing-to-undo' };
  const order = await ports.deals.readOrder(contract.orderId);
  if (order === undefined) return { outcome: 'not-found' };
  if (order.state === 'cancelled') return { outcome: 'already-cancelled' };
  await ports.deals.note(contract.orderId, `Onboarding undone, order cancelled: ${reasonOf(state)}.`);
  await ports.deals.cancelOrder(contract.orderId);
  return { outcome: 'cancelled' };
}

function billingLinks(state: OnboardingState): BillingCustomerLinks {
  const partner = required(state.ensurePartner, 'ensurePartner', state);
  const { deal: crmDeal, account } = deal(state);
  return { odooPartnerId: partner.partnerId, customerId: partner.customerId, crm: { system: account.system, accountId: account.id, dealId: crmDeal.id } };
}

/**
 * Step 3: the canonical customer's billing customer at the stage's provider — the one already linked to it, or a new
 * one (metadata: the Odoo partner, the CRM company and deal, the canonical customer). Linked both ways in the identity
 * map, so the provider's webhooks of it and the entitlement find this customer's partner and canonical customer.
 */
export async function ensureBillingCustomer(state: OnboardingState, ports: OnboardingPorts): Promise<BillingCustomerResult> {
  const partner = required(state.ensurePartner, 'ensurePartner', state);
  const links = billingLinks(state);
  const system = ports.billing.system;
  const existing = await ports.identityMap.find(canonicalCustomerKey(partner.customerId), system, 'customer');
  const { customerId, created } = await ports.billing.ensureCustomer({ name: partner.name, email: partner.email, links }, existing, onboardingWriteKey(state, 'billing-customer'));
  await ports.identityMap.link(canonicalCustomerKey(partner.customerId), { system, kind: 'customer', id: customerId });
  await ports.identityMap.link(customerKey(system, customerId), { ...CANONICAL_CUSTOMER, id: partner.customerId });
  await ports.identityMap.link(customerKey(system, customerId), { ...ODOO_PARTNER, id: String(partner.partnerId) });
  return { system, customerId, created };
}

/**
 * Compensation of step 3: the billing customer deleted if this run created it; one that existed before is kept. The
 * deleted customer is marked deleted in the identity map as its provider's deletion webhook would mark it, at once:
 * until then the CRM write-back would take it for the company's live billing customer and write its id to the CRM.
 */
export async function deleteBillingCustomer(state: OnboardingState, ports: OnboardingPorts): Promise<{ outcome: 'deleted' | 'not-found' | 'kept-existing' | 'nothing-to-undo' }> {
  const customer = state.ensureBillingCustomer;
  if (customer === undefined) return { outcome: 'nothing-to-undo' };
  if (!customer.created) return { outcome: 'kept-existing' };
  const outcome = await ports.billing.deleteCustomer(customer.customerId);
  await markRecordState(ports.identityMap, customerKey(ports.billing.system, customer.customerId), { deletedAt: ports.now().toISOString() });
  return { outcome };
}

/**
 * Step 4: the subscription to what was sold — each line's provider price (stage config; an unmapped line is
 * permanent), the stage's collection method — created under this run's key.
 */
export async function subscribe(state: OnboardingState, ports: OnboardingPorts): Promise<SubscribeResult> {
  const customer = required(state.ensureBillingCustomer, 'ensureBillingCustomer', state);
  const items = subscriptionItemsOf(deal(state).lines, ports.config);
  const subscription = await ports.billing.createSubscription(
    { customerId: customer.customerId, items, collection: ports.config.collection, links: billingLinks(state) },
    onboardingWriteKey(state, 'billing-subscription'),
  );
  // The won deal's confirmed order is this subscription's contract: linked before the provider's webhook of the new
  // subscription reaches subscription-sync, which then finds and keeps it in step instead of creating a second
  // Odoo order for the same sale.
  const contract = required(state.verifyContract, 'verifyContract', state);
  await ports.identityMap.link(subscriptionKey(subscription), { ...ODOO_SALE_ORDER, id: String(contract.orderId) });
  return { subscription };
}

/** Compensation of step 4: the subscription cancelled now (already cancelled: as it is; unknown to the provider: gone). */
export async function cancelSubscription(state: OnboardingState, ports: OnboardingPorts): Promise<{ outcome: 'cancelled' | 'not-found' | 'nothing-to-undo' }> {
  const made = state.subscribe;
  if (made === undefined) return { outcome: 'nothing-to-undo' };
  return { outcome: (await ports.billing.cancelSubscription(made.subscription.id)) === undefined ? 'not-found' : 'cancelled' };
}

/** The subscription as the entitlements flow's fact, dated now so it is the customer's newest fact. */
function subscriptionFactOf(state: OnboardingState, subscription: SubscriptionSnapshot, write: string, now: Date): SubscriptionUpdated {
  return subscriptionFact(onboardingWriteKey(state, write), state.event.correlationId, subscription, now.toISOString());
}

/**
 * Step 5: the support entitlement the new subscription gives, derived and pushed by the entitlements flow's own code
 * (the canonical customer's organization at the desk, with its tier; `entitlement.changed` published).
 */
export async function grantEntitlement(state: OnboardingState, ports: OnboardingPorts): Promise<GrantEntitlementResult> {
  const { subscription } = required(state.subscribe, 'subscribe', state);
  return entitlementOfSubscription(subscriptionFactOf(state, subscription, 'entitlement', ports.now()), ports.entitlements, `onboarding ${state.sagaId}`);
}

/**
 * Compensation of step 5. An entitlement is derived from facts, never set by hand: revoking the one this run granted
 * means its subscription ends first (cancelled at the provider now; step 4's compensation then finds it cancelled),
 * and the cancelled subscription re-derives the entitlement through the entitlements flow. The desk's organization is
 * not deleted: it holds the customer's tickets and users, and other subscriptions of the same customer may entitle
 * it; "undone" is the organization showing the entitlement without this subscription (no tier, standing cancelled
 * when it was the only one).
 */
export async function revokeEntitlement(state: OnboardingState, ports: OnboardingPorts): Promise<{ outcome: 'revoked' | 'nothing-to-undo'; tier?: string | null }> {
  if (state.grantEntitlement === undefined) return { outcome: 'nothing-to-undo' };
  const made = required(state.subscribe, 'subscribe', state).subscription;
  const now = ports.now();
  // Gone at the provider: over for the entitlement too.
  const cancelled = (await ports.billing.cancelSubscription(made.id)) ?? { ...made, status: 'canceled' as const, canceledAt: now.toISOString(), endedAt: now.toISOString() };
  const outcome = await syncEntitlement(subscriptionFactOf(state, cancelled, 'entitlement-revoked', now), ports.entitlements);
  return { outcome: 'revoked', tier: outcome.outcome === 'entitlement-changed' ? outcome.tier : null };
}

/**
 * Step 6: the ids written back to the CRM, through its workspace port: the deal ← the Odoo order and the billing
 * subscription, the company ← the Odoo partner, the billing customer and the canonical customer. A stage without a CRM
 * writes nothing back.
 */
export async function writeBackToCrm(state: OnboardingState, ports: OnboardingPorts): Promise<{ outcome: 'written' | 'no-crm' }> {
  const crm = ports.crm;
  if (crm === undefined) return { outcome: 'no-crm' };
  const { deal: crmDeal, account } = deal(state);
  if (crm.system !== crmDeal.system) throw new OtherCrmError(`the deal is ${crmDeal.system}'s, the stage writes back to ${crm.system}`);
  const partner = required(state.ensurePartner, 'ensurePartner', state);
  const contract = required(state.verifyContract, 'verifyContract', state);
  const customer = required(state.ensureBillingCustomer, 'ensureBillingCustomer', state);
  const { subscription } = required(state.subscribe, 'subscribe', state);
  await crm.recordDealLinks(crmDeal.id, { odooOrderId: contract.orderId, billingSubscriptionId: subscription.id });
  await crm.recordCompanyLinks(account.id, { odooPartnerId: partner.partnerId, billingCustomerId: customer.customerId, customerId: partner.customerId });
  return { outcome: 'written' };
}
