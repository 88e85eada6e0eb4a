import { describe, expect, it } from 'vitest';
import type { PaymentFailed } from '../../../events/payment-failed';
import type { AccountStandingLedger } from '../../../functions/domain/account-standing';
import type { BillingConfig } from '../../../functions/domain/billing-config';
import { isRetryable } from '../../../functions/platform/errors';
import type { DunningState } from '../../../functions/sagas/dunning/dunning-state';
import { NO_INPUTS, withSubscription } from '../../../functions/domain/entitlement';
import type { SupportPolicy } from '../../../functions/domain/support-policy';
import {
  completeOwnerTask,
  type DunningPorts,
  entitlementPastDue,
  InvoiceUnknownAtProviderError,
  markPastDue,
  openOwnerTask,
  recheckInvoice,
  restore,
  restoreEntitlement,
  suspend,
  suspendEntitlement,
  withdrawPastDue,
} from '../../../functions/sagas/dunning/dunning-steps';
import { InMemoryBillingSource, InMemoryLedger } from '../../support/in-memory-billing';
import { InMemoryLifecycleCrm } from '../../support/in-memory-lifecycle-crm';
import { InMemoryCustomerDirectory, InMemoryIdentityMap, InMemoryPartners, InMemoryWatermarks, customerIdentityTestPorts } from '../../support/in-memory-ports';
import { InMemoryEntitlementStore, InMemorySupportDesk, InMemorySupportLedger } from '../../support/in-memory-support';

const CONFIG: BillingConfig = {
  companies: [{ account: '*', currency: '*', companyId: 1, salesJournalId: 1, bankJournalId: 6 }],
  taxes: [],
  writeOffUncollectible: false,
  standingTags: { pastDue: 'Past due', disputed: 'Disputed', uncollectible: 'Uncollectible' },
};
const GRACE_SECONDS = 3600;
const FAILED_AT = new Date('2026-11-05T10:00:00Z');

const failure: PaymentFailed = {
  id: 'stripe:evt_fail:payment.failed', source: 'stripe', subject: 'stripe:invoice:in_1', time: FAILED_AT.toISOString(),
  correlationId: 'stripe:evt_fail', causationId: 'evt_fail', dataVersion: 1, type: 'payment.failed',
  data: { attempt: { system: 'stripe', account: null, customerId: 'cus_1', invoiceId: 'in_1', amountDue: 4900, currency: 'usd', attemptCount: 1, failureReason: 'card_declined', nextAttemptAt: null } },
};

/** The standing port over the in-memory ledger's tags, as the Odoo adapter is over the Odoo ledger's. */
function standingOver(ledger: InMemoryLedger): AccountStandingLedger {
  return {
    hasTag: async (partnerId, name) => ledger.partnerHasTag(partnerId, await ledger.tagId(name)),
    addTag: async (partnerId, name) => ledger.addPartnerTag(partnerId, await ledger.tagId(name)),
    removeTag: async (partnerId, name) => ledger.removePartnerTag(partnerId, await ledger.tagId(name)),
    note: (model, id, body) => ledger.note(model, id, body),
  };
}

const POLICY: SupportPolicy = {
  entitlements: { tiers: ['none', 'standard', 'premium'], noneTier: 'none', unmappedTier: 'standard', plans: [{ plan: 'Team', tier: 'standard', priceIds: ['price_team'] }] },
  tagPrefix: 'saas_',
  escalation: { tierPriorities: [], pastDueTag: 'billing_past_due' },
};

function ports(options: { crmCompany?: string; crm?: boolean } = {}) {
  const ledger = new InMemoryLedger();
  const partners = new InMemoryPartners();
  const source = new InMemoryBillingSource();
  const identityMap = new InMemoryIdentityMap();
  const watermarks = new InMemoryWatermarks();
  const directory = new InMemoryCustomerDirectory();
  const desk = new InMemorySupportDesk();
  const crm = new InMemoryLifecycleCrm();
  const published: string[] = [];
  // The identity flow linked the billing customer to its canonical customer (and the CRM flow its company).
  void identityMap.link('stripe:customer:cus_1', { system: 'saas_sync', kind: 'customer', id: 'cust-1' });
  void identityMap.link('stripe:customer:cus_1', { system: 'odoo', kind: 'res.partner', id: '42' });
  // The customer subscribes to Team (the entitlements flow kept the fact).
  const store = new InMemoryEntitlementStore(watermarks);
  store.states.set('cust-1', {
    inputs: withSubscription(NO_INPUTS, { system: 'stripe', account: null, customerId: 'cus_1', id: 'sub_1', status: 'active', currency: 'usd', items: [{ id: 'si_1', priceId: 'price_team', productId: null, description: null, quantity: 1, unitAmount: 4900, interval: 'month', intervalCount: 1 }], currentPeriodStart: null, currentPeriodEnd: null, cancelAtPeriodEnd: false, canceledAt: null, endedAt: null, livemode: false }, '2026-10-01T00:00:00Z', '2026-10-01T00:00:00.000Z|evt_sub'),
    published: undefined,
    organizationName: 'Acme',
  });
  if (options.crmCompany !== undefined) directory.holders.set(`hubspot:account:${options.crmCompany}`, 'cust-1');
  source.customers.set('cus_1', { system: 'stripe', id: 'cus_1', name: 'Acme', email: 'billing@acme.example', phone: null, address: null, currency: 'usd', livemode: false, links: [], taxId: null });
  let now = FAILED_AT;
  const p: DunningPorts & { ledger: InMemoryLedger; source: InMemoryBillingSource; desk: InMemorySupportDesk; crmWorkspace: InMemoryLifecycleCrm; published: string[]; at(instant: Date): void } = {
    ledger, source, partners, ...customerIdentityTestPorts(partners), identityMap, watermarks, config: CONFIG,
    standing: standingOver(ledger),
    settings: { graceSeconds: GRACE_SECONDS, suspendedTag: 'Suspended' },
    now: () => now,
    entitlements: {
      store, watermarks, identityMap, directory, partners: { partnerByExternalId: async () => undefined },
      ledger: new InMemorySupportLedger(), desk, policy: POLICY,
      publish: async (events) => void published.push(...events.map((event) => event.id)),
    },
    crm: options.crm === false ? undefined : crm,
    desk, crmWorkspace: crm, published,
    at: (instant) => {
      now = instant;
    },
  };
  return p;
}

function unpaidInvoice(amountRemaining: number) {
  return {
    system: 'stripe' as const, account: null, customerId: 'cus_1', id: 'in_1', number: null, subscriptionId: null, currency: 'usd', issuedAt: '2026-11-01T10:00:00Z', dueAt: null,
    billingReason: 'manual', lines: [], subtotal: 4900, totalDiscount: 0, totalTax: 0, total: 4900, amountPaid: 4900 - amountRemaining, amountRemaining, livemode: false,
  };
}

async function tagsOf(p: ReturnType<typeof ports>, partnerId: number): Promise<string[]> {
  const names = [];
  for (const name of ['Past due', 'Suspended']) if (await p.standing.hasTag(partnerId, name)) names.push(name);
  return names;
}
const notesOf = (p: ReturnType<typeof ports>) => p.ledger.notes.map((note) => note.body);

async function pastDueState(p: ReturnType<typeof ports>): Promise<DunningState & { markPastDue: { outcome: 'flagged-past-due'; partnerId: number; graceEndsAt: string } }> {
  const state: DunningState = { sagaId: 'run-1', event: failure };
  const marked = await markPastDue(state, p);
  if (marked.outcome !== 'flagged-past-due') throw new Error('expected the customer flagged');
  return { ...state, markPastDue: marked };
}

describe('dunning steps', () => {
  it('marks the customer past due with the billing flow’s note, and starts the grace from now', async () => {
    const p = ports();
    const state = await pastDueState(p);

    expect(state.markPastDue.graceEndsAt).toBe('2026-11-05T11:00:00.000Z');
    expect(await tagsOf(p, state.markPastDue.partnerId)).toEqual(['Past due']);
    expect(notesOf(p)).toEqual([expect.stringMatching(/^Payment failed for invoice in_1 \(49\.00 USD due, attempt 1\): card_declined\./)]);
  });

  it('re-checks the invoice at the provider: waiting within the grace, unpaid after it, paid as soon as nothing remains', async () => {
    const p = ports();
    const state = await pastDueState(p);
    p.source.invoices.set('in_1', unpaidInvoice(4900));

    p.at(new Date('2026-11-05T10:30:00Z'));
    expect(await recheckInvoice(state, p)).toMatchObject({ outcome: 'waiting', amountRemaining: 4900 });
    p.at(new Date('2026-11-05T11:00:00Z'));
    expect(await recheckInvoice(state, p)).toMatchObject({ outcome: 'unpaid', amountRemaining: 4900 });
    p.source.invoices.set('in_1', unpaidInvoice(0));
    p.at(new Date('2026-11-05T10:10:00Z'));
    expect(await recheckInvoice(state, p)).toMatchObject({ outcome: 'paid', amountRemaining: 0 });
  });

  it('fails for good (not retried) on an invoice the provider does not know', async () => {
    const p = ports();
    const state = await pastDueState(p);

    const error = await recheckInvoice(state, p).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(InvoiceUnknownAtProviderError);
    expect(isRetryable(error)).toBe(false);
  });

  it('suspends once: a repeated step changes and notes nothing', async () => {
    const p = ports();
    const state = { ...(await pastDueState(p)), recheckInvoice: { outcome: 'unpaid' as const, amountRemaining: 2500, checkedAt: '2026-11-05T11:00:00Z' } };

    expect(await suspend(state, p)).toMatchObject({ outcome: 'suspended' });
    expect(await suspend(state, p)).toMatchObject({ outcome: 'already-suspended' });

    expect(await tagsOf(p, state.markPastDue.partnerId)).toEqual(['Past due', 'Suspended']);
    expect(notesOf(p).filter((note) => note.startsWith('Suspended:'))).toEqual(['Suspended: invoice in_1 is still unpaid (25.00 USD) at the end of the grace period.']);
  });

  it('restores a customer who paid: past due and suspended cleared with notes, once', async () => {
    const p = ports();
    const state = await pastDueState(p);
    await p.standing.addTag(state.markPastDue.partnerId, 'Suspended');

    expect(await restore(state, p)).toMatchObject({ outcome: 'restored' });
    expect(await restore(state, p)).toMatchObject({ outcome: 'already-restored' });

    expect(await tagsOf(p, state.markPastDue.partnerId)).toEqual([]);
    expect(notesOf(p).slice(1)).toEqual(['Invoice in_1 was paid: suspension lifted.', 'Invoice in_1 was paid during the grace period. Standing “Past due” cleared.']);
  });

  it('withdraws the standing with the failed step’s reason, and undoing again is a no-op', async () => {
    const p = ports();
    const state = { ...(await pastDueState(p)), failure: { Error: 'PermanentSyncError', Cause: 'InvoiceUnknownAtProviderError: invoice in_1 is unknown to Stripe' } };

    expect(await withdrawPastDue(state, p)).toEqual({ outcome: 'withdrawn' });
    await withdrawPastDue(state, p);

    expect(await tagsOf(p, state.markPastDue.partnerId)).toEqual([]);
    expect(notesOf(p).slice(1)).toEqual(['Dunning of invoice in_1 stopped: InvoiceUnknownAtProviderError: invoice in_1 is unknown to Stripe. Standing “Past due” cleared.']);
    expect(await withdrawPastDue({ sagaId: 'run-2', event: failure }, p)).toEqual({ outcome: 'nothing-to-undo' });
  });

  it('puts the entitlement past due through the entitlements flow’s code: the desk shows it, and the flow’s own delivery changes nothing more', async () => {
    const p = ports();
    const state = await pastDueState(p);

    const result = await entitlementPastDue(state, p);

    expect(result).toEqual({ customer: 'cust-1', standing: 'past_due', changed: true });
    expect(p.desk.organizations.get('cust-1')?.fields.standing).toBe('past_due');
    // The same failure again (the flow's delivery, a repeated step): one push, one entitlement.changed.
    expect(await entitlementPastDue(state, p)).toEqual({ customer: 'cust-1', standing: 'past_due', changed: false });
    expect(p.desk.pushes).toBe(1);
    expect(p.published).toHaveLength(1);
  });

  it('opens one task for the owner of the customer’s CRM company, and completes it once the invoice is paid', async () => {
    const p = ports({ crmCompany: '777' });
    const marked = await pastDueState(p);
    const state = { ...marked, entitlementPastDue: await entitlementPastDue(marked, p) };

    const task = await openOwnerTask(state, p);
    expect(await openOwnerTask(state, p)).toEqual(task);

    expect(task).toEqual({ outcome: 'opened', taskId: 'task-1', companyId: '777' });
    expect([...p.crmWorkspace.tasks.values()]).toEqual([
      expect.objectContaining({ key: 'dunning:run-1', companyId: '777', subject: 'Payment failed: invoice in_1 (49.00 USD)', body: expect.stringContaining('paid by 2026-11-05 11:00 UTC'), completed: false }),
    ]);
    expect(await completeOwnerTask({ ...state, openOwnerTask: task }, p)).toEqual({ outcome: 'completed' });
    expect(p.crmWorkspace.tasks.get('task-1')?.completed).toBe(true);
  });

  it('gives no task when the customer has no CRM company or the stage no CRM, and has none to complete', async () => {
    for (const p of [ports(), ports({ crm: false, crmCompany: '777' })]) {
      const marked = await pastDueState(p);
      const state = { ...marked, entitlementPastDue: await entitlementPastDue(marked, p) };
      const task = await openOwnerTask(state, p);
      expect(task).toMatchObject({ outcome: 'no-crm-company' });
      expect(await completeOwnerTask({ ...state, openOwnerTask: task }, p)).toEqual({ outcome: 'no-task' });
      expect(p.crmWorkspace.tasks.size).toBe(0);
    }
  });

  it('suspends the entitlement when the grace ends unpaid, once; a later payment makes it active again', async () => {
    const p = ports();
    const marked = await pastDueState(p);
    const state = { ...marked, entitlementPastDue: await entitlementPastDue(marked, p), recheckInvoice: { outcome: 'unpaid' as const, amountRemaining: 4900, checkedAt: '2026-11-05T11:00:05.000Z' } };

    expect(await suspendEntitlement(state, p)).toEqual({ customer: 'cust-1', standing: 'suspended', changed: true });
    expect(await suspendEntitlement(state, p)).toEqual({ customer: 'cust-1', standing: 'suspended', changed: false });
    expect(p.desk.organizations.get('cust-1')?.fields).toMatchObject({ standing: 'suspended', standingSince: expect.stringContaining('2026-11-05') });
    expect(p.desk.organizations.get('cust-1')?.managedTags).toContain('saas_standing_suspended');
    // entitlement.changed, once for the failure and once for the suspension (the step's own id).
    expect(p.published).toEqual([expect.stringContaining('stripe:evt_fail'), expect.stringContaining('run-1:SuspendEntitlement')]);
  });

  it('restores the entitlement when the provider says the invoice is paid', async () => {
    const p = ports();
    const marked = await pastDueState(p);
    const state = { ...marked, entitlementPastDue: await entitlementPastDue(marked, p), recheckInvoice: { outcome: 'paid' as const, amountRemaining: 0, checkedAt: '2026-11-05T10:20:00.000Z' } };

    expect(await restoreEntitlement(state, p)).toEqual({ customer: 'cust-1', standing: 'active', changed: true });
    expect(p.desk.organizations.get('cust-1')?.fields.standing).toBe('active');
  });
});
