import type { CanonicalEvent } from '../../../events/catalog';
import { ENTITLEMENT_CHANGED, ENTITLEMENT_CHANGED_VERSION, type EntitlementChanged } from '../../../events/entitlement-changed';
import type { SourceSystem } from '../../../events/envelope';
import {
  type BillingCustomerRef,
  deriveEntitlement,
  type Entitlement,
  type EntitlementInputs,
  entitlementChanged,
  mergeEntitlementInputs,
  withDispute,
  withPayment,
  withPaymentFailure,
  withSubscription,
  withUncollectible,
} from '../../domain/entitlement';
import { type EntitlementStore, entitlementKey } from '../../domain/entitlement-store';
import type { IdentityMap } from '../../domain/identity-map';
import { DependencyMissingError } from '../../domain/invoice-errors';
import { formatMinorUnits } from '../../domain/odoo-document-lines';
import type { BillingLedger } from '../../domain/billing-ledger';
import type { SupportDesk } from '../../domain/support-desk';
import type { SupportLedger } from '../../domain/support-ledger';
import { type AmountFormatter, organizationOf, type SupportPolicy } from '../../domain/support-policy';
import { type Watermark, type WatermarkStore, watermarkOf } from '../../domain/watermark';
import type { CustomerDirectory } from '../../domain/customer-directory';
import type { FlowEvent } from '../../platform/flow-events';
import { underWatermarkLease } from '../../platform/watermark-lease';
import { providerCurrencyExponent } from '../../providers/registry';
import { CANONICAL_CUSTOMER, canonicalCustomerOf, organizationKey } from '../canonical-customer';
import { absorbedCustomers } from '../customer-identity';
import { findPartner } from '../known-partner';

export type EntitlementEvent = FlowEvent<'entitlements'>;

export interface EntitlementFlowPorts {
  readonly store: EntitlementStore;
  readonly watermarks: WatermarkStore;
  readonly identityMap: IdentityMap;
  /** The one-customer directory: a customer joined to another since it was linked is read as the survivor. */
  readonly directory: CustomerDirectory;
  /** The partner of a billing customer by its external id, when the identity map has no link yet. */
  readonly partners: Pick<BillingLedger, 'partnerByExternalId'>;
  readonly ledger: Pick<SupportLedger, 'partnerContact'>;
  /** The stage's support desk; undefined: the entitlement is derived and published with no organization to push. */
  readonly desk: SupportDesk | undefined;
  readonly publish: (events: readonly CanonicalEvent[]) => Promise<void>;
  readonly policy: SupportPolicy;
}

export type EntitlementOutcome =
  | { outcome: 'entitlement-changed'; customer: string; status: Entitlement['status']; tier: string; organizationId: string | null }
  | { outcome: 'entitlement-unchanged'; customer: string }
  | { outcome: 'payment-noted-on-invoice'; invoiceId: string }
  | { outcome: 'no-customer'; reason: string };

/** How an amount reads in an agent's note or field (`20.00 USD`): the provider's decimals for the currency. */
export const formatAmount: AmountFormatter = (invoice, amount, currency) => `${formatMinorUnits(amount, providerCurrencyExponent(invoice.system, currency))} ${currency.toUpperCase()}`;

/**
 * A billing event → the customer's entitlement re-derived from every fact kept about it; when the result changed,
 * the support desk's organization is pushed and `entitlement.changed` published.
 *
 * The customer is the canonical one (the identity flow links each billing customer to it): a customer paying through
 * two providers has one entitlement. The work holds the customer's write lease, so its facts are read, merged and
 * saved by one event at a time; each fact merges commutatively (functions/domain/entitlement.ts), so the order of
 * deliveries does not matter, and a redelivery changes nothing. A crash after the push and before the save repeats
 * the push (create_or_update: idempotent) and the publication (same event id: consumers deduplicate).
 */
export async function syncEntitlement(event: EntitlementEvent, ports: EntitlementFlowPorts): Promise<EntitlementOutcome> {
  const party = await billingCustomerOf(event, ports);
  if ('outcome' in party) return party;
  const customer = await canonicalCustomerOf(ports, party);
  const asOf = watermarkOf(event);
  const revision = await reviseEntitlement(customer, event, ports, async (inputs) => {
    let revised = applyFact(inputs, event, party, asOf);
    if (event.type === 'payment.failed') {
      // A payment that named no customer was recorded on its invoice only: the failure, which names one, meets it here.
      const { paidAt } = await ports.store.claimInvoice({ system: event.data.attempt.system, id: event.data.attempt.invoiceId }, party);
      if (paidAt !== null) revised = withPayment(revised, { system: event.data.attempt.system, customerId: party.customerId, invoiceId: event.data.attempt.invoiceId }, paidAt, asOf);
    }
    return revised;
  });
  if (!revision.changed) return { outcome: 'entitlement-unchanged', customer };
  const { status, tier } = revision.entitlement;
  return { outcome: 'entitlement-changed', customer, status, tier, organizationId: revision.organizationId };
}

/** A revision: the entitlement the facts give now, and whether it changed (pushed to the desk, published). */
export interface EntitlementRevision {
  readonly changed: boolean;
  readonly entitlement: Entitlement;
  /** The desk's organization pushed; null when nothing changed or the stage runs no desk. */
  readonly organizationId: string | null;
}

/** What caused a revision: an event, or a saga's step (its own id, so that its `entitlement.changed` is one of its own). */
export type EntitlementCause = Pick<EntitlementEvent, 'id' | 'source' | 'time' | 'correlationId'>;

/**
 * The one writer of a customer's entitlement: under the customer's write lease, its facts are loaded, `revise`d,
 * the entitlement re-derived and, when it changed, pushed to the support desk's organization and published as
 * `entitlement.changed`. The flow's events and the lifecycle sagas' facts (a dunning's grace over) both go through
 * here, so the standing support sees is always the derivation of every fact, never one writer's word against another's.
 */
export async function reviseEntitlement(
  customer: string,
  cause: EntitlementCause,
  ports: EntitlementFlowPorts,
  revise: (inputs: EntitlementInputs) => Promise<EntitlementInputs> | EntitlementInputs,
): Promise<EntitlementRevision> {
  return underWatermarkLease<EntitlementRevision>(ports.watermarks, entitlementKey(customer), cause.id, async () => {
    const state = await ports.store.load(customer);
    const inputs = await revise(await withJoinedCustomers(ports, customer, state.inputs));
    const entitlement = deriveEntitlement(customer, inputs, ports.policy.entitlements);
    if (!entitlementChanged(state.published, entitlement)) {
      await ports.store.save(customer, cause.id, { ...state, inputs });
      return { result: { changed: false, entitlement, organizationId: null }, commit: entitlement.watermark };
    }

    let organizationId: string | null = null;
    let organizationName = state.organizationName;
    if (ports.desk !== undefined) {
      const partnerId = await partnerOf(entitlement.billingCustomers, ports);
      // The first push creates the organization: its name, and its billing contact as a user, are the partner's.
      const contact = organizationName === undefined ? await ports.ledger.partnerContact(partnerId) : undefined;
      organizationName ??= contact?.name ?? `Customer ${customer}`;
      const push = await ports.desk.upsertOrganization(organizationOf(entitlement, { name: organizationName, odooPartnerId: partnerId, policy: ports.policy, format: formatAmount }));
      organizationId = push.organizationId;
      if (contact?.email !== undefined) await ports.desk.linkContact(push.organizationId, { name: contact.name, email: contact.email });
      // The ticket flow finds the customer of a ticket's organization by this link.
      await ports.identityMap.link(organizationKey(ports.desk.system, push.organizationId), { ...CANONICAL_CUSTOMER, id: customer });
    }
    await ports.publish([entitlementChangedEvent(cause, entitlement, state.published)]);
    await ports.store.save(customer, cause.id, { inputs, published: entitlement, organizationName });
    return { result: { changed: true, entitlement, organizationId }, commit: entitlement.watermark };
  });
}

/**
 * The customer's facts with those of every customer joined into it (two customers found to be one company): the
 * survivor is entitled by what both paid for and owe. Folded in at each event, not once: facts merge commutatively
 * and idempotently, so a fact folded in before changes nothing, and one an event saved to the absorbed customer while
 * the join was being made is not lost.
 */
async function withJoinedCustomers(ports: EntitlementFlowPorts, customer: string, inputs: EntitlementInputs): Promise<EntitlementInputs> {
  let merged = inputs;
  for (const absorbed of await absorbedCustomers(ports.directory, customer)) merged = mergeEntitlementInputs(merged, (await ports.store.load(absorbed)).inputs);
  return merged;
}

/** The billing customer an event is about: named by the event, or by the invoice a failure named earlier. */
async function billingCustomerOf(event: EntitlementEvent, ports: EntitlementFlowPorts): Promise<BillingCustomerRef | Extract<EntitlementOutcome, { outcome: 'payment-noted-on-invoice' | 'no-customer' }>> {
  switch (event.type) {
    case 'subscription.updated':
      return { system: event.data.subscription.system, customerId: event.data.subscription.customerId };
    case 'payment.failed':
      return { system: event.data.attempt.system, customerId: event.data.attempt.customerId };
    case 'invoice.uncollectible':
      return { system: event.data.invoice.system, customerId: event.data.invoice.customerId };
    case 'payment.succeeded': {
      const { payment } = event.data;
      // Recorded on the invoice either way: a failure of it delivered later must find it settled.
      const { owner } = await ports.store.recordInvoicePayment({ system: payment.system, id: payment.invoiceId }, payment.paidAt);
      if (payment.customerId !== null) return { system: payment.system, customerId: payment.customerId };
      // Most payments follow no failure: an invoice no failure named changes no entitlement.
      return owner ?? { outcome: 'payment-noted-on-invoice', invoiceId: payment.invoiceId };
    }
    case 'dispute.updated': {
      const { dispute } = event.data;
      if (dispute.customerId !== null) return { system: dispute.system, customerId: dispute.customerId };
      const owner = dispute.invoiceId === null ? undefined : await ports.store.invoiceOwner({ system: dispute.system, id: dispute.invoiceId });
      if (owner !== undefined) return owner;
      // The provider names neither the customer nor an invoice a failure named: billing-sync resolves it from the
      // charge; the entitlement cannot, and says so rather than guess.
      return { outcome: 'no-customer', reason: `dispute ${dispute.id} names no customer and no invoice of a known customer` };
    }
  }
}

function applyFact(inputs: EntitlementInputs, event: EntitlementEvent, party: BillingCustomerRef, asOf: Watermark): EntitlementInputs {
  switch (event.type) {
    case 'subscription.updated':
      return withSubscription(inputs, event.data.subscription, event.time, asOf);
    case 'payment.failed': {
      const { attempt } = event.data;
      return withPaymentFailure(inputs, { system: attempt.system, customerId: attempt.customerId, invoiceId: attempt.invoiceId, amountDue: attempt.amountDue, currency: attempt.currency, failureReason: attempt.failureReason }, event.time, asOf);
    }
    case 'payment.succeeded':
      return withPayment(inputs, { system: event.data.payment.system, customerId: party.customerId, invoiceId: event.data.payment.invoiceId }, event.data.payment.paidAt, asOf);
    case 'invoice.uncollectible':
      return withUncollectible(inputs, event.data.invoice, event.data.invoice.markedAt, asOf);
    case 'dispute.updated': {
      const { dispute } = event.data;
      const outcome = dispute.outcome ?? (dispute.closed ? (dispute.status === 'lost' ? 'lost' : 'won') : null);
      return withDispute(
        inputs,
        { system: dispute.system, customerId: party.customerId, id: dispute.id, invoiceId: dispute.invoiceId, amount: dispute.amount, currency: dispute.currency, closed: dispute.closed, outcome, updatedAt: dispute.updatedAt },
        asOf,
      );
    }
  }
}

/** The Odoo partner of the customer (its first billing customer's): the organization shows it, so it waits for it. */
async function partnerOf(customers: readonly BillingCustomerRef[], ports: EntitlementFlowPorts): Promise<number> {
  for (const customer of customers) {
    const partnerId = await findPartner({ identityMap: ports.identityMap, ledger: ports.partners }, { system: customer.system, customerId: customer.customerId });
    if (partnerId !== undefined) return partnerId;
  }
  throw new DependencyMissingError(`none of ${customers.map((ref) => `${ref.system}:${ref.customerId}`).join(', ')} is in Odoo yet (the customer flow syncs it first)`);
}

function entitlementChangedEvent(cause: EntitlementCause, entitlement: Entitlement, previous: Entitlement | undefined): EntitlementChanged {
  const source: SourceSystem = cause.source;
  return {
    id: `${ENTITLEMENT_CHANGED}:${entitlement.customer}:${cause.id}`,
    type: ENTITLEMENT_CHANGED,
    source,
    subject: `${CANONICAL_CUSTOMER.system}:${CANONICAL_CUSTOMER.kind}:${entitlement.customer}`,
    time: cause.time,
    correlationId: cause.correlationId,
    causationId: cause.id,
    dataVersion: ENTITLEMENT_CHANGED_VERSION,
    data: {
      entitlement: { ...entitlement, billingCustomers: [...entitlement.billingCustomers], mrr: [...entitlement.mrr], openInvoices: [...entitlement.openInvoices] },
      previous: previous === undefined ? null : { status: previous.status, tier: previous.tier, plan: previous.plan },
    },
  };
}
