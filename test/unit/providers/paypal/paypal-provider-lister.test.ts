import { describe, expect, it } from 'vitest';
import type { CanonicalEvent } from '../../../../events/catalog';
import { PAGE_SIZE, PAYPAL_IN_ODOO, PaypalProviderLister, searchWindows } from '../../../../functions/providers/paypal/paypal-provider-lister';
import { PaypalReemitter } from '../../../../functions/providers/paypal/paypal-reemitter';
import type { PaypalApiObject, PaypalResource } from '../../../../functions/providers/paypal/paypal-api';
import { isOurReference } from '../../../../functions/domain/reconciliation';

/** One Transaction Search row as PayPal writes it (`fields=all` gives more; these are what the lister reads). */
function row(id: string, code: string, value: string, options: { currency?: string; status?: string; reference?: string; payer?: string } = {}) {
  return {
    transaction_info: {
      transaction_id: id,
      transaction_event_code: code,
      transaction_initiation_date: '2026-11-03T09:00:00+0000',
      transaction_amount: { currency_code: options.currency ?? 'USD', value },
      transaction_status: options.status ?? 'S',
      ...(options.reference ? { paypal_reference_id: options.reference, paypal_reference_id_type: 'TXN' } : {}),
    },
    ...(options.payer ? { payer_info: { account_id: options.payer } } : {}),
  };
}

/** A fake read API serving pages of rows per window; it records every query. */
function fakePaypal(pages: Record<string, unknown[][]>) {
  const queries: Array<Record<string, string>> = [];
  return {
    queries,
    api: {
      async get(path: string, query?: Record<string, string>) {
        expect(path).toBe('/v1/reporting/transactions');
        queries.push(query!);
        const windowPages = pages[query!.start_date!] ?? [[]];
        const page = Number(query!.page);
        return { transaction_details: windowPages[page - 1] ?? [], page, total_pages: windowPages.length, total_items: windowPages.flat().length };
      },
      async retrieve(): Promise<PaypalApiObject | undefined> {
        return undefined;
      },
    },
  };
}

describe('PayPal transaction search windows', () => {
  it('cuts a period into requests of at most 31 days, each from its first to its last second', () => {
    expect(searchWindows({ from: '2026-11-01', to: '2026-11-01' })).toEqual([{ start_date: '2026-11-01T00:00:00Z', end_date: '2026-11-01T23:59:59Z' }]);
    const windows = searchWindows({ from: '2026-01-01', to: '2026-03-15' });
    expect(windows).toEqual([
      { start_date: '2026-01-01T00:00:00Z', end_date: '2026-01-31T23:59:59Z' },
      { start_date: '2026-02-01T00:00:00Z', end_date: '2026-03-03T23:59:59Z' },
      { start_date: '2026-03-04T00:00:00Z', end_date: '2026-03-15T23:59:59Z' },
    ]);
    for (const { start_date, end_date } of windows) expect(Date.parse(end_date) - Date.parse(start_date)).toBeLessThan(31 * 86_400_000);
  });
});

describe('PayPal provider lister', () => {
  it('reads every page of every window, with all fields and PayPal’s largest page', async () => {
    const { api, queries } = fakePaypal({
      '2026-01-01T00:00:00Z': [[row('1AA00000000000001', 'T0006', '10.00')], [row('1AA00000000000002', 'T0006', '20.00')]],
      '2026-02-01T00:00:00Z': [[row('1AA00000000000003', 'T0006', '30.00')]],
    });
    const documents = await new PaypalProviderLister(api).listPeriod({ from: '2026-01-01', to: '2026-02-10' });
    expect(queries.map((query) => `${query.start_date} p${query.page}`)).toEqual(['2026-01-01T00:00:00Z p1', '2026-01-01T00:00:00Z p2', '2026-02-01T00:00:00Z p1']);
    expect(queries[0]).toMatchObject({ end_date: '2026-01-31T23:59:59Z', fields: 'all', page_size: String(PAGE_SIZE), balance_affecting_records_only: 'Y' });
    expect(documents.payments.map((payment) => payment.id)).toEqual(['1AA00000000000001', '1AA00000000000002', '1AA00000000000003']);
  });

  it('keeps payments received, refunds and reversals by their event code, and nothing else (fees, transfers, payments sent, pending or denied ones)', async () => {
    const { api } = fakePaypal({
      '2026-11-01T00:00:00Z': [
        [
          row('2CAPTURE000000001', 'T0006', '92.80', { payer: 'QYR5Z8XDVJNXQ' }),
          row('3SUBSALE000000001', 'T0002', '15.00', { payer: 'SUBSCRIBER001' }),
          row('4BUTTON0000000001', 'T0007', '5.00'),
          row('5REFUND0000000001', 'T1107', '-10.00', { reference: '2CAPTURE000000001' }),
          row('6CHARGEBACK000001', 'T1201', '-15.00', { reference: '3SUBSALE000000001' }),
          row('7PENDINGREFUND001', 'T1107', '-1.00', { reference: '2CAPTURE000000001', status: 'P' }),
          row('8SENT000000000001', 'T0006', '-12.00'),
          row('9PENDING000000001', 'T0006', '7.00', { status: 'P' }),
          row('ADENIED0000000001', 'T0006', '7.00', { status: 'D' }),
          row('BFEE0000000000001', 'T0106', '-0.30'),
          row('CWITHDRAWAL000001', 'T0400', '-100.00'),
          // The same transaction listed twice: counted once.
          row('2CAPTURE000000001', 'T0006', '92.80', { payer: 'QYR5Z8XDVJNXQ' }),
        ],
      ],
    });
    const documents = await new PaypalProviderLister(api).listPeriod({ from: '2026-11-01', to: '2026-11-01' });
    expect(documents.invoices).toEqual([
      { id: '2CAPTURE000000001', customerId: 'QYR5Z8XDVJNXQ', currency: 'usd', total: 9280, status: 'paid' },
      { id: '3SUBSALE000000001', customerId: 'SUBSCRIBER001', currency: 'usd', total: 1500, status: 'paid' },
    ]);
    expect(documents.payments).toEqual([
      { id: '2CAPTURE000000001', invoiceId: '2CAPTURE000000001', amount: 9280, currency: 'usd' },
      { id: '3SUBSALE000000001', invoiceId: '3SUBSALE000000001', amount: 1500, currency: 'usd' },
      // A website payment: its PayPal invoice is not named by the listing, the payment is still checked.
      { id: '4BUTTON0000000001', invoiceId: '4BUTTON0000000001', amount: 500, currency: 'usd' },
    ]);
    expect(documents.refunds).toEqual([
      { id: '5REFUND0000000001', invoiceId: '2CAPTURE000000001', amount: 1000, currency: 'usd', status: 'succeeded' },
      { id: '6CHARGEBACK000001', invoiceId: '3SUBSALE000000001', amount: 1500, currency: 'usd', status: 'succeeded' },
      { id: '7PENDINGREFUND001', invoiceId: '2CAPTURE000000001', amount: 100, currency: 'usd', status: 'pending' },
    ]);
  });

  it('reads amounts exactly in the currency’s minor units: JPY has none, USD two, never through a float', async () => {
    const { api } = fakePaypal({
      '2026-11-01T00:00:00Z': [[row('1JPY0000000000001', 'T0006', '1000', { currency: 'JPY' }), row('1USD0000000000001', 'T0006', '0.29'), row('1HUF0000000000001', 'T1107', '-1500.00', { currency: 'HUF' })]],
    });
    const documents = await new PaypalProviderLister(api).listPeriod({ from: '2026-11-01', to: '2026-11-01' });
    expect(documents.payments.map(({ amount, currency }) => `${amount} ${currency}`)).toEqual(['1000 jpy', '29 usd']);
    expect(documents.refunds.map(({ amount, currency }) => `${amount} ${currency}`)).toEqual(['1500 huf']);
  });

  it('refuses an amount with more decimals than its currency has, rather than reconciling a guess', async () => {
    const { api } = fakePaypal({ '2026-11-01T00:00:00Z': [[row('1JPY0000000000001', 'T0006', '1000.5', { currency: 'JPY' })]] });
    await expect(new PaypalProviderLister(api).listPeriod({ from: '2026-11-01', to: '2026-11-01' })).rejects.toThrow(/more decimals/);
  });

  it('recognises PayPal’s ids in Odoo references, and not Stripe’s or words typed by hand', () => {
    const ours = PAYPAL_IN_ODOO.ours;
    expect(isOurReference(ours, 'invoice', '2GG279541U471931P')).toBe(true);
    expect(isOurReference(ours, 'invoice', 'INV2-26KH-MY9Q-USVG-4WZD')).toBe(true);
    expect(isOurReference(ours, 'refund', 'REVERSAL-2GG279541U471931P')).toBe(true);
    expect(isOurReference(ours, 'invoice', 'in_1Pgc6tAbCdEfGhIj')).toBe(false);
    expect(isOurReference(ours, 'payment', 'bank transfer 0001')).toBe(false);
    expect(isOurReference(ours, 'credit_note', '2GG279541U471931P')).toBe(false);
  });

  it('asks the read API whether an id found in Odoo outside the period exists, as the object it may be', async () => {
    const held = new Set(['sale:3SUBSALE000000001', 'capture:2CAPTURE000000001']);
    const asked: string[] = [];
    const lister = new PaypalProviderLister({
      get: async () => ({}),
      retrieve: async (resource: PaypalResource, id: string) => {
        asked.push(`${resource}:${id}`);
        return held.has(`${resource}:${id}`) ? { id } : undefined;
      },
    });
    const found = await lister.existing([
      { documentType: 'invoice', id: '3SUBSALE000000001' },
      { documentType: 'refund', id: 'REVERSAL-2CAPTURE000000001' },
      { documentType: 'payment', id: '9UNKNOWN000000001' },
    ]);
    expect([...found]).toEqual(['3SUBSALE000000001', 'REVERSAL-2CAPTURE000000001']);
    expect(asked).toEqual(['capture:3SUBSALE000000001', 'sale:3SUBSALE000000001', 'capture:2CAPTURE000000001', 'capture:9UNKNOWN000000001', 'sale:9UNKNOWN000000001']);
  });
});

describe('PayPal re-emitter', () => {
  const capture = {
    id: '2CAPTURE000000001',
    status: 'COMPLETED',
    amount: { currency_code: 'JPY', value: '1000' },
    create_time: '2026-11-03T09:00:00Z',
    supplementary_data: { related_ids: { order_id: '5O190127TN364715T' } },
  };

  it('re-emits a missing capture as the payment event its webhook maps to, keyed on the capture', async () => {
    const published: CanonicalEvent[] = [];
    const reemitter = new PaypalReemitter({ retrieve: async (resource, id) => (resource === 'capture' && id === capture.id ? capture : undefined) }, async (events) => void published.push(...events));
    await reemitter.reemit({ documentType: 'invoice', providerId: capture.id });
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({
      id: `paypal:payment:${capture.id}:payment.succeeded`,
      type: 'payment.succeeded',
      source: 'paypal',
      data: { payment: { id: capture.id, invoiceId: capture.id, amount: 1000, currency: 'jpy' } },
    });
  });

  it('says why when PayPal has no such object, or the document cannot be read back by id', async () => {
    const reemitter = new PaypalReemitter({ retrieve: async () => undefined }, async () => undefined);
    await expect(reemitter.reemit({ documentType: 'payment', providerId: '9UNKNOWN000000001' })).rejects.toThrow('PayPal has no capture or sale 9UNKNOWN000000001');
    await expect(reemitter.reemit({ documentType: 'refund', providerId: 'REVERSAL-2CAPTURE000000001' })).rejects.toThrow(/cannot be read back by id/);
  });
});
