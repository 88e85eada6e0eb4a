import { describe, expect, it } from 'vitest';
import {
  type DriftItem,
  DRIFT_KINDS,
  isOurReference as isOurStripeReference,
  type OdooMove,
  type OdooPayment,
  type ProviderDocuments,
  type ProviderInvoice,
  reconcile as reconcileWith,
} from '../../../functions/domain/reconciliation';
import { STRIPE_IN_ODOO } from '../../../functions/providers/stripe/stripe-provider-lister';

/** The rules, with Stripe's ids as the ids of ours (the domain takes them from the provider). */
const reconcile = (provider: ProviderDocuments, odoo: Parameters<typeof reconcileWith>[1]) => reconcileWith(provider, odoo, STRIPE_IN_ODOO.ours);
const isOurReference = (documentType: Parameters<typeof isOurStripeReference>[1], reference: string) => isOurStripeReference(STRIPE_IN_ODOO.ours, documentType, reference);

const invoice = (overrides: Partial<ProviderInvoice> = {}): ProviderInvoice => ({
  id: 'in_A',
  customerId: 'cus_A',
  currency: 'usd',
  total: 4999,
  status: 'paid',
  ...overrides,
});

let nextId = 100;
const move = (overrides: Partial<OdooMove> = {}): OdooMove => ({
  id: nextId++,
  moveType: 'out_invoice',
  ref: 'in_A',
  paymentReference: 'in_A',
  state: 'posted',
  paymentState: 'paid',
  amountTotal: 4999,
  currency: 'usd',
  partnerRef: 'cus_A',
  ...overrides,
});

const odooPayment = (overrides: Partial<OdooPayment> = {}): OdooPayment => ({
  id: nextId++,
  memo: 'inpay_A',
  paymentType: 'inbound',
  state: 'paid',
  amount: 4999,
  currency: 'usd',
  reconciledMoveIds: [],
  ...overrides,
});

/** Drift items without their remedy (asserted on its own below): what differs, not what to do. */
const drift = (items: readonly DriftItem[]) => items.map(({ remedy: _remedy, ...rest }) => rest);

const provider = (overrides: Partial<ProviderDocuments> = {}): ProviderDocuments => ({ invoices: [], payments: [], refunds: [], ...overrides });

describe('reconcile (provider documents vs Odoo)', () => {
  it('finds no drift when every document matches to the minor unit, state and partner', () => {
    // Prepare
    const invoiceMove = move();
    const refundCreditNote = move({ moveType: 'out_refund', ref: 'Refund re_A', paymentReference: 're_A', amountTotal: 1000, paymentState: 'paid' });
    const refundPayment = odooPayment({ memo: 're_A', paymentType: 'outbound', amount: 1000, reconciledMoveIds: [refundCreditNote.id] });
    // Act
    const result = reconcile(
      provider({
        invoices: [invoice()],
        payments: [{ id: 'inpay_A', invoiceId: 'in_A', amount: 4999, currency: 'usd', references: ['pi_A'] }],
        refunds: [{ id: 're_A', invoiceId: 'in_A', amount: 1000, currency: 'usd', status: 'succeeded' }],
      }),
      { moves: [invoiceMove, refundCreditNote], payments: [odooPayment({ reconciledMoveIds: [invoiceMove.id] }), refundPayment] },
    );
    // Assess
    expect(result.items).toEqual([]);
    expect(result.summary).toEqual({
      checked: { invoice: 1, payment: 1, refund: 1, credit_note: 0, dispute: 0 },
      drift: 0,
      byKind: Object.fromEntries(DRIFT_KINDS.map((kind) => [kind, 0])),
      byDocumentType: { invoice: 0, payment: 0, refund: 0, credit_note: 0, dispute: 0 },
    });
  });

  it('matches a negative invoice (a downgrade’s proration) with the credit note booking it, of the opposite total', () => {
    const creditNote = move({ moveType: 'out_refund', ref: 'in_DOWN', paymentReference: 'in_DOWN', paymentState: 'not_paid', amountTotal: 4900 });
    const result = reconcile(provider({ invoices: [invoice({ id: 'in_DOWN', total: -4900, status: 'paid' })] }), { moves: [creditNote], payments: [] });
    expect(result.items).toEqual([]);
    const wrong = reconcile(provider({ invoices: [invoice({ id: 'in_DOWN', total: -4900, status: 'paid' })] }), { moves: [{ ...creditNote, amountTotal: 4800 }], payments: [] });
    expect(wrong.items).toMatchObject([{ kind: 'amount_mismatch', documentType: 'invoice', providerId: 'in_DOWN', expected: 4900, actual: 4800 }]);
  });

  it('accepts a second payment of a paid invoice booked as the customer’s credit (reconciled with nothing), not one left unreconciled on an unpaid invoice', () => {
    const paidMove = move();
    const payments = [
      { id: 'inpay_A', invoiceId: 'in_A', amount: 4999, currency: 'usd' },
      { id: 'inpay_B', invoiceId: 'in_A', amount: 4999, currency: 'usd' },
    ];
    const credit = reconcile(provider({ invoices: [invoice()], payments }), {
      moves: [paidMove],
      payments: [odooPayment({ reconciledMoveIds: [paidMove.id] }), odooPayment({ memo: 'inpay_B', state: 'in_process' })],
    });
    expect(credit.items).toEqual([]);
    const unpaidMove = move({ paymentState: 'not_paid' });
    const stranded = reconcile(provider({ invoices: [invoice({ status: 'open' })], payments: [payments[1]!] }), { moves: [unpaidMove], payments: [odooPayment({ memo: 'inpay_B' })] });
    expect(stranded.items).toMatchObject([{ kind: 'payment_not_linked', documentType: 'payment', providerId: 'inpay_B', actual: 'not reconciled' }]);
  });

  it('a failed refund: its outbound payment must be cancelled, its credit note may stay (still owed to the customer)', () => {
    const refunds = [{ id: 're_F', invoiceId: 'in_A', amount: 1000, currency: 'usd', status: 'failed' as const }];
    const creditNote = move({ moveType: 'out_refund', ref: 'Refund re_F', paymentReference: 're_F', paymentState: 'not_paid', amountTotal: 1000 });
    const settled = reconcile(provider({ refunds }), { moves: [creditNote], payments: [odooPayment({ memo: 're_F', paymentType: 'outbound', amount: 1000, state: 'canceled' })] });
    expect(settled.items).toEqual([]);
    const stillPaid = reconcile(provider({ refunds }), { moves: [creditNote], payments: [odooPayment({ memo: 're_F', paymentType: 'outbound', amount: 1000 })] });
    expect(stillPaid.items).toMatchObject([{ kind: 'state_mismatch', documentType: 'refund', providerId: 're_F', expected: 'cancel', remedy: { action: 'manual' } }]);
  });

  it('reports a finalized invoice absent from Odoo as missing, with the total it should have', () => {
    const result = reconcile(provider({ invoices: [invoice({ id: 'in_GONE', status: 'open', total: 1200 })] }), { moves: [], payments: [] });
    expect(drift(result.items)).toEqual([{ kind: 'missing_in_odoo', documentType: 'invoice', providerId: 'in_GONE', expected: 1200, currency: 'usd' }]);
    expect(result.summary.byKind.missing_in_odoo).toBe(1);
  });

  it('does not expect drafts, nor voided invoices that never reached Odoo', () => {
    const result = reconcile(provider({ invoices: [invoice({ id: 'in_DRAFT', status: 'draft' }), invoice({ id: 'in_VOID', status: 'void' })] }), { moves: [], payments: [] });
    expect(result.items).toEqual([]);
    expect(result.summary.checked.invoice).toBe(1);
  });

  it('reports an amount mismatch to the minor unit, in zero- and three-decimal currencies', () => {
    // Prepare: JPY has no minor unit (5000 yen is 5000); KWD has three (12.345 KD is 12345 fils).
    const yen = move({ ref: 'in_JPY', paymentReference: 'in_JPY', currency: 'jpy', amountTotal: 4999 });
    const dinar = move({ ref: 'in_KWD', paymentReference: 'in_KWD', currency: 'kwd', amountTotal: 12344 });
    const exactDinar = move({ ref: 'in_KWD2', paymentReference: 'in_KWD2', currency: 'kwd', amountTotal: 12345 });
    // Act
    const result = reconcile(
      provider({
        invoices: [
          invoice({ id: 'in_JPY', currency: 'jpy', total: 5000 }),
          invoice({ id: 'in_KWD', currency: 'kwd', total: 12345 }),
          invoice({ id: 'in_KWD2', currency: 'kwd', total: 12345 }),
        ],
      }),
      { moves: [yen, dinar, exactDinar], payments: [] },
    );
    // Assess
    expect(drift(result.items)).toEqual([
      { kind: 'amount_mismatch', documentType: 'invoice', providerId: 'in_JPY', odooId: yen.id, expected: 5000, actual: 4999, currency: 'jpy' },
      { kind: 'amount_mismatch', documentType: 'invoice', providerId: 'in_KWD', odooId: dinar.id, expected: 12345, actual: 12344, currency: 'kwd' },
    ]);
  });

  it('reports a currency difference as an amount mismatch that says so', () => {
    const euro = move({ currency: 'eur' });
    const [item] = reconcile(provider({ invoices: [invoice()] }), { moves: [euro], payments: [] }).items;
    expect(item).toMatchObject({ kind: 'amount_mismatch', odooId: euro.id, detail: 'currency usd in the provider, eur in Odoo' });
  });

  it.each([
    { status: 'open', odoo: { state: 'posted', paymentState: 'paid' }, kind: 'payment_state_mismatch', expected: 'not_paid|partial', actual: 'paid' },
    { status: 'paid', odoo: { state: 'posted', paymentState: 'not_paid' }, kind: 'payment_state_mismatch', expected: 'paid|in_payment', actual: 'not_paid' },
    { status: 'paid', odoo: { state: 'posted', paymentState: 'partial' }, kind: 'payment_state_mismatch', expected: 'paid|in_payment', actual: 'partial' },
    { status: 'paid', odoo: { state: 'draft', paymentState: 'not_paid' }, kind: 'state_mismatch', expected: 'posted', actual: 'draft/not_paid' },
    { status: 'void', odoo: { state: 'posted', paymentState: 'not_paid' }, kind: 'state_mismatch', expected: 'cancel', actual: 'posted/not_paid' },
    { status: 'uncollectible', odoo: { state: 'cancel', paymentState: 'not_paid' }, kind: 'state_mismatch', expected: 'posted', actual: 'cancel/not_paid' },
  ] as const)('reports a $status invoice that Odoo holds as $odoo.state/$odoo.paymentState as $kind', ({ status, odoo, kind, expected, actual }) => {
    const odooMove = move(odoo);
    const result = reconcile(provider({ invoices: [invoice({ status })] }), { moves: [odooMove], payments: [] });
    expect(drift(result.items)).toEqual([
      { kind, documentType: 'invoice', providerId: 'in_A', odooId: odooMove.id, expected, actual, currency: 'usd', detail: `provider status ${status}` },
    ]);
    expect(result.items[0]!.remedy.action).toBe('manual');
  });

  it.each([
    { status: 'open', state: 'posted', paymentState: 'partial' },
    { status: 'paid', state: 'posted', paymentState: 'in_payment' },
    { status: 'void', state: 'cancel', paymentState: 'not_paid' },
    { status: 'void', state: 'posted', paymentState: 'reversed' },
    { status: 'uncollectible', state: 'posted', paymentState: 'not_paid' },
  ] as const)('accepts a $status invoice that Odoo holds as $state/$paymentState', ({ status, state, paymentState }) => {
    expect(reconcile(provider({ invoices: [invoice({ status })] }), { moves: [move({ state, paymentState })], payments: [] }).items).toEqual([]);
  });

  it('reports an invoice on another partner than the customer', () => {
    const odooMove = move({ partnerRef: 'cus_OTHER' });
    const result = reconcile(provider({ invoices: [invoice()] }), { moves: [odooMove], payments: [] });
    expect(drift(result.items)).toEqual([
      { kind: 'partner_mismatch', documentType: 'invoice', providerId: 'in_A', odooId: odooMove.id, expected: 'cus_A', actual: 'cus_OTHER', currency: 'usd' },
    ]);
  });

  it('compares the posted move and reports a second live one as a duplicate, ignoring a cancelled attempt', () => {
    // Prepare
    const cancelled = move({ state: 'cancel', paymentState: 'not_paid' });
    const posted = move();
    const duplicate = move();
    // Act
    const result = reconcile(provider({ invoices: [invoice()] }), { moves: [cancelled, duplicate, posted].reverse(), payments: [] });
    // Assess
    expect(drift(result.items)).toEqual([
      { kind: 'duplicate_in_odoo', documentType: 'invoice', providerId: 'in_A', odooId: duplicate.id, currency: 'usd', detail: `also in Odoo as ${posted.id}` },
    ]);
  });

  it('reports a document of ours that the provider does not have as an orphan, unless it is known outside the period or cancelled', () => {
    // Prepare
    const orphan = move({ ref: 'in_ORPHAN', paymentReference: 'in_ORPHAN', amountTotal: 700 });
    const lastMonth = move({ ref: 'in_LASTMONTH', paymentReference: 'in_LASTMONTH' });
    const cancelledOrphan = move({ ref: 'in_OLD', paymentReference: 'in_OLD', state: 'cancel' });
    const orphanPayment = odooPayment({ memo: 'inpay_ORPHAN', amount: 700 });
    // Act
    const result = reconcile(provider({ knownOutsidePeriod: new Set(['in_LASTMONTH']) }), { moves: [orphan, lastMonth, cancelledOrphan], payments: [orphanPayment] });
    // Assess
    expect(drift(result.items)).toEqual([
      { kind: 'orphan_in_odoo', documentType: 'invoice', providerId: 'in_ORPHAN', odooId: orphan.id, actual: 700, currency: 'usd' },
      { kind: 'orphan_in_odoo', documentType: 'payment', providerId: 'inpay_ORPHAN', odooId: orphanPayment.id, actual: 700, currency: 'usd' },
    ]);
  });

  it('never counts documents without a reference of ours (made by hand in Odoo) as orphans', () => {
    const handMade = [
      move({ ref: 'Consulting March', paymentReference: 'INV/2026/00042' }),
      move({ ref: null, paymentReference: null }),
      move({ moveType: 'in_invoice', ref: 'in_VENDOR', paymentReference: null }),
      move({ moveType: 'out_invoice', ref: 'inv_2026_7', paymentReference: null }),
    ];
    const handPayments = [odooPayment({ memo: 'INV/2026/00042' }), odooPayment({ memo: null }), odooPayment({ memo: 'in_A', paymentType: 'inbound' })];
    expect(reconcile(provider(), { moves: handMade, payments: handPayments }).items).toEqual([]);
    expect([isOurReference('invoice', 'in_1Pgc6t'), isOurReference('invoice', 'inv_1'), isOurReference('payment', 'inpay_1'), isOurReference('refund', 'pyr_1')]).toEqual([true, false, true, true]);
  });

  it('matches a payment by any of its references, checks its amount, state and that it pays the invoice', () => {
    // Prepare
    const invoiceMove = move();
    const otherMove = move({ ref: 'in_B', paymentReference: 'in_B' });
    const byCharge = odooPayment({ memo: 'ch_A', amount: 4990, state: 'draft', reconciledMoveIds: [otherMove.id] });
    // Act
    const result = reconcile(
      provider({ invoices: [invoice(), invoice({ id: 'in_B' })], payments: [{ id: 'inpay_A', invoiceId: 'in_A', amount: 4999, currency: 'usd', references: ['pi_A', 'ch_A'] }] }),
      { moves: [invoiceMove, otherMove], payments: [byCharge] },
    );
    // Assess
    expect(drift(result.items)).toEqual([
      { kind: 'amount_mismatch', documentType: 'payment', providerId: 'inpay_A', odooId: byCharge.id, expected: 4999, actual: 4990, currency: 'usd' },
      { kind: 'state_mismatch', documentType: 'payment', providerId: 'inpay_A', odooId: byCharge.id, expected: 'in_process|paid', actual: 'draft', currency: 'usd' },
      {
        kind: 'payment_not_linked',
        documentType: 'payment',
        providerId: 'inpay_A',
        odooId: byCharge.id,
        expected: `reconciled with move ${invoiceMove.id}`,
        actual: `reconciled with move ${otherMove.id}`,
        currency: 'usd',
        detail: 'invoice in_A',
      },
    ]);
  });

  it('reports a payment whose only Odoo record is cancelled as missing', () => {
    const cancelled = odooPayment({ state: 'canceled' });
    const result = reconcile(provider({ payments: [{ id: 'inpay_A', invoiceId: 'in_A', amount: 4999, currency: 'usd' }] }), { moves: [], payments: [cancelled] });
    expect(drift(result.items)).toEqual([
      { kind: 'missing_in_odoo', documentType: 'payment', providerId: 'inpay_A', odooId: cancelled.id, expected: 4999, currency: 'usd', detail: 'only a canceled payment in Odoo' },
    ]);
  });

  describe('money given back: a credit note AND an outbound payment of the amount settling it', () => {
    const refund = { id: 're_R', invoiceId: 'in_A', amount: 1000, currency: 'usd', status: 'succeeded' };
    const ownCreditNote = (overrides: Partial<OdooMove> = {}) => move({ moveType: 'out_refund', ref: 'Refund re_R', paymentReference: 're_R', amountTotal: 1000, paymentState: 'paid', ...overrides });
    const outbound = (overrides: Partial<OdooPayment> = {}) => odooPayment({ memo: 're_R', paymentType: 'outbound', amount: 1000, ...overrides });

    it('accepts the flows’ booking: its own credit note (partial, or the reversal wizard’s) paid out by one payment reconciled with it', () => {
      const partial = ownCreditNote();
      const whole = ownCreditNote({ ref: 'Reversal of: INV/2026/00001, Refund re_R', paymentReference: null });
      for (const creditNote of [partial, whole]) {
        expect(reconcile(provider({ refunds: [refund] }), { moves: [creditNote], payments: [outbound({ reconciledMoveIds: [creditNote.id] })] }).items).toEqual([]);
      }
    });

    it('a credit note with no outbound payment: not paid out (re-emit), or offset against its own invoice (by hand)', () => {
      const open = ownCreditNote({ paymentState: 'not_paid' });
      const notPaidOut = reconcile(provider({ refunds: [refund] }), { moves: [open], payments: [] });
      expect(notPaidOut.items).toMatchObject([{ kind: 'refund_not_paid_out', documentType: 'refund', providerId: 're_R', odooId: open.id, actual: 'no outbound payment', remedy: { action: 're-emit' } }]);

      const offset = ownCreditNote({ paymentState: 'paid' });
      const offsetResult = reconcile(provider({ refunds: [refund] }), { moves: [offset], payments: [] });
      expect(offsetResult.items).toMatchObject([{ kind: 'credit_note_offset', providerId: 're_R', odooId: offset.id, actual: 'credit note posted/paid, no outbound payment', remedy: { action: 'manual' } }]);
      expect(offsetResult.items[0]!.remedy.step).toMatch(/unreconcile .* from its invoice.*memo re_R/);

      const cancelledPayment = outbound({ state: 'canceled', reconciledMoveIds: [] });
      expect(reconcile(provider({ refunds: [refund] }), { moves: [open], payments: [cancelledPayment] }).items).toMatchObject([
        { kind: 'refund_not_paid_out', actual: `only a canceled outbound payment (${cancelledPayment.id})` },
      ]);
    });

    it('an outbound payment that settles no credit note, a wrong amount on either, a second payment', () => {
      const creditNote = ownCreditNote({ amountTotal: 900 });
      const loose = outbound();
      const second = outbound({ reconciledMoveIds: [creditNote.id] });
      const result = reconcile(provider({ refunds: [refund] }), { moves: [creditNote], payments: [loose, second] });
      expect(drift(result.items)).toEqual([
        { kind: 'duplicate_in_odoo', documentType: 'refund', providerId: 're_R', odooId: second.id, currency: 'usd', detail: `also in Odoo as ${loose.id}` },
        { kind: 'amount_mismatch', documentType: 'refund', providerId: 're_R', odooId: creditNote.id, expected: 1000, actual: 900, currency: 'usd' },
        {
          kind: 'payment_not_linked',
          documentType: 'refund',
          providerId: 're_R',
          odooId: loose.id,
          expected: `reconciled with credit note ${creditNote.id}`,
          actual: 'not reconciled',
          currency: 'usd',
        },
      ]);
      const noCreditNote = reconcile(provider({ refunds: [refund] }), { moves: [], payments: [outbound()] });
      expect(noCreditNote.items).toMatchObject([{ kind: 'payment_not_linked', expected: 'reconciled with a credit note of the same amount' }]);
    });

    it('finds the credit note the payment settles even when no reference names the refund (a provider credit note paying out several refunds)', () => {
      const providerCreditNote = move({ moveType: 'out_refund', ref: 'cn_MANY', paymentReference: 're_R re_S', amountTotal: 1500, paymentState: 'partial' });
      const result = reconcile(
        provider({ refunds: [refund], creditNotes: [{ id: 'cn_MANY', invoiceId: 'in_A', total: 1500, currency: 'usd', status: 'issued', refundIds: ['re_R', 're_S'] }] }),
        { moves: [providerCreditNote], payments: [outbound({ reconciledMoveIds: [providerCreditNote.id] })] },
      );
      expect(result.items).toEqual([]);
    });

    it('reconciles refunds missing in Odoo and failed ones Odoo must not hold as paid out', () => {
      const failedInOdoo = odooPayment({ memo: 're_FAILED', paymentType: 'outbound', amount: 100 });
      const result = reconcile(
        provider({
          refunds: [
            { id: 're_MISSING', invoiceId: null, amount: 300, currency: 'kwd', status: 'succeeded' },
            { id: 're_FAILED', invoiceId: null, amount: 100, currency: 'usd', status: 'failed' },
          ],
        }),
        { moves: [], payments: [failedInOdoo] },
      );
      expect(drift(result.items)).toEqual([
        { kind: 'missing_in_odoo', documentType: 'refund', providerId: 're_MISSING', expected: 300, currency: 'kwd' },
        { kind: 'state_mismatch', documentType: 'refund', providerId: 're_FAILED', odooId: failedInOdoo.id, expected: 'cancel', actual: 'paid', currency: 'usd', detail: 'provider status failed: no money left' },
      ]);
      expect(result.summary.byDocumentType).toEqual({ invoice: 0, payment: 0, refund: 2, credit_note: 0, dispute: 0 });
      expect(result.items[0]!.remedy.action).toBe('re-emit');
    });

    it('a lost dispute: its credit note (marker "Lost dispute <id>") paid out by the chargeback; one not lost holds no live chargeback', () => {
      const lost = { id: 'dp_L', amount: 12000, currency: 'usd', status: 'lost', lost: true };
      const creditNote = move({ moveType: 'out_refund', ref: 'Reversal of: INV/2026/00007, Lost dispute dp_L', paymentReference: null, amountTotal: 12000, paymentState: 'paid' });
      const chargeback = odooPayment({ memo: 'dp_L', paymentType: 'outbound', amount: 12000, reconciledMoveIds: [creditNote.id] });
      expect(reconcile(provider({ disputes: [lost] }), { moves: [creditNote], payments: [chargeback] }).items).toEqual([]);
      expect(reconcile(provider({ disputes: [lost] }), { moves: [], payments: [] }).items).toMatchObject([{ kind: 'missing_in_odoo', documentType: 'dispute', providerId: 'dp_L', remedy: { action: 're-emit' } }]);
      expect(reconcile(provider({ disputes: [lost] }), { moves: [creditNote], payments: [] }).items).toMatchObject([{ kind: 'credit_note_offset', documentType: 'dispute' }]);
      expect(reconcile(provider({ disputes: [{ ...lost, status: 'won', lost: false }] }), { moves: [], payments: [chargeback] }).items).toMatchObject([
        { kind: 'state_mismatch', documentType: 'dispute', expected: 'cancel', odooId: chargeback.id },
      ]);
      // Not claimed by a dispute of the period and unknown to the provider: an orphan chargeback.
      expect(reconcile(provider(), { moves: [], payments: [chargeback] }).items).toMatchObject([{ kind: 'orphan_in_odoo', documentType: 'dispute', providerId: 'dp_L' }]);
    });

    it('a provider credit note: one posted out_refund of its total, or its refunds’ own credit notes carrying that total; void: none live', () => {
      const issued = { id: 'cn_A', invoiceId: 'in_A', total: 3000, currency: 'usd', status: 'issued' as const, refundIds: ['re_R'] };
      const booked = move({ moveType: 'out_refund', ref: 'cn_A', paymentReference: 're_R', amountTotal: 3000, paymentState: 'not_paid' });
      expect(reconcile(provider({ creditNotes: [issued] }), { moves: [booked], payments: [] }).items).toEqual([]);
      expect(reconcile(provider({ creditNotes: [issued] }), { moves: [{ ...booked, amountTotal: 2000 }], payments: [] }).items).toMatchObject([
        { kind: 'amount_mismatch', documentType: 'credit_note', expected: 3000, actual: 2000 },
      ]);
      expect(reconcile(provider({ creditNotes: [issued] }), { moves: [], payments: [] }).items).toMatchObject([{ kind: 'missing_in_odoo', documentType: 'credit_note', providerId: 'cn_A' }]);
      // Rule 3: the refund was booked first, with its own credit note of the same total.
      const refundsOwn = move({ moveType: 'out_refund', ref: 'Refund re_R', paymentReference: 're_R', amountTotal: 3000 });
      expect(reconcile(provider({ creditNotes: [issued] }), { moves: [refundsOwn], payments: [] }).items).toEqual([]);
      expect(reconcile(provider({ creditNotes: [{ ...issued, status: 'void' }] }), { moves: [booked], payments: [] }).items).toMatchObject([
        { kind: 'state_mismatch', documentType: 'credit_note', expected: 'cancel' },
      ]);
      expect(reconcile(provider(), { moves: [booked], payments: [] }).items).toMatchObject([{ kind: 'orphan_in_odoo', documentType: 'credit_note', providerId: 'cn_A' }]);
    });
  });

  it('gives every drift kind a remedy: re-emit where the flows can repair it, a step by hand otherwise', () => {
    const kinds = new Map<string, string>();
    const result = reconcile(
      provider({
        invoices: [invoice({ id: 'in_GONE' }), invoice({ id: 'in_B', total: 100, status: 'paid' })],
        refunds: [{ id: 're_R', invoiceId: null, amount: 10, currency: 'usd', status: 'succeeded' }],
      }),
      { moves: [move({ ref: 'in_B', paymentReference: 'in_B', amountTotal: 90, paymentState: 'partial', partnerRef: 'cus_X' }), move({ ref: 'in_ZZ', paymentReference: 'in_ZZ' })], payments: [] },
    );
    for (const item of result.items) kinds.set(item.kind, item.remedy.action);
    expect(Object.fromEntries(kinds)).toEqual({
      missing_in_odoo: 're-emit',
      amount_mismatch: 'manual',
      payment_state_mismatch: 'manual',
      partner_mismatch: 'manual',
      orphan_in_odoo: 'manual',
    });
    for (const item of result.items) expect(item.remedy.step.length).toBeGreaterThan(20);
  });
});
