/**
 * Line taxes that name only their provider tax rate (Stripe webhooks: `tax_rate_details.tax_rate`, no
 * percentage) under a billing config that maps taxes by percentage, as the `local` stage's does.
 */
import { describe, expect, it } from 'vitest';
import type { DocumentLine, LineTax } from '../../../../events/billing-parts';
import type { CreditNoteIssued } from '../../../../events/credit-note-issued';
import type { InvoiceFinalized, InvoiceSnapshot } from '../../../../events/invoice-finalized';
import type { BillingConfig } from '../../../../functions/domain/billing-config';
import type { BillingSource, CreditNoteSnapshot } from '../../../../functions/domain/billing-ledger';
import { UnknownTaxRateError } from '../../../../functions/domain/invoice-errors';
import { taxRatesToResolve, withProviderTaxRates } from '../../../../functions/domain/invoice-taxes';
import { UnmappedTaxError } from '../../../../functions/domain/odoo-document-lines';
import type { BillingSyncPorts } from '../../../../functions/flows/billing-sync/billing-sync-ports';
import { syncBilling } from '../../../../functions/flows/billing-sync/sync-billing';
import { isRetryable } from '../../../../functions/platform/errors';
import { InMemoryIdentityMap, InMemoryPartners, InMemoryWatermarks, customerIdentityTestPorts } from '../../../support/in-memory-ports';
import { InMemoryBillingSource, InMemoryLedger } from '../../../support/in-memory-billing';
import { canonicalEnvelopes } from '../../../support/canonical-envelopes';

/** Taxes by percentage only, like FRESH_ODOO_BILLING (lib/config/stages.ts): Odoo tax 11 is 10 % excluded, 20 is 19 % included. */
const CONFIG: BillingConfig = {
  companies: [{ account: null, currency: '*', companyId: 1, salesJournalId: 1, bankJournalId: 6 }],
  taxes: [
    { percentage: '10', inclusive: false, companyId: 1, odooTaxId: 11 },
    { percentage: '19', inclusive: true, companyId: 1, odooTaxId: 20 },
  ],
  writeOffUncollectible: false,
  standingTags: { pastDue: 'Past due', disputed: 'Disputed', uncollectible: 'Uncollectible' },
};
const CUSTOMER = 'cus_T1';

/** A line tax as the ingest maps a webhook's: the tax rate id, no percentage, no label. */
const idOnly = (amount: number, taxRateId: string, inclusive = false): LineTax => ({ amount, taxableAmount: null, taxRateId, percentage: null, inclusive, label: null });
const line = (id: string, amount: number, taxes: LineTax[]): DocumentLine => ({
  id, description: `Item ${id}`, priceId: `price_${id}`, productId: null, quantity: 1, amount, discountAmount: 0, taxes,
  periodStart: null, periodEnd: null, proration: false,
});
function invoice(id: string, lines: DocumentLine[]): InvoiceSnapshot {
  const subtotal = lines.reduce((sum, l) => sum + l.amount, 0);
  const taxes = lines.flatMap((l) => l.taxes);
  const exclusive = taxes.filter((t) => !t.inclusive).reduce((sum, t) => sum + t.amount, 0);
  const total = subtotal + exclusive;
  return {
    system: 'stripe', account: null, customerId: CUSTOMER, id, number: `T-${id}`, subscriptionId: null, currency: 'usd',
    issuedAt: '2026-11-01T10:00:00Z', dueAt: null, billingReason: 'subscription_cycle', lines, subtotal, totalDiscount: 0,
    totalTax: taxes.reduce((sum, t) => sum + t.amount, 0), total, amountPaid: 0, amountRemaining: total, livemode: false,
  };
}
const envelope = canonicalEnvelopes({ start: '2026-11-01T10:00:00Z' });
const finalized = (snapshot: InvoiceSnapshot): InvoiceFinalized => ({ ...envelope('invoice.finalized', `stripe:invoice:${snapshot.id}`), type: 'invoice.finalized', data: { invoice: snapshot } });
const issued = (creditNote: CreditNoteSnapshot): CreditNoteIssued => ({
  ...envelope('credit_note.issued', `stripe:credit_note:${creditNote.id}`), type: 'credit_note.issued', data: { creditNote },
});

function ports(config: BillingConfig = CONFIG) {
  const ledger = new InMemoryLedger();
  ledger.taxRates.set(20, { id: 20, percent: '19', priceInclude: true });
  const source = new InMemoryBillingSource();
  source.customers.set(CUSTOMER, { system: 'stripe', id: CUSTOMER, name: 'Taxed Inc', email: 'ap@taxed.example', phone: null, address: null, currency: 'usd', livemode: false, links: [], taxId: null });
  source.taxRates.set('txr_ten', { id: 'txr_ten', percentage: '10', inclusive: false, label: 'Sales tax US' });
  source.taxRates.set('txr_vat_incl', { id: 'txr_vat_incl', percentage: '19', inclusive: true, label: 'VAT DE' });
  const p = { ledger, source, partners: new InMemoryPartners(), identityMap: new InMemoryIdentityMap(), ...customerIdentityTestPorts(), watermarks: new InMemoryWatermarks(), config };
  return p satisfies BillingSyncPorts;
}

describe('line taxes naming only their tax rate', () => {
  it('post with Stripe’s total once the rate’s percentage is read from the provider, once per rate per event', async () => {
    // Prepare: 30.00 and 19.99 at 10 % excluded (3.00 and 2.00 as Stripe rounds per line).
    const p = ports();
    const snapshot = invoice('in_excl', [line('a', 3000, [idOnly(300, 'txr_ten')]), line('b', 1999, [idOnly(200, 'txr_ten')])]);
    // Act
    const outcome = await syncBilling(finalized(snapshot), p);
    // Assess
    expect(outcome).toMatchObject({ outcome: 'posted', total: 5499, roundingDifference: 0 });
    expect(p.ledger.state().invoices).toEqual([expect.objectContaining({ ref: 'in_excl', state: 'posted', total: 5499 })]);
    expect(p.source.taxRateCalls).toEqual(['txr_ten']);
  });

  it('post an inclusive rate as inclusive: the total is the gross amount', async () => {
    const p = ports();
    const snapshot = invoice('in_incl', [line('a', 11900, [idOnly(1900, 'txr_vat_incl', true)]), line('b', 999, [idOnly(160, 'txr_vat_incl', true)])]);
    expect(await syncBilling(finalized(snapshot), p)).toMatchObject({ outcome: 'posted', total: 12899, roundingDifference: 0 });
    expect(p.ledger.state().invoices).toEqual([expect.objectContaining({ ref: 'in_incl', state: 'posted', total: 12899 })]);
  });

  it('post a credit note whose lines name only their rate', async () => {
    // Prepare: the invoice, then a credit note of one of its lines.
    const p = ports();
    await syncBilling(finalized(invoice('in_cn', [line('a', 3000, [idOnly(300, 'txr_ten')])])), p);
    const creditNote: CreditNoteSnapshot = {
      system: 'stripe', account: null, customerId: CUSTOMER, id: 'cn_T1', number: 'T-CN-1', invoiceId: 'in_cn', currency: 'usd', reason: 'order_change',
      lines: [{ ...line('cnli_1', 1000, [idOnly(100, 'txr_ten')]), priceId: null }], subtotal: 1000, totalTax: 100, total: 1100, refundIds: [],
      issuedAt: '2026-11-06T10:00:00Z',
    };
    // Act
    const outcome = await syncBilling(issued(creditNote), p);
    // Assess
    expect(outcome).toMatchObject({ outcome: 'posted', total: 1100 });
    expect(p.ledger.financeView().filter((d) => d.type === 'out_refund')).toEqual([expect.objectContaining({ ref: 'cn_T1', state: 'posted', total: 1100, reverses: 'in_cn' })]);
  });

  it('ask nothing of the provider when the config maps the rate by id, or the tax has its percentage', async () => {
    const p = ports({ ...CONFIG, taxes: [...CONFIG.taxes, { taxRateId: 'txr_ten', inclusive: false, companyId: 1, odooTaxId: 11 }] });
    const withPercentage: LineTax = { ...idOnly(100, 'txr_other'), percentage: '10' };
    await syncBilling(finalized(invoice('in_byid', [line('a', 3000, [idOnly(300, 'txr_ten')]), line('b', 1000, [withPercentage])])), p);
    expect(p.ledger.state().invoices).toEqual([expect.objectContaining({ state: 'posted', total: 4400 })]);
    expect(p.source.taxRateCalls).toEqual([]);
  });

  it('fail permanently naming a rate the provider does not know, before any Odoo write', async () => {
    const p = ports();
    const error = await syncBilling(finalized(invoice('in_unknown', [line('a', 3000, [idOnly(300, 'txr_gone')])])), p).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UnknownTaxRateError);
    expect(isRetryable(error)).toBe(false);
    expect(String(error)).toMatch(/txr_gone/);
    expect(p.ledger.moves.size).toBe(0);
    expect(p.partners.records.size).toBe(0);
  });

  it('fail as unmapped, naming the rate, when its percentage matches no configured tax or it is a flat amount', async () => {
    const p = ports();
    p.source.taxRates.set('txr_ca', { id: 'txr_ca', percentage: '7.25', inclusive: false, label: 'Sales tax CA' });
    p.source.taxRates.set('txr_flat', { id: 'txr_flat', percentage: null, inclusive: false, label: 'Retail delivery fee CO' });
    const unmatched = await syncBilling(finalized(invoice('in_ca', [line('a', 1000, [idOnly(73, 'txr_ca')])])), p).catch((caught: unknown) => caught);
    const flat = await syncBilling(finalized(invoice('in_flat', [line('a', 1000, [idOnly(27, 'txr_flat')])])), p).catch((caught: unknown) => caught);
    expect(unmatched).toBeInstanceOf(UnmappedTaxError);
    expect(String(unmatched)).toMatch(/Sales tax CA txr_ca 7\.25% exclusive/);
    expect(flat).toBeInstanceOf(UnmappedTaxError);
    expect(String(flat)).toMatch(/Retail delivery fee CO txr_flat exclusive/);
    expect(p.ledger.moves.size).toBe(0);
  });

  it('stay unmapped with a source that cannot read tax rates (as before)', async () => {
    const p = ports();
    const inMemory = p.source;
    const source: BillingSource = { customer: (id) => inMemory.customer(id), invoice: (id) => inMemory.invoice(id) };
    const error = await syncBilling(finalized(invoice('in_nosource', [line('a', 3000, [idOnly(300, 'txr_ten')])])), { ...p, source }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UnmappedTaxError);
    expect(String(error)).toMatch(/txr_ten exclusive on line a/);
  });
});

describe('the pure part (functions/domain/invoice-taxes.ts)', () => {
  it('lists each rate to resolve once, and fills the percentage and a missing label, keeping the line’s inclusiveness', () => {
    const lines = [
      line('a', 100, [idOnly(10, 'txr_ten'), { ...idOnly(19, 'txr_vat_incl', true), label: 'Own label' }]),
      line('b', 100, [idOnly(10, 'txr_ten')]),
      line('c', 100, []),
    ];
    expect(taxRatesToResolve(CONFIG, 1, lines)).toEqual(['txr_ten', 'txr_vat_incl']);
    const filled = withProviderTaxRates(lines, new Map([
      ['txr_ten', { id: 'txr_ten', percentage: '10', inclusive: false, label: 'Sales tax US' }],
      ['txr_vat_incl', { id: 'txr_vat_incl', percentage: '19', inclusive: false, label: 'VAT DE' }],
    ]));
    expect(filled.map((l) => l.taxes.map((t) => [t.percentage, t.inclusive, t.label]))).toEqual([
      [['10', false, 'Sales tax US'], ['19', true, 'Own label']],
      [['10', false, 'Sales tax US']],
      [],
    ]);
    expect(filled[2]).toBe(lines[2]);
  });
});
