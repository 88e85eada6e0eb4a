/**
 * Refunds and credit notes over the real Odoo client and the Odoo billing ledger, against the Odoo sandbox:
 * Odoo 18 over JSON-RPC, Odoo 19 over JSON-2. Every case reads back what a finance user sees in Odoo: the
 * credit notes (amounts, references, what they reverse, payment state) and the payments (direction, journal,
 * what they are reconciled with).
 */
import { describe, expect, it } from 'vitest';
import type { DocumentLine, LineTax } from '../../../events/billing-parts';
import type { CreditNoteIssued } from '../../../events/credit-note-issued';
import type { InvoiceFinalized, InvoiceSnapshot } from '../../../events/invoice-finalized';
import type { PaymentSucceeded } from '../../../events/payment-succeeded';
import type { RefundCreated } from '../../../events/refund-created';
import { type OdooClient, odooAmountToMinor, type OdooRecord, searchRead } from '../../../functions/erp/odoo';
import type { CreditNoteSnapshot, RefundSnapshot } from '../../../functions/domain/billing-ledger';
import { CreditExceedsInvoiceError, DependencyMissingError } from '../../../functions/domain/invoice-errors';
import { syncBilling } from '../../../functions/flows/billing-sync/sync-billing';
import { isRetryable } from '../../../functions/platform/errors';
import { createSaleTax, SANDBOX_BANK_JOURNAL, SANDBOX_TARGETS, sandboxBillingConfig, sandboxBillingPorts, sandboxForSuite } from './sandbox-fixture';
import { canonicalEnvelopes } from '../../support/canonical-envelopes';

const API_KEY = 'refund-contract-key';
const CUSTOMER = 'cus_REF1';

const tax = (amount: number, percentage: string): LineTax => ({ amount, taxableAmount: null, taxRateId: null, percentage, inclusive: false, label: `VAT ${percentage}%` });
const line = (id: string, amount: number, overrides: Partial<DocumentLine> = {}): DocumentLine => ({
  id, description: `Item ${id}`, priceId: `price_${id}`, productId: null, quantity: 1, amount, discountAmount: 0, taxes: [],
  periodStart: null, periodEnd: null, proration: false, ...overrides,
});
function invoice(id: string, currency: string, lines: DocumentLine[]): InvoiceSnapshot {
  const subtotal = lines.reduce((sum, l) => sum + l.amount, 0);
  const totalTax = lines.flatMap((l) => l.taxes).reduce((sum, t) => sum + t.amount, 0);
  return {
    system: 'stripe', account: null, customerId: CUSTOMER, id, number: `N-${id}`, subscriptionId: null, currency, issuedAt: '2026-11-01T10:00:00Z',
    dueAt: null, billingReason: 'subscription_cycle', lines, subtotal, totalDiscount: 0, totalTax, total: subtotal + totalTax, amountPaid: 0,
    amountRemaining: subtotal + totalTax, livemode: false,
  };
}
const envelope = canonicalEnvelopes({ start: '2026-11-05T10:00:00Z' });
const finalized = (snapshot: InvoiceSnapshot): InvoiceFinalized => ({ ...envelope('invoice.finalized', `stripe:invoice:${snapshot.id}`), type: 'invoice.finalized', data: { invoice: snapshot } });
const paid = (snapshot: InvoiceSnapshot): PaymentSucceeded => ({
  ...envelope('payment.succeeded', `stripe:invoice:${snapshot.id}`), type: 'payment.succeeded',
  data: { payment: { system: 'stripe', account: null, customerId: CUSTOMER, id: `pi_${snapshot.id}`, invoiceId: snapshot.id, amount: snapshot.total, currency: snapshot.currency, paidAt: '2026-11-02T09:00:00Z' } },
});
const refundOf = (id: string, invoiceId: string, amount: number, currency = 'usd'): RefundSnapshot => ({
  system: 'stripe', account: null, id, chargeId: `ch_${id}`, paymentIntentId: `pi_${invoiceId}`, invoiceId, customerId: CUSTOMER, amount, currency,
  reason: 'requested_by_customer', status: 'succeeded', createdAt: '2026-11-06T12:00:00Z',
});
const refunded = (refund: RefundSnapshot): RefundCreated => ({ ...envelope('refund.created', `stripe:refund:${refund.id}`), type: 'refund.created', data: { refund } });
const issued = (creditNote: CreditNoteSnapshot): CreditNoteIssued => ({ ...envelope('credit_note.issued', `stripe:credit_note:${creditNote.id}`), type: 'credit_note.issued', data: { creditNote } });

describe.each(SANDBOX_TARGETS)('refunds and credit notes against the Odoo $version sandbox over $transport', (target) => {
  const sandbox = sandboxForSuite(target, API_KEY);
  let client: OdooClient;
  let calls: string[];

  async function setup() {
    envelope.reset();
    calls = [];
    client = sandbox.freshClient((operation) => calls.push(operation));
    const vat = await createSaleTax(client, 'VAT 19%', 19);
    const config = sandboxBillingConfig([{ percentage: '19', inclusive: false, companyId: 1, odooTaxId: vat }]);
    return sandboxBillingPorts(client, config, { system: 'stripe', id: CUSTOMER, name: 'Refund Corp', email: 'ap@refund.example', phone: null, address: null, currency: 'usd', livemode: false, links: [], taxId: null });
  }
  type Ports = Awaited<ReturnType<typeof setup>>;

  /** An invoice posted and paid through the flows, as a refund finds it. */
  async function paidInvoice(ports: Ports, snapshot: InvoiceSnapshot): Promise<number> {
    await syncBilling(finalized(snapshot), ports);
    await syncBilling(paid(snapshot), ports);
    const [move] = await searchRead(client, 'account.move', [['ref', '=', snapshot.id], ['move_type', '=', 'out_invoice']], ['state']);
    return move!.id;
  }

  const decimalsOf = async (record: OdooRecord) =>
    Number((await client.call<OdooRecord[]>('res.currency', 'read', { ids: [(record.currency_id as [number, string])[0]], fields: ['decimal_places'] }))[0]!.decimal_places);

  /** The customer credit notes and outbound payments as finance reads them, amounts in minor units, no ids. */
  async function financeView(invoiceId: number) {
    const notes = await searchRead(
      client, 'account.move', [['move_type', '=', 'out_refund']],
      ['ref', 'payment_reference', 'state', 'payment_state', 'amount_total', 'amount_tax', 'currency_id', 'reversed_entry_id', 'partner_id', 'invoice_line_ids'],
      { order: 'id asc' },
    );
    const payments = await searchRead(
      client, 'account.payment', [['payment_type', '=', 'outbound']],
      ['memo', 'amount', 'payment_type', 'partner_type', 'journal_id', 'reconciled_invoice_ids', 'state', 'currency_id', 'partner_id'],
      { order: 'id asc' },
    );
    const refOf = new Map(notes.map((note) => [note.id, note.ref]));
    return {
      creditNotes: await Promise.all(notes.map(async (note) => {
        const decimals = await decimalsOf(note);
        return {
          ref: note.ref, paymentReference: note.payment_reference, state: note.state, paymentState: note.payment_state,
          total: odooAmountToMinor(Number(note.amount_total), decimals), tax: odooAmountToMinor(Number(note.amount_tax), decimals),
          reversesInvoice: (note.reversed_entry_id as [number, string] | false) !== false && (note.reversed_entry_id as [number, string])[0] === invoiceId,
          lines: (note.invoice_line_ids as number[]).length,
        };
      })),
      payments: await Promise.all(payments.map(async (payment) => ({
        memo: payment.memo, amount: odooAmountToMinor(Number(payment.amount), await decimalsOf(payment)), direction: payment.payment_type, partnerType: payment.partner_type,
        journal: (payment.journal_id as [number, string])[0], state: payment.state,
        reconciledWith: (payment.reconciled_invoice_ids as number[]).map((id) => refOf.get(id) ?? `invoice ${id === invoiceId ? 'itself' : id}`),
      }))),
    };
  }

  it('partial refund → a credit note of exactly the amount, reversing the invoice, paid by an outbound customer payment in the bank journal', async () => {
    // Prepare
    const ports = await setup();
    const snapshot = invoice('in_part', 'usd', [line('plan', 10000, { taxes: [tax(1900, '19')] })]);
    const invoiceId = await paidInvoice(ports, snapshot);
    calls = [];
    // Act
    const outcome = await syncBilling(refunded(refundOf('re_part', 'in_part', 2500)), ports);
    const refundCalls = [...calls];
    // Assess
    expect(outcome).toMatchObject({ outcome: 'refunded', creditNote: 'partial' });
    expect(await financeView(invoiceId)).toEqual({
      creditNotes: [{ ref: 'Refund re_part', paymentReference: 're_part', state: 'posted', paymentState: 'paid', total: 2500, tax: 0, reversesInvoice: true, lines: 1 }],
      payments: [{ memo: 're_part', amount: 2500, direction: 'outbound', partnerType: 'customer', journal: SANDBOX_BANK_JOURNAL, state: 'paid', reconciledWith: ['Refund re_part'] }],
    });
    const [invoiceRecord] = await client.call<OdooRecord[]>('account.move', 'read', { ids: [invoiceId], fields: ['payment_state', 'amount_total'] });
    expect(invoiceRecord).toMatchObject({ payment_state: 'paid', amount_total: 119 });
    // Identity map warm (invoice): read the invoice, find the payment by memo, the invoice's credit notes, create + post + read
    // the credit note and link it to the invoice after posting (so Odoo does not offset it against the invoice), the payment
    // wizard on the credit note's open receivable item (search, create) + action_create_payments.
    expect(refundCalls).toEqual([
      'account.move.read', 'account.payment.search_read', 'account.move.search_read', 'account.move.create', 'account.move.action_post', 'account.move.read',
      'account.move.write', 'account.move.line.search_read', 'account.payment.register.create', 'account.payment.register.action_create_payments',
    ]);
  });

  it('full refund → the reversal wizard mirrors the invoice’s lines and tax, paid back whole', async () => {
    const ports = await setup();
    const snapshot = invoice('in_full', 'usd', [line('plan', 10000, { taxes: [tax(1900, '19')] }), line('setup', 1999)]);
    const invoiceId = await paidInvoice(ports, snapshot);
    const outcome = await syncBilling(refunded(refundOf('re_full', 'in_full', 13899)), ports);
    expect(outcome).toMatchObject({ outcome: 'refunded', creditNote: 'full' });
    const view = await financeView(invoiceId);
    expect(view.creditNotes).toEqual([{ ref: expect.stringMatching(/^Reversal of: .*, Refund re_full$/), paymentReference: false, state: 'posted', paymentState: 'paid', total: 13899, tax: 1900, reversesInvoice: true, lines: 2 }]);
    expect(view.payments).toEqual([{ memo: 're_full', amount: 13899, direction: 'outbound', partnerType: 'customer', journal: SANDBOX_BANK_JOURNAL, state: 'paid', reconciledWith: [view.creditNotes[0]!.ref] }]);
  });

  it.each([
    // 1234 yen (0 decimals) and 5.005 KWD (3 decimals: the single line needs quantity 0.1 with 2-decimal prices).
    { currency: 'jpy', lines: [line('a', 4980), line('b', 1000, { quantity: 3 })], refund: 1234 },
    { currency: 'kwd', lines: [line('a', 12345, { quantity: 7 }), line('b', 1230)], refund: 5005 },
  ])('$currency refund → exact to the minor unit', async ({ currency, lines, refund }) => {
    const ports = await setup();
    const snapshot = invoice(`in_${currency}`, currency, lines);
    const invoiceId = await paidInvoice(ports, snapshot);
    await syncBilling(refunded(refundOf(`re_${currency}`, snapshot.id, refund, currency)), ports);
    const view = await financeView(invoiceId);
    expect(view.creditNotes).toEqual([expect.objectContaining({ total: refund, state: 'posted', paymentState: 'paid', reversesInvoice: true })]);
    expect(view.payments).toEqual([expect.objectContaining({ memo: `re_${currency}`, amount: refund, direction: 'outbound' })]);
  });

  it('a duplicate delivery, even with the identity map lost, books no second credit note or payment', async () => {
    const ports = await setup();
    const invoiceId = await paidInvoice(ports, invoice('in_dup', 'usd', [line('plan', 5000)]));
    const event = refunded(refundOf('re_dup', 'in_dup', 1500));
    await syncBilling(event, ports);
    const once = await financeView(invoiceId);
    calls = [];
    expect(await syncBilling(event, ports)).toMatchObject({ outcome: 'already-refunded' });
    expect(calls).toEqual([]);
    ports.identityMap.links.clear();
    expect(await syncBilling(event, ports)).toMatchObject({ outcome: 'already-refunded' });
    expect(await financeView(invoiceId)).toEqual(once);
    expect(once.creditNotes).toHaveLength(1);
    expect(once.payments).toHaveLength(1);
  });

  describe('a Stripe credit note paying out a refund: one credit note whichever comes first', () => {
    /** Credits 20.00 + 19% VAT of a 100.00 + VAT invoice and pays it out with refund re_cn. */
    const creditNote: CreditNoteSnapshot = {
      system: 'stripe', account: null, customerId: CUSTOMER, id: 'cn_1', number: 'N-in_cn-CN-01', invoiceId: 'in_cn', currency: 'usd', reason: 'order_change',
      lines: [line('cnli_1', 2000, { priceId: null, description: 'Pro plan (credit)', taxes: [tax(380, '19')] })],
      subtotal: 2000, totalTax: 380, total: 2380, refundIds: ['re_cn'], issuedAt: '2026-11-06T11:59:00Z',
    };
    const expected = {
      creditNotes: [{ ref: 'cn_1', paymentReference: 're_cn', state: 'posted', paymentState: 'paid', total: 2380, tax: 380, reversesInvoice: true, lines: 1 }],
      payments: [{ memo: 're_cn', amount: 2380, direction: 'outbound', partnerType: 'customer', journal: SANDBOX_BANK_JOURNAL, state: 'paid', reconciledWith: ['cn_1'] }],
    };

    it.each([
      ['credit note, then refund', ['credit_note', 'refund', 'refund', 'credit_note']],
      ['refund, then credit note', ['refund', 'credit_note', 'credit_note', 'refund']],
    ] as const)('%s (each twice) → Stripe’s credit note with its lines and tax, paid by the refund', async (_name, order) => {
      // Prepare: Stripe created the credit note and its refund together.
      const ports = await setup();
      ports.source.creditNotes.set(creditNote.id, creditNote);
      const invoiceId = await paidInvoice(ports, invoice('in_cn', 'usd', [line('plan', 10000, { taxes: [tax(1900, '19')] })]));
      // Act
      for (const kind of order) {
        await syncBilling(kind === 'refund' ? refunded(refundOf('re_cn', 'in_cn', 2380)) : issued(creditNote), ports);
      }
      // Assess
      expect(await financeView(invoiceId)).toEqual(expected);
    });

    it('late link: a credit note made after its refund was booked alone adds no second credit note and says so on it', async () => {
      // Prepare: Stripe knew no credit note for the refund when it was booked.
      const ports = await setup();
      const invoiceId = await paidInvoice(ports, invoice('in_cn', 'usd', [line('plan', 10000, { taxes: [tax(1900, '19')] })]));
      await syncBilling(refunded(refundOf('re_cn', 'in_cn', 2380)), ports);
      // Act
      const outcome = await syncBilling(issued(creditNote), ports);
      // Assess
      expect(outcome).toMatchObject({ outcome: 'covered-by-refunds', refundIds: ['re_cn'] });
      const view = await financeView(invoiceId);
      expect(view.creditNotes).toEqual([{ ref: 'Refund re_cn', paymentReference: 're_cn', state: 'posted', paymentState: 'paid', total: 2380, tax: 0, reversesInvoice: true, lines: 1 }]);
      expect(view.payments).toEqual([expect.objectContaining({ memo: 're_cn', amount: 2380, reconciledWith: ['Refund re_cn'] })]);
      const [note] = await searchRead(client, 'account.move', [['ref', '=', 'Refund re_cn']], ['id']);
      const messages = await searchRead(client, 'mail.message', [['model', '=', 'account.move'], ['res_id', '=', note!.id]], ['body']);
      expect(messages.map((message) => String(message.body))).toEqual([expect.stringContaining('Stripe credit note N-in_cn-CN-01 (cn_1) covers refund re_cn')]);
    });
  });

  it('invoice not in Odoo → retryable, nothing written', async () => {
    const ports = await setup();
    const error = await syncBilling(refunded(refundOf('re_orphan', 'in_missing', 1000)), ports).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DependencyMissingError);
    expect(isRetryable(error)).toBe(true);
    expect(await searchRead(client, 'account.move', [['move_type', '=', 'out_refund']], ['id'])).toEqual([]);
    expect(await searchRead(client, 'account.payment', [], ['id'])).toEqual([]);
  });

  it('currency mismatch → permanent, with no write in Odoo', async () => {
    const ports = await setup();
    const invoiceId = await paidInvoice(ports, invoice('in_usd', 'usd', [line('plan', 5000)]));
    const before = { moves: await searchRead(client, 'account.move', [], ['id']), payments: await searchRead(client, 'account.payment', [], ['id']) };
    calls = [];
    const error = await syncBilling(refunded(refundOf('re_eur', 'in_usd', 1000, 'eur')), ports).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CreditExceedsInvoiceError);
    expect(isRetryable(error)).toBe(false);
    expect(String(error)).toMatch(/re_eur is in EUR.*in USD: nothing was booked/);
    expect(calls.filter((operation) => !operation.endsWith('.read') && !operation.endsWith('.search_read'))).toEqual([]);
    expect({ moves: await searchRead(client, 'account.move', [], ['id']), payments: await searchRead(client, 'account.payment', [], ['id']) }).toEqual(before);
    expect((await financeView(invoiceId)).creditNotes).toEqual([]);
  });

  it('credit_note.issued without refunds → an open credit note with Stripe’s lines and total; a duplicate changes nothing', async () => {
    const ports = await setup();
    const invoiceId = await paidInvoice(ports, invoice('in_credit', 'usd', [line('plan', 10000, { taxes: [tax(1900, '19')] })]));
    const creditNote: CreditNoteSnapshot = {
      system: 'stripe', account: null, customerId: CUSTOMER, id: 'cn_balance', number: null, invoiceId: 'in_credit', currency: 'usd', reason: null,
      lines: [line('cnli_b', 1005, { priceId: null, taxes: [tax(191, '19')] })], subtotal: 1005, totalTax: 191, total: 1196, refundIds: [], issuedAt: '2026-11-07T10:00:00Z',
    };
    calls = [];
    expect(await syncBilling(issued(creditNote), ports)).toMatchObject({ outcome: 'posted', total: 1196 });
    const firstCalls = [...calls];
    expect(await syncBilling(issued(creditNote), ports)).toMatchObject({ outcome: 'already-posted' });
    // Posted with reversed_entry_id, the credit note is reconciled with what the invoice leaves open on its
    // receivable: nothing on 19 (the payment reconciled it), everything on 18, whose wizard payment leaves the
    // receivable open (recorded on real servers: test/contract/odoo/real-odoo-cases/recorded/*/credit_note.offset_after_invoice_paid).
    expect(await financeView(invoiceId)).toEqual({
      creditNotes: [
        { ref: 'cn_balance', paymentReference: 'cn_balance', state: 'posted', paymentState: target.version === '18.0' ? 'paid' : 'not_paid', total: 1196, tax: 191, reversesInvoice: true, lines: 1 },
      ],
      payments: [],
    });
    // read the invoice, its credit notes, create + post + read the credit note (taxes cached by the invoice before).
    expect(firstCalls).toEqual(['account.move.read', 'account.move.search_read', 'account.move.create', 'account.move.action_post', 'account.move.read']);
  });
});
