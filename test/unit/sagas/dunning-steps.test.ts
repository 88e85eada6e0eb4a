import { describe, expect, it } from 'vitest';
import type { PaymentFailed } from '../../../events/payment-failed';
import type { AccountStandingLedger } from '../../../functions/domain/account-standing';
import type { BillingConfig } from '../../../functions/domain/billing-config';
import { isRetryable } from '../../../functions/platform/errors';
import type { DunningState } from '../../../functions/sagas/dunning/dunning-state';
import { type DunningPorts, InvoiceUnknownAtProviderError, markPastDue, recheckInvoice, restore, suspend, withdrawPastDue } from '../../../functions/sagas/dunning/dunning-steps';
import { InMemoryBillingSource, InMemoryLedger } from '../../support/in-memory-billing';
import { InMemoryIdentityMap, InMemoryPartners, InMemoryWatermarks } from '../../support/in-memory-ports';

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

function ports() {
  const ledger = new InMemoryLedger();
  const source = new InMemoryBillingSource();
  source.customers.set('cus_1', { system: 'stripe', id: 'cus_1', name: 'Acme', email: 'billing@acme.example', phone: null, address: null, currency: 'usd', livemode: false });
  let now = FAILED_AT;
  const p: DunningPorts & { ledger: InMemoryLedger; source: InMemoryBillingSource; at(instant: Date): void } = {
    ledger, source, partners: new InMemoryPartners(), identityMap: new InMemoryIdentityMap(), watermarks: new InMemoryWatermarks(), config: CONFIG,
    standing: standingOver(ledger),
    settings: { graceSeconds: GRACE_SECONDS, suspendedTag: 'Suspended' },
    now: () => now,
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
});
