import { describe, expect, it } from 'vitest';
import type { InvoiceFinalized, InvoiceSnapshot } from '../../../../events/invoice-finalized';
import type { InvoiceUncollectible } from '../../../../events/invoice-uncollectible';
import type { InvoiceVoided } from '../../../../events/invoice-voided';
import type { PaymentFailed } from '../../../../events/payment-failed';
import type { PaymentSucceeded } from '../../../../events/payment-succeeded';
import type { BillingConfig } from '../../../../functions/domain/billing-config';
import { DependencyMissingError, InvoiceTotalMismatchError } from '../../../../functions/domain/invoice-errors';
import { type BillingEvent, syncBilling } from '../../../../functions/flows/billing-sync/sync-billing';
import type { BillingSyncPorts } from '../../../../functions/flows/billing-sync/billing-sync-ports';
import { isRetryable } from '../../../../functions/platform/errors';
import { InMemoryIdentityMap, InMemoryPartners, InMemoryWatermarks, customerIdentityTestPorts } from '../../../support/in-memory-ports';
import { InMemoryBillingSource, InMemoryLedger } from '../../../support/in-memory-billing';

const CONFIG: BillingConfig = {
  companies: [{ account: null, currency: '*', companyId: 1, salesJournalId: 1, bankJournalId: 6 }],
  taxes: [
    { taxRateId: 'txr_us', inclusive: false, companyId: 1, odooTaxId: 11 },
    { percentage: '19', inclusive: false, companyId: 1, odooTaxId: 19 },
  ],
  writeOffUncollectible: true,
  standingTags: { pastDue: 'Past due', disputed: 'Disputed', uncollectible: 'Uncollectible' },
};
const CUSTOMER = 'cus_1';
const INVOICE = 'in_1';

function invoice(overrides: Partial<InvoiceSnapshot> = {}): InvoiceSnapshot {
  return {
    system: 'stripe', account: null, customerId: CUSTOMER, id: INVOICE, number: 'A-0001', subscriptionId: 'sub_1', currency: 'usd',
    issuedAt: '2026-11-01T10:00:00Z', dueAt: '2026-11-15T10:00:00Z', billingReason: 'subscription_cycle',
    lines: [
      { id: 'il_1', description: 'Pro plan', priceId: 'price_pro', productId: 'prod_pro', quantity: 3, amount: 3000, discountAmount: 0,
        taxes: [{ amount: 300, taxableAmount: 3000, taxRateId: 'txr_us', percentage: '10', inclusive: false, label: 'Sales tax' }],
        periodStart: '2026-11-01T00:00:00Z', periodEnd: '2026-12-01T00:00:00Z', proration: false },
      { id: 'il_2', description: 'Setup', priceId: 'price_setup', productId: 'prod_setup', quantity: 1, amount: 1999, discountAmount: 0, taxes: [],
        periodStart: null, periodEnd: null, proration: false },
    ],
    subtotal: 4999, totalDiscount: 0, totalTax: 300, total: 5299, amountPaid: 0, amountRemaining: 5299, livemode: false,
    ...overrides,
  };
}
const envelope = (type: string, eventId: string, second: number) => ({
  id: `stripe:${eventId}:${type}`, source: 'stripe' as const, subject: `stripe:invoice:${INVOICE}`,
  time: new Date(Date.UTC(2026, 10, 1, 10, 0, second)).toISOString(), correlationId: `stripe:${eventId}`, causationId: eventId, dataVersion: 1 as const,
});
const finalized = (eventId = 'evt_fin', second = 1, snapshot = invoice()): InvoiceFinalized => ({ ...envelope('invoice.finalized', eventId, second), type: 'invoice.finalized', data: { invoice: snapshot } });
const paid = (paymentId: string, amount: number, second: number): PaymentSucceeded => ({
  ...envelope('payment.succeeded', `evt_${paymentId}`, second), type: 'payment.succeeded',
  data: { payment: { system: 'stripe', account: null, customerId: CUSTOMER, id: paymentId, invoiceId: INVOICE, amount, currency: 'usd', paidAt: '2026-11-03T09:00:00Z' } },
});
const failed = (second: number): PaymentFailed => ({
  ...envelope('payment.failed', `evt_fail_${second}`, second), type: 'payment.failed',
  data: { attempt: { system: 'stripe', account: null, customerId: CUSTOMER, invoiceId: INVOICE, amountDue: 5299, currency: 'usd', attemptCount: 1, failureReason: 'card_declined', nextAttemptAt: '2026-11-06T10:00:00Z' } },
});
const voided = (second = 5): InvoiceVoided => ({
  ...envelope('invoice.voided', 'evt_void', second), type: 'invoice.voided',
  data: { invoice: { system: 'stripe', account: null, customerId: CUSTOMER, id: INVOICE, voidedAt: '2026-11-05T10:00:00Z' } },
});
const uncollectible = (remaining: number, second = 6): InvoiceUncollectible => ({
  ...envelope('invoice.uncollectible', 'evt_unc', second), type: 'invoice.uncollectible',
  data: { invoice: { system: 'stripe', account: null, customerId: CUSTOMER, id: INVOICE, amountRemaining: remaining, markedAt: '2026-12-20T10:00:00Z' } },
});

function ports(config: BillingConfig = CONFIG) {
  const ledger = new InMemoryLedger();
  const source = new InMemoryBillingSource();
  source.customers.set(CUSTOMER, { system: 'stripe', id: CUSTOMER, name: 'Acme', email: 'billing@acme.example', phone: null, address: null, currency: 'usd', livemode: false, links: [], taxId: null });
  source.invoices.set(INVOICE, invoice());
  const p = { ledger, source, partners: new InMemoryPartners(), identityMap: new InMemoryIdentityMap(), ...customerIdentityTestPorts(), watermarks: new InMemoryWatermarks(), config };
  return p satisfies BillingSyncPorts;
}
function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, index) => permutations([...items.slice(0, index), ...items.slice(index + 1)]).map((rest) => [item, ...rest]));
}
/** Applies events as the queue would: a retryable failure comes back later (after the others). */
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
  return p.ledger.state();
}

describe('invoice.finalized', () => {
  it('posts one invoice with the Stripe total, creating the partner and products, and the repeat is a no-op', async () => {
    // Prepare
    const p = ports();
    // Act
    const first = await syncBilling(finalized(), p);
    const again = await syncBilling(finalized('evt_fin_redelivered', 2), p);
    // Assess
    expect(first).toMatchObject({ outcome: 'posted', total: 5299, roundingDifference: 0 });
    expect(again).toMatchObject({ outcome: 'already-posted', state: 'posted' });
    expect(p.ledger.state().invoices).toEqual([{ ref: INVOICE, type: 'out_invoice', state: 'posted', total: 5299, lines: 2, payments: [] }]);
    expect(p.partners.records.size).toBe(1);
    expect(p.ledger.products_.size).toBe(2);
  });

  it('never duplicates after a crash between the Odoo create and the identity-map write', async () => {
    const p = ports();
    const link = p.identityMap.link.bind(p.identityMap);
    let crashed = false;
    p.identityMap.link = async (key, ref) => {
      if (ref.kind === 'account.move' && !crashed) {
        crashed = true;
        throw new Error('Lambda timed out');
      }
      return link(key, ref);
    };
    await expect(syncBilling(finalized(), p)).rejects.toThrow('timed out');
    await syncBilling(finalized(), p);
    expect(p.ledger.state().invoices).toHaveLength(1);
    expect(p.ledger.calls.get('createPostedDocument')).toBe(1);
  });

  it('cancels an invoice whose Odoo total differs from Stripe and fails permanently with both totals', async () => {
    const p = ports();
    p.ledger.totalSkew = 7;
    const error = await syncBilling(finalized(), p).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvoiceTotalMismatchError);
    expect(String(error)).toMatch(/5306.*5299/);
    expect(p.ledger.state().invoices[0]).toMatchObject({ state: 'cancel', ref: `${INVOICE} (cancelled: total mismatch)` });
    // Once the cause is fixed, a redrive posts a new invoice.
    p.ledger.totalSkew = 0;
    await syncBilling(finalized(), p);
    expect(p.ledger.state().invoices.filter((move) => move.state === 'posted')).toHaveLength(1);
  });

  it('retries when the customer is in neither Odoo nor Stripe yet', async () => {
    const p = ports();
    p.source.customers.clear();
    const error = await syncBilling(finalized(), p).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DependencyMissingError);
    expect(isRetryable(error)).toBe(true);
    expect(p.ledger.moves.size).toBe(0);
  });

  it('fails permanently naming an unmapped tax before writing anything', async () => {
    const p = ports({ ...CONFIG, taxes: [] });
    await expect(syncBilling(finalized(), p)).rejects.toThrow(/txr_us/);
    expect(p.ledger.moves.size).toBe(0);
  });
});

describe('payments', () => {
  const paidState = {
    invoices: [{ ref: INVOICE, type: 'out_invoice', state: 'posted', total: 5299, lines: 2, payments: ['pi_a:2000', 'pi_b:3299'] }],
    payments: 2,
  };

  it('gives the same ledger whatever the order and duplicates of finalized + partial + final payment', async () => {
    const events: BillingEvent[] = [finalized(), paid('pi_a', 2000, 3), paid('pi_b', 3299, 4)];
    for (const order of permutations(events)) {
      const p = ports();
      const state = await deliver(p, [...order, ...order]);
      expect(state).toMatchObject(paidState);
      expect(p.ledger.calls.get('createPostedDocument')).toBe(1);
    }
  });

  it('registers a payment that arrives before its invoice by posting the invoice fetched from Stripe', async () => {
    const p = ports();
    const outcome = await syncBilling(paid('pi_all', 5299, 3), p);
    expect(outcome).toMatchObject({ outcome: 'registered', invoicePaid: true });
    expect(p.source.calls).toBeGreaterThan(0);
    expect(await syncBilling(finalized(), p)).toMatchObject({ outcome: 'already-posted' });
    expect(p.ledger.state().invoices[0]).toMatchObject({ state: 'posted', total: 5299, payments: ['pi_all:5299'] });
  });

  it('retries a payment whose invoice Stripe does not know yet (never guesses)', async () => {
    const p = ports();
    p.source.invoices.clear();
    const error = await syncBilling(paid('pi_a', 2000, 3), p).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DependencyMissingError);
  });

  it('registers an overpayment whole (the excess stays customer credit)', async () => {
    const p = ports();
    await syncBilling(finalized(), p);
    expect(await syncBilling(paid('pi_over', 6000, 3), p)).toMatchObject({ outcome: 'registered', invoicePaid: true });
    expect(p.ledger.state().invoices[0]?.payments).toEqual(['pi_over:6000']);
  });

  it('a failed attempt tags the partner past due with a note; the later success clears it — in either delivery order', async () => {
    for (const order of permutations<BillingEvent>([finalized(), failed(2), paid('pi_a', 5299, 3)])) {
      const p = ports();
      const state = await deliver(p, order);
      expect(state.standing.every((entry) => !entry.includes('Past due'))).toBe(true);
    }
    const p = ports();
    await deliver(p, [finalized(), failed(2)]);
    expect(p.ledger.state().standing).toEqual([expect.stringContaining('Past due')]);
    expect(p.ledger.notes.at(-1)?.body).toMatch(/card_declined.*Next attempt: 2026-11-06/);
  });
});

describe('the standing read of a payment that completes its invoice', () => {
  it('is taken before the payment is registered (where a batch’s reads meet and merge), and still clears a past-due tag', async () => {
    const p = ports();
    await deliver(p, [finalized(), failed(2)]);
    const order: string[] = [];
    const hasTag = p.ledger.partnerHasTag.bind(p.ledger);
    const register = p.ledger.registerPayment.bind(p.ledger);
    p.ledger.partnerHasTag = async (...args) => (order.push('partnerHasTag'), hasTag(...args));
    p.ledger.registerPayment = async (...args) => (order.push('registerPayment'), register(...args));
    expect(await syncBilling(paid('pi_all', 5299, 3), p)).toMatchObject({ outcome: 'registered', invoicePaid: true });
    expect(order).toEqual(['partnerHasTag', 'registerPayment']);
    expect(p.ledger.state().standing.every((entry) => !entry.includes('Past due'))).toBe(true);
  });

  it('is not taken for a first payment below the total (it cannot complete the invoice), nor needed', async () => {
    const p = ports();
    await syncBilling(finalized(), p);
    expect(await syncBilling(paid('pi_part', 2000, 3), p)).toMatchObject({ invoicePaid: false });
    expect(p.ledger.calls.get('partnerHasTag')).toBeUndefined();
  });

  it('a standing read that fails while the payment goes another way (the customer’s credit) is not left unhandled', async () => {
    const p = ports();
    await syncBilling(finalized(), p);
    await syncBilling(paid('pi_first', 5299, 3), p);
    p.ledger.partnerHasTag = async () => {
      throw new Error('standing read failed');
    };
    expect(await syncBilling(paid('pi_again', 5299, 4), p)).toMatchObject({ outcome: 'customer-credit' });
  });
});

describe('payments land in the bank journal of their source system', () => {
  it('a PayPal payment in the route naming `paypal`, a Stripe payment of the same currency in the catch-all route', async () => {
    const config: BillingConfig = {
      ...CONFIG,
      companies: [
        { account: '*', currency: '*', companyId: 1, salesJournalId: 1, bankJournalId: 6 },
        { source: 'paypal', account: '*', currency: '*', companyId: 1, salesJournalId: 1, bankJournalId: 8 },
      ],
    };
    const p = ports(config);
    const paypalInvoice = invoice({ system: 'paypal', id: 'INV2-TEST', number: null, lines: [invoice().lines[1]!], subtotal: 1999, totalTax: 0, total: 1999, amountRemaining: 1999 });
    p.source.invoices.set('INV2-TEST', paypalInvoice);
    p.source.customers.set(CUSTOMER, { ...p.source.customers.get(CUSTOMER)!, system: 'paypal' });
    const paypalPayment: PaymentSucceeded = {
      ...paid('8E2904407M872241P', 1999, 3),
      source: 'paypal',
      data: { payment: { system: 'paypal', account: null, customerId: CUSTOMER, id: '8E2904407M872241P', invoiceId: 'INV2-TEST', amount: 1999, currency: 'usd', paidAt: '2026-11-03T09:00:00Z' } },
    };

    await deliver(p, [finalized(), paid('pi_a', 5299, 3), paypalPayment]);

    const journals = Object.fromEntries([...p.ledger.payments_.values()].map((payment) => [payment.memo, payment.journalId]));
    expect(journals).toEqual({ pi_a: 6, '8E2904407M872241P': 8 });
  });
});

describe('invoice lifecycle', () => {
  it('a void wins over the finalization in any order: the same one cancelled invoice in Odoo', async () => {
    const inOrder = ports();
    const inOrderState = await deliver(inOrder, [finalized(), voided()]);
    expect(inOrderState).toMatchObject({ invoices: [{ state: 'cancel', total: 5299 }] });
    // The void overtakes the finalization: it posts the invoice from Stripe's snapshot, then cancels it.
    const reversed = ports();
    expect(await deliver(reversed, [voided(), finalized(), voided()])).toEqual(inOrderState);
    expect(await syncBilling(finalized(), reversed)).toMatchObject({ outcome: 'stale' });
  });

  it('uncollectible tags the partner and writes the remaining amount off with a credit note, once', async () => {
    const p = ports();
    await deliver(p, [finalized(), uncollectible(5299), uncollectible(5299, 7)]);
    const state = p.ledger.state();
    expect(state.invoices.map((move) => [move.type, move.state, move.total])).toEqual([
      ['out_invoice', 'posted', 5299],
      ['out_refund', 'posted', 5299],
    ]);
    expect(state.standing).toEqual([expect.stringContaining('Uncollectible')]);
  });

  it('uncollectible meeting an invoice whose posting was interrupted (a draft) posts it, then marks it: the mark is never lost', async () => {
    // Prepare: the finalization created the invoice, and a timeout came between its create and its post
    const p = ports();
    await deliver(p, [finalized()]);
    const [moveId] = [...p.ledger.moves.keys()];
    p.ledger.moves.get(moveId!)!.state = 'draft';
    // Act
    const outcome = await syncBilling(uncollectible(5299), p);
    // Assess
    expect(outcome).toMatchObject({ outcome: 'marked-uncollectible', moveId });
    expect(p.ledger.moves.get(moveId!)!.state).toBe('posted');
    expect(p.ledger.state().standing).toEqual([expect.stringContaining('Uncollectible')]);
  });

  it('writes off only what remains after a partial payment, untaxed', async () => {
    const p = ports();
    await deliver(p, [finalized(), paid('pi_a', 2000, 3), uncollectible(3299)]);
    const refund = p.ledger.state().invoices.find((move) => move.type === 'out_refund');
    expect(refund).toMatchObject({ state: 'posted', total: 3299, lines: 1 });
  });
});

describe('invoice.finalized of an invoice with more lines than its event carries', () => {
  /** The event as the ingest maps a webhook that embeds only the first line of the two. */
  const cutShort = () => finalized('evt_fin', 1, { ...invoice(), lines: invoice().lines.slice(0, 1), linesIncomplete: true });

  it('reads the complete lines from the provider, then posts every line with the provider’s total', async () => {
    // Prepare
    const p = ports();
    // Act
    const outcome = await syncBilling(cutShort(), p);
    // Assess
    expect(outcome).toMatchObject({ outcome: 'posted', total: 5299 });
    expect(p.ledger.state().invoices).toEqual([{ ref: INVOICE, type: 'out_invoice', state: 'posted', total: 5299, lines: 2, payments: [] }]);
    expect(p.source.invoiceLineCalls).toEqual([INVOICE]);
  });

  it('asks the provider nothing for an invoice whose event carries every line', async () => {
    const p = ports();
    await syncBilling(finalized(), p);
    expect(p.source.invoiceLineCalls).toEqual([]);
  });

  it('retries, posting nothing, while the provider does not know the invoice', async () => {
    const p = ports();
    p.source.invoices.clear();
    const error = await syncBilling(cutShort(), p).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DependencyMissingError);
    expect(isRetryable(error)).toBe(true);
    expect(p.ledger.state().invoices).toEqual([]);
  });

  it('fails permanently, posting nothing, when the provider’s list lacks a line the event carried', async () => {
    const p = ports();
    p.source.invoices.set(INVOICE, { ...invoice(), lines: invoice().lines.slice(1) });
    const error = await syncBilling(cutShort(), p).catch((caught: unknown) => caught);
    expect(isRetryable(error)).toBe(false);
    expect(String(error)).toContain('lacks line(s) il_1');
    expect(p.ledger.state().invoices).toEqual([]);
  });

  it('fails permanently, posting nothing, with a provider that cannot list lines', async () => {
    const p = ports();
    const withoutLines = { customer: (id: string) => p.source.customer(id), invoice: (id: string) => p.source.invoice(id) };
    const error = await syncBilling(cutShort(), { ...p, source: withoutLines }).catch((caught: unknown) => caught);
    expect(isRetryable(error)).toBe(false);
    expect(String(error)).toContain('first 1 lines');
    expect(p.ledger.state().invoices).toEqual([]);
  });
});

describe('Odoo calls per event (in-memory ledger, warm caches)', () => {
  it('counts the ledger calls of the usual path', async () => {
    const p = ports();
    await syncBilling(finalized(), p);
    const afterInvoice = p.ledger.totalCalls();
    await syncBilling(paid('pi_a', 2000, 3), p);
    const afterPartial = p.ledger.totalCalls();
    await syncBilling(paid('pi_b', 3299, 4), p);
    const afterFinal = p.ledger.totalCalls();
    // findDocument, partnerByExternalId, products, create(+post) — the partner upsert goes through the partner gateway.
    expect(afterInvoice).toBe(5);
    // readDocument, findPayment, registerPayment
    expect(afterPartial - afterInvoice).toBe(3);
    // + payments (sum of the matched ones), tagId (first time), partnerHasTag: not past due, so no write and no note
    expect(afterFinal - afterPartial).toBe(6);
  });
});
