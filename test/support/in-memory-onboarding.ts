import type { SubscriptionSnapshot } from '../../events/subscription-updated';
import type { BillingAccounts, BillingCustomerDraft, SubscriptionDraft } from '../../functions/domain/billing-accounts';
import type { CrmCompanyLinks, CrmDealLinks, CrmLifecycle, CrmTaskRequest, CrmWorkspace } from '../../functions/domain/crm-workspace';
import { PermanentSyncError } from '../../functions/platform/errors';

/** A provider refusing a write for good (what a 4xx is at the real ones). */
export class RefusedWriteError extends PermanentSyncError {
  override name = 'RefusedWriteError';
}

/**
 * A billing provider for the onboarding saga's tests: customers and subscriptions in memory, creates keyed as Stripe
 * keys them (the same key → the first answer), a refusal on demand per operation, and every call counted.
 */
export class InMemoryOnboardingBilling implements BillingAccounts {
  readonly system = 'stripe' as const;
  readonly customers = new Map<string, { draft: BillingCustomerDraft; deleted: boolean }>();
  readonly subscriptions = new Map<string, SubscriptionSnapshot>();
  readonly refuse = new Set<'customer' | 'subscription'>();
  private readonly byKey = new Map<string, unknown>();
  private next = 1;

  async ensureCustomer(draft: BillingCustomerDraft, existingCustomerId: string | undefined, idempotencyKey: string) {
    if (existingCustomerId !== undefined && this.customers.get(existingCustomerId)?.deleted === false) return { customerId: existingCustomerId, created: false };
    if (this.refuse.has('customer')) throw new RefusedWriteError('customer refused');
    const replay = this.byKey.get(idempotencyKey) as string | undefined;
    if (replay !== undefined) return { customerId: replay, created: true };
    const id = `cus_${this.next++}`;
    this.customers.set(id, { draft, deleted: false });
    this.byKey.set(idempotencyKey, id);
    return { customerId: id, created: true };
  }

  async createSubscription(draft: SubscriptionDraft, idempotencyKey: string): Promise<SubscriptionSnapshot> {
    if (this.refuse.has('subscription')) throw new RefusedWriteError('subscription refused');
    const replay = this.byKey.get(idempotencyKey) as SubscriptionSnapshot | undefined;
    if (replay !== undefined) return replay;
    const id = `sub_${this.next++}`;
    const snapshot: SubscriptionSnapshot = {
      system: 'stripe', account: null, customerId: draft.customerId, id, status: 'active', currency: 'eur',
      items: draft.items.map((item, index) => ({ id: `si_${id}_${index}`, priceId: item.priceId, productId: null, description: null, quantity: item.quantity, unitAmount: 60025, interval: 'month', intervalCount: 1 })),
      currentPeriodStart: null, currentPeriodEnd: null, cancelAtPeriodEnd: false, canceledAt: null, endedAt: null, livemode: false,
    };
    this.subscriptions.set(id, snapshot);
    this.byKey.set(idempotencyKey, snapshot);
    return snapshot;
  }

  async cancelSubscription(subscriptionId: string) {
    const subscription = this.subscriptions.get(subscriptionId);
    if (subscription === undefined) return undefined;
    const cancelled: SubscriptionSnapshot = subscription.status === 'canceled' ? subscription : { ...subscription, status: 'canceled', canceledAt: '2026-12-03T12:00:00.000Z', endedAt: '2026-12-03T12:00:00.000Z' };
    this.subscriptions.set(subscriptionId, cancelled);
    return cancelled;
  }

  async deleteCustomer(customerId: string) {
    const customer = this.customers.get(customerId);
    if (customer === undefined || customer.deleted) return 'not-found' as const;
    customer.deleted = true;
    return 'deleted' as const;
  }

  live(): { customers: string[]; subscriptions: string[] } {
    return {
      customers: [...this.customers].filter(([, customer]) => !customer.deleted).map(([id]) => id),
      subscriptions: [...this.subscriptions.values()].filter((subscription) => subscription.status !== 'canceled').map((subscription) => subscription.id),
    };
  }
}

/** The CRM workspace for the onboarding saga's tests: links and notes as the CRM would show them, a refusal on demand. */
export class InMemoryOnboardingCrm implements CrmWorkspace {
  readonly system = 'hubspot' as const;
  readonly companies = new Map<string, CrmCompanyLinks>();
  readonly deals = new Map<string, CrmDealLinks>();
  readonly notes = new Map<string, { dealId: string; text: string }>();
  refuse = false;

  async recordCompanyLinks(companyId: string, links: CrmCompanyLinks) {
    if (this.refuse) throw new RefusedWriteError('company refused');
    this.companies.set(companyId, { ...this.companies.get(companyId), ...links });
  }
  async setCompanyLifecycle(_companyId: string, _lifecycle: CrmLifecycle) {
    throw new Error('the onboarding sets no lifecycle');
  }
  async recordDealLinks(dealId: string, links: CrmDealLinks) {
    if (this.refuse) throw new RefusedWriteError('deal refused');
    this.deals.set(dealId, { ...this.deals.get(dealId), ...links });
  }
  async noteOnDeal(dealId: string, note: { key: string; text: string }) {
    if (!this.notes.has(note.key)) this.notes.set(note.key, { dealId, text: note.text });
  }
  async noteOnCompany(_companyId: string, _note: { key: string; text: string }) {
    throw new Error('the onboarding notes no company');
  }
  async openTask(_task: CrmTaskRequest): Promise<{ taskId: string }> {
    throw new Error('the onboarding opens no task');
  }
  async completeTask(_taskId: string) {
    throw new Error('the onboarding completes no task');
  }
}
