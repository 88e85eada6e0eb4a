import { describe, expect, it } from 'vitest';
import type { DocumentLine } from '../../../../events/billing-parts';
import type { CreditNoteIssued } from '../../../../events/credit-note-issued';
import type { InvoiceFinalized, InvoiceSnapshot } from '../../../../events/invoice-finalized';
import type { PaymentSucceeded } from '../../../../events/payment-succeeded';
import type { RefundCreated } from '../../../../events/refund-created';
import type { RefundUpdated } from '../../../../events/refund-updated';
import type { BillingConfig } from '../../../../functions/domain/billing-config';
import type { CreditNoteSnapshot, RefundSnapshot } from '../../../../functions/domain/billing-ledger';
import { CreditExceedsInvoiceError, DependencyMissingError, InvoiceTotalMismatchError, RefundWithoutInvoiceError } from '../../../../functions/domain/invoice-errors';
import type { BillingSyncPorts } from '../../../../functions/flows/billing-sync/billing-sync-ports';
import { type BillingEvent, syncBilling } from '../../../../functions/flows/billing-sync/sync-billing';
import { isRetryable, PermanentSyncError } from '../../../../functions/platform/errors';
import { InMemoryIdentityMap, InMemoryPartners, InMemoryWatermarks, customerIdentityTestPorts } from '../../../support/in-memory-ports';
import { InMemoryBillingSource, InMemoryLedger } from '../../../support/in-memory-billing';
import { canonicalEnvelopes } from '../../../support/canonical-envelopes';

const CONFIG: BillingConfig = {
  companies: [{ account: null, currency: '*', companyId: 1, salesJournalId: 1, bankJournalId: 6 }],
  taxes: [{ taxRateId: 'txr_us', inclusive: false, companyId: 1, odooTaxId: 11 }],
  writeOffUncollectible: false,
  standingTags: { pastDue: 'Past due', disputed: 'Disputed', uncollectible: 'Uncollectible' },
};
const CUSTOMER = 'cus_R1';
const INVOICE = 'in_R1';
const BANK = 6;

const seat = (amount: number, tax: number, overrides: Partial<DocumentLine> = {}): DocumentLine => ({
  id: 'il_seat', description: 'Pro plan', priceId: 'price_pro', productId: 'prod_pro', quantity: 3, amount, discountAmount: 0,
  taxes: [{ amount: tax, taxableAmount: amount, taxRateId: 'txr_us', percentage: '10', inclusive: false, label: 'Sales tax' }],
  periodStart: '2026-11-01T00:00:00Z', periodEnd: '2026-12-01T00:00:00Z', proration: false, ...overrides,
});
const untaxed = (id: string, amount: number): DocumentLine => ({
  id, description: `Item ${id}`, priceId: `price_${id}`, productId: null, quantity: 1, amount, discountAmount: 0, taxes: [],
  periodStart: null, periodEnd: null, proration: false,
});

/** Pro plan 3 × 10.00 + 10% tax, setup 19.99: 52.99 USD. */
function invoice(overrides: Partial<InvoiceSnapshot> = {}): InvoiceSnapshot {
  const lines = overrides.lines ?? [seat(3000, 300), untaxed('setup', 1999)];
  const totalTax = lines.flatMap((line) => line.taxes).reduce((sum, tax) => sum + tax.amount, 0);
  const subtotal = lines.reduce((sum, line) => sum + line.amount, 0);
  return {
    system: 'stripe', account: null, customerId: CUSTOMER, id: INVOICE, number: 'R-0001', subscriptionId: null, currency: 'usd',
    issuedAt: '2026-11-01T10:00:00Z', dueAt: null, billingReason: 'subscription_cycle', lines,
    subtotal, totalDiscount: 0, totalTax, total: subtotal + totalTax, amountPaid: 0, amountRemaining: subtotal + totalTax, livemode: false,
    ...overrides,
  };
}
const envelope = canonicalEnvelopes({ start: '2026-11-05T10:00:00Z' });
const finalized = (snapshot: InvoiceSnapshot): InvoiceFinalized => ({ ...envelope('invoice.finalized', `stripe:invoice:${snapshot.id}`), type: 'invoice.finalized', data: { invoice: snapshot } });
const paid = (snapshot: InvoiceSnapshot): PaymentSucceeded => ({
  ...envelope('payment.succeeded', `stripe:invoice:${snapshot.id}`), type: 'payment.succeeded',
  data: { payment: { system: 'stripe', account: null, customerId: CUSTOMER, id: `pi_${snapshot.id}`, invoiceId: snapshot.id, amount: snapshot.total, currency: snapshot.currency, paidAt: '2026-11-02T09:00:00Z' } },
});
const refundOf = (id: string, amount: number, overrides: Partial<RefundSnapshot> = {}): RefundSnapshot => ({
  system: 'stripe', account: null, id, chargeId: `ch_${id}`, paymentIntentId: `pi_${INVOICE}`, invoiceId: INVOICE, customerId: CUSTOMER,
  amount, currency: 'usd', reason: 'requested_by_customer', status: 'succeeded', createdAt: '2026-11-06T12:00:00Z', ...overrides,
});
const refunded = (refund: RefundSnapshot): RefundCreated => ({ ...envelope('refund.created', `stripe:refund:${refund.id}`), type: 'refund.created', data: { refund } });
const refundChanged = (refund: RefundSnapshot): RefundUpdated => ({ ...envelope('refund.updated', `stripe:refund:${refund.id}`), type: 'refund.updated', data: { refund } });
/** Credits one seat (10.00 + 1.00 tax) and pays it out with `refundIds`. */
const creditNoteOf = (id: string, refundIds: string[], overrides: Partial<CreditNoteSnapshot> = {}): CreditNoteSnapshot => ({
  system: 'stripe', account: null, customerId: CUSTOMER, id, number: `R-0001-CN-${id.slice(-1)}`, invoiceId: INVOICE, currency: 'usd', reason: 'order_change',
  lines: [seat(1000, 100, { id: `cnli_${id}`, priceId: null, productId: null, quantity: 1, periodStart: null, periodEnd: null })],
  subtotal: 1000, totalTax: 100, total: 1100, refundIds, issuedAt: '2026-11-06T11:59:00Z', ...overrides,
});
const issued = (creditNote: CreditNoteSnapshot): CreditNoteIssued => ({
  ...envelope('credit_note.issued', `stripe:credit_note:${creditNote.id}`), type: 'credit_note.issued', data: { creditNote },
});

function ports(config: BillingConfig = CONFIG) {
  const ledger = new InMemoryLedger();
  const source = new InMemoryBillingSource();
  source.customers.set(CUSTOMER, { system: 'stripe', id: CUSTOMER, name: 'Acme', email: 'billing@acme.example', phone: null, address: null, currency: 'usd', livemode: false, links: [], taxId: null });
  const p = { ledger, source, partners: new InMemoryPartners(), identityMap: new InMemoryIdentityMap(), ...customerIdentityTestPorts(), watermarks: new InMemoryWatermarks(), config };
  return p satisfies BillingSyncPorts;
}
/** A posted, paid invoice: what a refund gives money back on. */
async function paidInvoice(snapshot = invoice()) {
  const p = ports();
  await syncBilling(finalized(snapshot), p);
  await syncBilling(paid(snapshot), p);
  return p;
}
async function deliver(p: ReturnType<typeof ports>, events: BillingEvent[]) {
  const queue = [...events];
  for (let guard = 0; queue.length > 0 && guard < 100; guard++) {
    const event = queue.shift()!;
    try {
      await syncBilling(event, p);
    } catch (error) {
      if (!isRetryable(error)) throw error;
      queue.push(event);
    }
  }
  return p.ledger.financeView();
}
const creditNotesIn = (p: ReturnType<typeof ports>) => p.ledger.financeView().filter((document) => document.type === 'out_refund');
const theInvoice = (p: ReturnType<typeof ports>) => p.ledger.financeView().find((document) => document.type === 'out_invoice');

describe('refund.created → a credit note and an outbound payment on it', () => {
  it('a partial refund: a credit note of exactly the amount, paid by an outbound payment in the bank journal', async () => {
    // Prepare
    const p = await paidInvoice();
    // Act
    const outcome = await syncBilling(refunded(refundOf('re_part', 2000)), p);
    // Assess
    expect(outcome).toMatchObject({ outcome: 'refunded', creditNote: 'partial' });
    expect(creditNotesIn(p)).toEqual([
      {
        type: 'out_refund', ref: 'Refund re_part', paymentReference: 're_part', state: 'posted', total: 2000, lines: 1, reverses: INVOICE,
        paymentState: 'paid', payments: [`outbound re_part:2000 journal ${BANK}`],
      },
    ]);
    // The invoice stays paid by its own payment.
    expect(theInvoice(p)).toMatchObject({ total: 5299, paymentState: 'paid', payments: [`inbound pi_${INVOICE}:5299 journal ${BANK}`] });
  });

  it('a full refund: the reversal wizard mirrors every line and tax of the invoice, paid back whole', async () => {
    const p = await paidInvoice();
    const outcome = await syncBilling(refunded(refundOf('re_full', 5299)), p);
    expect(outcome).toMatchObject({ outcome: 'refunded', creditNote: 'full' });
    expect(creditNotesIn(p)).toEqual([
      expect.objectContaining({ ref: expect.stringContaining('Refund re_full'), total: 5299, lines: 2, reverses: INVOICE, paymentState: 'paid', payments: [`outbound re_full:5299 journal ${BANK}`] }),
    ]);
    expect(p.ledger.calls.get('reverseDocument')).toBe(1);
  });

  it.each([
    { currency: 'jpy', lines: [untaxed('a', 4980), untaxed('b', 1000)], refund: 1234, odoo: 1234 },
    { currency: 'kwd', lines: [untaxed('a', 12345), untaxed('b', 1230)], refund: 5005, odoo: 5005 },
  ])('$currency: the refunded amount exact in the currency’s own minor units', async ({ currency, lines, refund, odoo }) => {
    const p = await paidInvoice(invoice({ currency, lines }));
    await syncBilling(refunded(refundOf(`re_${currency}`, refund, { currency })), p);
    expect(creditNotesIn(p)).toEqual([expect.objectContaining({ total: odoo, paymentState: 'paid', payments: [`outbound re_${currency}:${odoo} journal ${BANK}`] })]);
  });

  it('a duplicate delivery is a no-op: one credit note, one payment, no Odoo call', async () => {
    const p = await paidInvoice();
    const event = refunded(refundOf('re_dup', 2000));
    await syncBilling(event, p);
    const calls = p.ledger.totalCalls();
    const again = await syncBilling({ ...event, id: 'stripe:evt_redelivered:refund.created' }, p);
    expect(again).toMatchObject({ outcome: 'already-refunded' });
    expect(p.ledger.totalCalls()).toBe(calls);
    expect(creditNotesIn(p)).toHaveLength(1);
    expect(p.ledger.payments_.size).toBe(2);
  });

  it('after a crash between the credit note and the payment, the retry pays on the same credit note', async () => {
    const p = await paidInvoice();
    const register = p.ledger.registerPayment.bind(p.ledger);
    let crashed = false;
    p.ledger.registerPayment = async (id, payment) => {
      if (!crashed) {
        crashed = true;
        throw new Error('Lambda timed out');
      }
      return register(id, payment);
    };
    const event = refunded(refundOf('re_crash', 2000));
    await expect(syncBilling(event, p)).rejects.toThrow('timed out');
    p.identityMap.links.clear(); // the identity-map write may be lost too
    expect(await syncBilling(event, p)).toMatchObject({ outcome: 'refunded', creditNote: 'existing' });
    expect(creditNotesIn(p)).toEqual([expect.objectContaining({ total: 2000, paymentState: 'paid', payments: [`outbound re_crash:2000 journal ${BANK}`] })]);
  });

  it('after a crash between the payment and the identity-map write, the retry finds the payment by its memo', async () => {
    const p = await paidInvoice();
    const event = refunded(refundOf('re_lost', 2000));
    await syncBilling(event, p);
    p.identityMap.links.clear();
    expect(await syncBilling(event, p)).toMatchObject({ outcome: 'already-refunded' });
    expect(creditNotesIn(p)).toHaveLength(1);
    expect(p.ledger.calls.get('registerPayment')).toBe(2); // the invoice's payment and the refund's, once each
  });

  it.each(['failed', 'canceled'])('a %s refund moves no money: not-applicable, nothing asked or written', async (status) => {
    const p = await paidInvoice();
    const calls = p.ledger.totalCalls();
    expect(await syncBilling(refunded(refundOf('re_no', 2000, { status })), p)).toEqual({ outcome: 'not-applicable', status });
    expect(p.ledger.totalCalls()).toBe(calls);
    expect(creditNotesIn(p)).toEqual([]);
  });

  it('a pending refund is booked like a succeeded one', async () => {
    const p = await paidInvoice();
    expect(await syncBilling(refunded(refundOf('re_pending', 500, { status: 'pending' })), p)).toMatchObject({ outcome: 'refunded' });
    expect(creditNotesIn(p)).toEqual([expect.objectContaining({ total: 500, paymentState: 'paid' })]);
  });

  it('retries while the invoice is not in Odoo, then books it once the invoice is there', async () => {
    const p = ports();
    const event = refunded(refundOf('re_early', 2000));
    const error = await syncBilling(event, p).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DependencyMissingError);
    expect(isRetryable(error)).toBe(true);
    expect(p.ledger.moves.size).toBe(0);
    const view = await deliver(p, [finalized(invoice()), paid(invoice()), event]);
    expect(view.filter((document) => document.type === 'out_refund')).toEqual([expect.objectContaining({ total: 2000, paymentState: 'paid' })]);
  });

  it('a currency other than the invoice’s is permanent, before any write', async () => {
    const p = await paidInvoice();
    const before = { moves: p.ledger.moves.size, payments: p.ledger.payments_.size };
    const error = await syncBilling(refunded(refundOf('re_eur', 2000, { currency: 'eur' })), p).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PermanentSyncError);
    expect(String(error)).toMatch(/re_eur is in EUR.*in USD/);
    expect({ moves: p.ledger.moves.size, payments: p.ledger.payments_.size }).toEqual(before);
  });

  it('more than the invoice has left to credit is permanent, before any write', async () => {
    const p = await paidInvoice();
    await syncBilling(refunded(refundOf('re_a', 3000)), p);
    const error = await syncBilling(refunded(refundOf('re_b', 3000)), p).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CreditExceedsInvoiceError);
    expect(String(error)).toMatch(/30\.00 USD.*22\.99 USD left to credit/);
    expect(creditNotesIn(p)).toHaveLength(1);
    expect(p.ledger.payments_.size).toBe(2);
  });

  it('a refund without invoice id: the invoice asked from Stripe; unknown yet → retry; none → a note on the customer, permanent', async () => {
    const p = await paidInvoice();
    const event = refunded(refundOf('re_lookup', 2000, { invoiceId: null }));
    expect(await syncBilling(event, p).catch((caught: unknown) => caught)).toBeInstanceOf(DependencyMissingError);
    p.source.refundInvoices.set('re_lookup', INVOICE);
    expect(await syncBilling(event, p)).toMatchObject({ outcome: 'refunded' });

    p.source.refundInvoices.set('re_nothing', null);
    const error = await syncBilling(refunded(refundOf('re_nothing', 700, { invoiceId: null })), p).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RefundWithoutInvoiceError);
    expect(isRetryable(error)).toBe(false);
    expect(p.ledger.notes.at(-1)).toMatchObject({ model: 'res.partner', body: expect.stringMatching(/Refund re_nothing of 7\.00 USD.*paid no Stripe invoice/) });
    expect(creditNotesIn(p)).toHaveLength(1);
  });

  it('retries a refund without invoice id when the billing source has no lookup (never guesses)', async () => {
    const p = await paidInvoice();
    const source: BillingSyncPorts['source'] = { customer: (id) => p.source.customer(id), invoice: (id) => p.source.invoice(id) };
    const error = await syncBilling(refunded(refundOf('re_blind', 2000, { invoiceId: null })), { ...p, source }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DependencyMissingError);
    expect(creditNotesIn(p)).toEqual([]);
  });
});

describe('refund.updated → a refund that failed after it was booked', () => {
  it('cancels its outbound payment and leaves the credit note owed, with a note saying why', async () => {
    // Prepare
    const p = await paidInvoice();
    const created = refunded(refundOf('re_fail', 2000));
    await syncBilling(created, p);
    // Act
    const outcome = await syncBilling(refundChanged(refundOf('re_fail', 2000, { status: 'failed' })), p);
    // Assess
    expect(outcome).toMatchObject({ outcome: 'refund-reversed', status: 'failed' });
    const [creditNote] = creditNotesIn(p);
    expect(creditNote).toMatchObject({ total: 2000, paymentState: 'not_paid', payments: [] });
    expect(p.ledger.notes.map((note) => note.body).join('\n')).toMatch(/Refund re_fail of 20\.00 USD failed .* still owed/);
    // The invoice stays paid by its own payment.
    expect(theInvoice(p)).toMatchObject({ paymentState: 'paid' });
  });

  it('a failure that overtakes the creation: the same records in either order — the credit note owed, the payment attempt cancelled', async () => {
    const created = refunded(refundOf('re_late', 2000));
    const failed = refundChanged(refundOf('re_late', 2000, { status: 'failed' }));
    const inOrder = await paidInvoice();
    await deliver(inOrder, [created, failed]);
    const reversed = await paidInvoice();
    await deliver(reversed, [failed, created]);
    expect(await syncBilling(created, reversed)).toMatchObject({ outcome: 'stale' });
    for (const p of [inOrder, reversed]) {
      expect(creditNotesIn(p)).toEqual([expect.objectContaining({ total: 2000, paymentState: 'not_paid', payments: [] })]);
      expect([...p.ledger.payments_.values()].filter((payment) => payment.memo === 're_late').map((payment) => payment.state)).toEqual(['canceled']);
    }
  });
});

describe('credit_note.issued → an Odoo credit note with Stripe’s lines and total', () => {
  it('mirrors lines and taxes, reverses the invoice, ref = the credit note id; a duplicate is a no-op', async () => {
    const p = await paidInvoice();
    const event = issued(creditNoteOf('cn_1', []));
    const outcome = await syncBilling(event, p);
    const calls = p.ledger.totalCalls();
    expect(await syncBilling(event, p)).toMatchObject({ outcome: 'already-posted' });
    expect(p.ledger.totalCalls()).toBe(calls);
    expect(outcome).toMatchObject({ outcome: 'posted', total: 1100, roundingDifference: 0 });
    expect(creditNotesIn(p)).toEqual([
      { type: 'out_refund', ref: 'cn_1', paymentReference: 'cn_1', state: 'posted', total: 1100, lines: 1, reverses: INVOICE, paymentState: 'not_paid', payments: [] },
    ]);
    const [line] = [...p.ledger.moves.values()].find((move) => move.ref === 'cn_1')!.lines;
    expect(line).toMatchObject({ quantity: 1, price_unit: 10, tax_ids: [[6, 0, [11]]] });
  });

  it('cancels a credit note whose Odoo total differs from Stripe’s and fails permanently with both totals', async () => {
    const p = await paidInvoice();
    p.ledger.totalSkew = 1;
    const error = await syncBilling(issued(creditNoteOf('cn_skew', [])), p).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvoiceTotalMismatchError);
    expect(String(error)).toMatch(/1101 for credit note cn_skew where Stripe has 1100/);
    expect(creditNotesIn(p)).toEqual([expect.objectContaining({ state: 'cancel', ref: 'cn_skew (cancelled: total mismatch)' })]);
  });

  it('retries while the invoice is not in Odoo; refuses a credit note in another currency before any write', async () => {
    const p = ports();
    expect(await syncBilling(issued(creditNoteOf('cn_early', [])), p).catch((caught: unknown) => caught)).toBeInstanceOf(DependencyMissingError);
    await syncBilling(finalized(invoice()), p);
    const error = await syncBilling(issued(creditNoteOf('cn_eur', [], { currency: 'eur' })), p).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CreditExceedsInvoiceError);
    expect(p.ledger.moves.size).toBe(1);
  });
});

describe('a credit note and its refund: one credit note, in either order', () => {
  const cn = creditNoteOf('cn_2', ['re_cn']);
  const refund = refundOf('re_cn', 1100);
  const expected = [
    {
      type: 'out_refund', ref: 'cn_2', paymentReference: 're_cn', state: 'posted', total: 1100, lines: 1, reverses: INVOICE,
      paymentState: 'paid', payments: [`outbound re_cn:1100 journal ${BANK}`],
    },
  ];

  it.each([
    ['credit note, then refund', [issued(cn), refunded(refund)]],
    ['refund, then credit note', [refunded(refund), issued(cn)]],
    ['both twice, refund first', [refunded(refund), issued(cn), refunded(refund), issued(cn)]],
  ] as const)('%s → Stripe’s credit note paid by the refund', async (_name, events) => {
    // Prepare: Stripe knows the credit note paying the refund out (created together).
    const p = await paidInvoice();
    p.source.creditNotes.set(cn.id, cn);
    // Act
    await deliver(p, [...events]);
    // Assess
    expect(creditNotesIn(p)).toEqual(expected);
    expect(p.ledger.payments_.size).toBe(2);
  });

  it('a refund whose credit note is already in Odoo registers only the payment on it', async () => {
    const p = await paidInvoice();
    await syncBilling(issued(cn), p);
    const before = { ledger: p.ledger.totalCalls(), stripe: p.source.calls };
    expect(await syncBilling(refunded(refund), p)).toMatchObject({ outcome: 'refunded', creditNote: 'existing' });
    // readDocument, findPayment, creditNotesOf, registerPayment: no second credit note, and no need to ask Stripe.
    expect(p.ledger.totalCalls() - before.ledger).toBe(4);
    expect(p.source.calls).toBe(before.stripe);
    expect(creditNotesIn(p)).toEqual(expected);
  });

  it('two refunds of one credit note pay it out together', async () => {
    const p = await paidInvoice();
    const split = creditNoteOf('cn_3', ['re_x', 're_y']);
    p.source.creditNotes.set(split.id, split);
    await deliver(p, [refunded(refundOf('re_x', 600)), issued(split), refunded(refundOf('re_y', 500))]);
    expect(creditNotesIn(p)).toEqual([
      expect.objectContaining({ ref: 'cn_3', paymentReference: 're_x re_y', total: 1100, paymentState: 'paid', payments: [`outbound re_x:600 journal ${BANK}`, `outbound re_y:500 journal ${BANK}`] }),
    ]);
  });

  it('late link: a credit note made after its refund was booked alone adds no second credit note and says so', async () => {
    // Prepare: the refund is booked while Stripe knows no credit note for it.
    const p = await paidInvoice();
    await syncBilling(refunded(refund), p);
    // Act: Stripe's credit note linking that refund comes afterwards.
    const outcome = await syncBilling(issued(cn), p);
    // Assess
    expect(outcome).toMatchObject({ outcome: 'covered-by-refunds', refundIds: ['re_cn'] });
    expect(creditNotesIn(p)).toEqual([expect.objectContaining({ ref: 'Refund re_cn', total: 1100, paymentState: 'paid', payments: [`outbound re_cn:1100 journal ${BANK}`] })]);
    expect(p.ledger.notes.at(-1)).toMatchObject({ model: 'account.move', body: expect.stringContaining('covers refund re_cn') });
    expect(await syncBilling(issued(cn), p)).toMatchObject({ outcome: 'already-posted' });
  });

  it('late link where the credit note credits more than its refunds: permanent, nothing booked', async () => {
    const p = await paidInvoice();
    await syncBilling(refunded(refundOf('re_cn', 500)), p);
    const error = await syncBilling(issued(cn), p).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CreditExceedsInvoiceError);
    expect(String(error)).toMatch(/book the difference by hand/);
    expect(creditNotesIn(p)).toHaveLength(1);
  });
});

describe('Odoo calls per event (in-memory ledger, warm caches)', () => {
  it('counts the ledger calls of a refund and of a credit note', async () => {
    const p = await paidInvoice();
    let before = p.ledger.totalCalls();
    await syncBilling(refunded(refundOf('re_count', 2000)), p);
    // readDocument, findPayment, creditNotesOf, createPostedDocument (create + action_post), registerPayment
    expect(p.ledger.totalCalls() - before).toBe(6);
    before = p.ledger.totalCalls();
    await syncBilling(issued(creditNoteOf('cn_count', [])), p);
    // readDocument, creditNotesOf, createPostedDocument (create + action_post)
    expect(p.ledger.totalCalls() - before).toBe(4);
  });
});
