import { describe, expect, it } from 'vitest';
import type { DisputeUpdated } from '../../../../events/dispute-updated';
import type { BillingConfig } from '../../../../functions/domain/billing-config';
import { DependencyMissingError } from '../../../../functions/domain/invoice-errors';
import { type DisputeSyncPorts, syncDisputeUpdated } from '../../../../functions/flows/billing-sync/dispute-sync';
import { isRetryable } from '../../../../functions/platform/errors';
import { InMemoryLedger } from '../../../support/in-memory-billing';
import { InMemoryIdentityMap, InMemoryWatermarks, customerIdentityTestPorts } from '../../../support/in-memory-ports';
import { InMemoryStanding } from '../../../support/in-memory-contracts';

const CUSTOMER = 'cus_DSP1';
const PARTNER_ID = 557;
const USD = { id: 1, code: 'USD', decimalPlaces: 2 };
const config: BillingConfig = {
  companies: [{ account: null, currency: '*', companyId: 1, salesJournalId: 1, bankJournalId: 6 }],
  taxes: [],
  writeOffUncollectible: false,
  standingTags: { pastDue: 'Past due', disputed: 'Disputed', uncollectible: 'Uncollectible' },
};

type Dispute = DisputeUpdated['data']['dispute'];
const dispute = (status: string, closed: boolean, overrides: Partial<Dispute> = {}): Dispute => ({
  system: 'stripe', account: null, id: 'dp_1', chargeId: 'ch_1', paymentIntentId: 'pi_1', invoiceId: 'in_1', customerId: CUSTOMER,
  amount: 4999, currency: 'usd', reason: 'fraudulent', status, closed, updatedAt: '2026-11-10T10:00:00Z', ...overrides,
});
const updated = (second: number, data: Dispute): DisputeUpdated => ({
  id: `stripe:evt_${second}:dispute.updated`, type: 'dispute.updated', source: 'stripe', subject: `stripe:dispute:${data.id}`,
  time: new Date(Date.UTC(2026, 10, 10, 10, 0, second)).toISOString(), correlationId: `stripe:evt_${second}`, causationId: `evt_${second}`,
  dataVersion: 1, data: { dispute: data },
});

async function ports(options: { invoiceTotal?: number | null } = {}) {
  const ledger = new InMemoryLedger();
  ledger.partnerExternalIds.set(`saas_sync.stripe_customer_${CUSTOMER}`, PARTNER_ID);
  const total = options.invoiceTotal === undefined ? 4999 : options.invoiceTotal;
  let invoiceId: number | undefined;
  if (total !== null) {
    ({ id: invoiceId } = await ledger.createPostedDocument({
      moveType: 'out_invoice', ref: 'in_1', partnerId: PARTNER_ID, companyId: 1, journalId: 1, currency: USD, invoiceDate: '2026-11-01', dueDate: null,
      lines: [{ line: { sourceLineId: null, priceId: null, name: 'Pro', quantity: 1, priceUnit: total / 100, taxIds: [], untaxed: total, tax: 0 } }],
    }));
  }
  const standing = new InMemoryStanding();
  const all: DisputeSyncPorts = { ledger, standing, identityMap: new InMemoryIdentityMap(), ...customerIdentityTestPorts(), watermarks: new InMemoryWatermarks(), config };
  return { ledger, standing, all, invoiceId };
}

const creditNotes = (ledger: InMemoryLedger) => [...ledger.moves.values()].filter((move) => move.moveType === 'out_refund');

describe('dispute.updated → account standing and, when lost, a credit note', () => {
  it('flags the partner while open, with a note giving amount and reason on the partner and on the invoice', async () => {
    // Prepare
    const p = await ports();
    // Act
    const outcome = await syncDisputeUpdated(updated(1, dispute('needs_response', false)), p.all);
    // Assess
    expect(outcome).toEqual({ outcome: 'flagged', partnerId: PARTNER_ID, invoiceMoveId: p.invoiceId });
    expect(p.standing.tagsOf(PARTNER_ID)).toEqual(['Disputed']);
    expect(p.standing.notes.map(({ model, id }) => [model, id])).toEqual([['res.partner', PARTNER_ID], ['account.move', p.invoiceId]]);
    expect(p.standing.notes[0]?.body).toContain('49.99 USD, reason: fraudulent');
  });

  it.each([
    ['open, then lost', [1, 2]],
    ['lost, then open (delivered late)', [2, 1]],
    ['open, lost, both again', [1, 2, 1, 2]],
    ['lost twice, open in between', [2, 1, 2]],
  ])('%s → the tag removed and exactly one credit note of the disputed amount', async (_name, order) => {
    // Prepare
    const p = await ports();
    const events = new Map([[1, updated(1, dispute('needs_response', false))], [2, updated(2, dispute('lost', true))]]);
    // Act
    for (const second of order) await syncDisputeUpdated(events.get(second)!, p.all);
    // Assess
    const notes = creditNotes(p.ledger);
    expect(notes).toHaveLength(1);
    expect(p.ledger.totalOf(notes[0]!)).toBe(4999);
    expect(notes[0]?.reversedEntryId).toBe(p.invoiceId);
    expect(p.standing.tagsOf(PARTNER_ID)).toEqual([]);
  });

  it('a lost dispute whose invoice is still a draft (being posted by its own event) waits for it (retryable), then credits it', async () => {
    // Prepare
    const p = await ports();
    p.ledger.moves.get(p.invoiceId!)!.state = 'draft';
    // Act
    const early = await syncDisputeUpdated(updated(1, dispute('lost', true)), p.all).catch((caught: unknown) => caught);
    p.ledger.moves.get(p.invoiceId!)!.state = 'posted';
    const retried = await syncDisputeUpdated(updated(1, dispute('lost', true)), p.all);
    // Assess
    expect(early).toBeInstanceOf(DependencyMissingError);
    expect(isRetryable(early)).toBe(true);
    expect(retried).toMatchObject({ outcome: 'lost', invoiceMoveId: p.invoiceId });
    expect(creditNotes(p.ledger)).toHaveLength(1);
    expect(p.standing.tagsOf(PARTNER_ID)).toEqual([]);
  });

  it('takes back only the disputed amount of a partly disputed invoice (an out_refund of exactly that amount)', async () => {
    // Prepare
    const p = await ports({ invoiceTotal: 10000 });
    // Act
    const outcome = await syncDisputeUpdated(updated(1, dispute('lost', true, { amount: 3333 })), p.all);
    // Assess
    expect(outcome).toMatchObject({ outcome: 'lost', reversal: 'partial' });
    const [note] = creditNotes(p.ledger);
    expect(p.ledger.totalOf(note!)).toBe(3333);
    expect(note?.ref).toBe('Lost dispute dp_1');
  });

  it('finds the credit note of an attempt that crashed before remembering it, instead of making a second', async () => {
    // Prepare
    const p = await ports();
    await syncDisputeUpdated(updated(2, dispute('lost', true)), p.all);
    const fresh = { ...p.all, identityMap: new InMemoryIdentityMap(), ...customerIdentityTestPorts(), watermarks: new InMemoryWatermarks() };
    // Act
    const outcome = await syncDisputeUpdated(updated(2, dispute('lost', true)), fresh);
    // Assess
    expect(outcome).toMatchObject({ outcome: 'lost', reversal: 'existing' });
    expect(creditNotes(p.ledger)).toHaveLength(1);
  });

  it('clears the flag of a won dispute without touching the money', async () => {
    const p = await ports();
    await syncDisputeUpdated(updated(1, dispute('needs_response', false)), p.all);
    const outcome = await syncDisputeUpdated(updated(2, dispute('won', true)), p.all);
    expect(outcome).toMatchObject({ outcome: 'won' });
    expect(p.standing.tagsOf(PARTNER_ID)).toEqual([]);
    expect(creditNotes(p.ledger)).toEqual([]);
  });

  it('only flags the partner, and says so, while the invoice is not in Odoo; a lost one waits for the invoice (retryable), booking nothing by hand', async () => {
    // Prepare
    const p = await ports({ invoiceTotal: null });
    // Act
    const open = await syncDisputeUpdated(updated(1, dispute('needs_response', false)), p.all);
    const lost = await syncDisputeUpdated(updated(2, dispute('lost', true)), p.all).catch((caught: unknown) => caught);
    // Assess
    expect(open).toEqual({ outcome: 'flagged', partnerId: PARTNER_ID });
    expect(lost).toBeInstanceOf(DependencyMissingError);
    expect(isRetryable(lost)).toBe(true);
    expect(p.standing.tagsOf(PARTNER_ID)).toEqual(['Disputed']);
    expect(p.standing.notes).toHaveLength(1);
    expect(p.standing.notes[0]?.model).toBe('res.partner');
    expect(p.standing.notes[0]?.body).toContain('invoice in_1 is not in Odoo');
    expect(creditNotes(p.ledger)).toEqual([]);
  });

  it('retries, writing nothing, when the customer is not in Odoo yet', async () => {
    const p = await ports();
    p.ledger.partnerExternalIds.clear();
    const error = await syncDisputeUpdated(updated(1, dispute('needs_response', false)), p.all).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DependencyMissingError);
    expect(isRetryable(error)).toBe(true);
    expect(p.standing.notes).toEqual([]);
    expect(p.all.watermarks instanceof InMemoryWatermarks && p.all.watermarks.leases.size).toBe(0);
  });

  it('refuses (permanently, before any write) a lost dispute larger than its invoice', async () => {
    const p = await ports({ invoiceTotal: 2000 });
    const error = await syncDisputeUpdated(updated(1, dispute('lost', true, { amount: 4999 })), p.all).catch((caught: unknown) => caught);
    expect(isRetryable(error)).toBe(false);
    expect(creditNotes(p.ledger)).toEqual([]);
    expect(p.standing.notes).toEqual([]);
  });
});

describe('the canonical outcome of a closed dispute decides the books, whatever the provider calls it', () => {
  it('outcome lost with a provider’s own status word (a claim decided for the buyer) → the credit note and the chargeback payment', async () => {
    // Prepare
    const p = await ports();
    // Act
    const outcome = await syncDisputeUpdated(updated(2, dispute('resolved_buyer_favour', true, { outcome: 'lost' })), p.all);
    // Assess
    expect(outcome).toMatchObject({ outcome: 'lost', partnerId: PARTNER_ID, invoiceMoveId: p.invoiceId });
    expect(creditNotes(p.ledger).map((note) => p.ledger.totalOf(note))).toEqual([4999]);
    expect(p.standing.notes[0]?.body).toMatch(/closed lost: credit note \d+ takes the disputed amount back/);
  });

  it('outcome won (a claim withdrawn by the buyer) → no credit note, the payment stands', async () => {
    // Prepare
    const p = await ports();
    // Act
    const outcome = await syncDisputeUpdated(updated(2, dispute('resolved_canceled_by_buyer', true, { outcome: 'won' })), p.all);
    // Assess
    expect(outcome).toMatchObject({ outcome: 'won', partnerId: PARTNER_ID });
    expect(creditNotes(p.ledger)).toEqual([]);
  });

  it('a closed event from before the outcome existed is lost exactly when its status is lost', async () => {
    // Prepare
    const p = await ports();
    // Act
    const outcome = await syncDisputeUpdated(updated(2, dispute('lost', true)), p.all);
    // Assess
    expect(outcome).toMatchObject({ outcome: 'lost' });
  });
});

describe('a Stripe dispute, which names neither invoice nor customer', () => {
  const stripeDispute = (status: string, closed: boolean) => dispute(status, closed, { invoiceId: null, customerId: null });

  it('finds the invoice the disputed payment paid through the provider, flags its customer and credits it when lost', async () => {
    // Prepare
    const p = await ports();
    const asked: Array<string | null> = [];
    const all: DisputeSyncPorts = { ...p.all, source: { refundInvoice: async (payment) => (asked.push(payment.paymentIntentId), 'in_1') } };
    // Act
    const open = await syncDisputeUpdated(updated(1, stripeDispute('needs_response', false)), all);
    const lost = await syncDisputeUpdated(updated(2, stripeDispute('lost', true)), all);
    // Assess
    expect(asked).toEqual(['pi_1', 'pi_1']);
    expect(open).toEqual({ outcome: 'flagged', partnerId: PARTNER_ID, invoiceMoveId: p.invoiceId });
    expect(lost).toMatchObject({ outcome: 'lost', partnerId: PARTNER_ID, invoiceMoveId: p.invoiceId });
    expect(creditNotes(p.ledger).map((note) => p.ledger.totalOf(note))).toEqual([4999]);
    expect(p.standing.tagsOf(PARTNER_ID)).toEqual([]);
  });

  it('waits (retryable) for an invoice the provider names but Odoo does not have yet', async () => {
    // Prepare
    const p = await ports({ invoiceTotal: null });
    const all: DisputeSyncPorts = { ...p.all, source: { refundInvoice: async () => 'in_1' } };
    // Act
    const attempt = syncDisputeUpdated(updated(1, stripeDispute('needs_response', false)), all);
    // Assess
    await expect(attempt).rejects.toThrow(DependencyMissingError);
    expect(p.standing.notes).toEqual([]);
  });

  it('is a permanent error when neither the provider nor the event says whose it is', async () => {
    // Prepare
    const p = await ports();
    const all: DisputeSyncPorts = { ...p.all, source: { refundInvoice: async () => undefined } };
    // Act
    const attempt = syncDisputeUpdated(updated(1, stripeDispute('needs_response', false)), all);
    // Assess
    await expect(attempt).rejects.toThrow(/names no customer and no invoice/);
    expect(p.standing.notes).toEqual([]);
  });
});

describe('a dispute whose payment no single invoice owns (several invoices, a bare charge): the customer found through the charge', () => {
  const unowned = (status: string, closed: boolean, overrides: Partial<Dispute> = {}) => dispute(status, closed, { invoiceId: null, customerId: null, ...overrides });
  /** The provider: the payment intent paid several invoices (no single one), the charge belongs to CUSTOMER. */
  function provider(customer: string | null | undefined = CUSTOMER) {
    const asked = { invoices: [] as Array<string | null>, customers: [] as Array<string | null> };
    const source: DisputeSyncPorts['source'] = {
      refundInvoice: async (payment) => (asked.invoices.push(payment.paymentIntentId), undefined),
      paymentCustomer: async (payment) => (asked.customers.push(payment.chargeId), customer),
    };
    return { asked, source };
  }

  it('flags the charge’s customer while open, with a partner note naming the dispute, the amount and why no invoice is credited', async () => {
    // Prepare
    const p = await ports();
    const { asked, source } = provider();
    // Act
    const outcome = await syncDisputeUpdated(updated(1, unowned('needs_response', false)), { ...p.all, source });
    // Assess
    expect(outcome).toEqual({ outcome: 'flagged', partnerId: PARTNER_ID });
    expect(asked).toEqual({ invoices: ['pi_1'], customers: ['ch_1'] });
    expect(p.standing.tagsOf(PARTNER_ID)).toEqual(['Disputed']);
    expect(p.standing.notes).toHaveLength(1);
    expect(p.standing.notes[0]).toMatchObject({ model: 'res.partner', id: PARTNER_ID });
    expect(p.standing.notes[0]?.body).toContain('Dispute dp_1 on ch_1 (49.99 USD, reason: fraudulent) is open');
    expect(p.standing.notes[0]?.body).toContain('paid several invoices (payment intent pi_1) and the dispute does not say which one it takes back: no invoice is credited');
  });

  it('when lost, keeps the customer flagged and notes the credit to book by hand — no guessed credit note, no dead letter', async () => {
    // Prepare
    const p = await ports();
    const { source } = provider();
    const all = { ...p.all, source };
    // Act
    await syncDisputeUpdated(updated(1, unowned('needs_response', false)), all);
    const lost = await syncDisputeUpdated(updated(2, unowned('lost', true)), all);
    // Assess
    expect(lost).toEqual({ outcome: 'lost-without-invoice', partnerId: PARTNER_ID });
    expect(creditNotes(p.ledger)).toEqual([]);
    expect(p.standing.tagsOf(PARTNER_ID)).toEqual(['Disputed']);
    expect(p.standing.notes[1]?.body).toMatch(/closed lost\. No posted invoice in Odoo to credit \(the disputed payment ch_1 paid several invoices .*\): book a credit note of 49\.99 USD by hand/);
  });

  it('flags the customer of a bare charge (no payment intent, no invoice) without asking for an invoice', async () => {
    // Prepare
    const p = await ports();
    const { asked, source } = provider();
    // Act
    const outcome = await syncDisputeUpdated(updated(1, unowned('warning_needs_response', false, { paymentIntentId: null })), { ...p.all, source });
    // Assess
    expect(outcome).toEqual({ outcome: 'flagged', partnerId: PARTNER_ID });
    expect(asked).toEqual({ invoices: [], customers: ['ch_1'] });
    expect(p.standing.notes[0]?.body).toContain('The disputed payment ch_1 is a bare charge, of no invoice: no invoice is credited, only the customer is flagged');
  });

  it('says the payment paid no invoice when the provider says so', async () => {
    const p = await ports();
    const source: DisputeSyncPorts['source'] = { refundInvoice: async () => null, paymentCustomer: async () => CUSTOMER };
    await syncDisputeUpdated(updated(1, unowned('needs_response', false)), { ...p.all, source });
    expect(p.standing.notes[0]?.body).toContain('The disputed payment ch_1 paid no invoice: no invoice is credited');
  });

  it('retries, writing nothing, while the charge’s customer is not in Odoo yet', async () => {
    const p = await ports();
    p.ledger.partnerExternalIds.clear();
    const error = await syncDisputeUpdated(updated(1, unowned('needs_response', false)), { ...p.all, source: provider().source }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DependencyMissingError);
    expect(p.standing.notes).toEqual([]);
  });

  it('retries while the provider does not know the disputed charge', async () => {
    const p = await ports();
    const error = await syncDisputeUpdated(updated(1, unowned('needs_response', false)), { ...p.all, source: { refundInvoice: async () => undefined, paymentCustomer: async () => undefined } }).catch((caught: unknown) => caught);
    expect(isRetryable(error)).toBe(true);
    expect(p.standing.notes).toEqual([]);
  });

  it('fails permanently, naming the charge, only for a payment of no customer at all (a guest checkout)', async () => {
    const p = await ports();
    const error = await syncDisputeUpdated(updated(1, unowned('needs_response', false)), { ...p.all, source: provider(null).source }).catch((caught: unknown) => caught);
    expect(isRetryable(error)).toBe(false);
    expect(String(error)).toContain('its payment ch_1 has no customer at stripe');
    expect(p.standing.notes).toEqual([]);
  });
});
