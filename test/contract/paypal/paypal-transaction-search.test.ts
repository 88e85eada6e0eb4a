import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PaypalApi, PaypalRequestError } from '../../../functions/providers/paypal/paypal-api';
import { PaypalProviderLister } from '../../../functions/providers/paypal/paypal-provider-lister';
import { type PaypalSandbox, SANDBOX_PAYPAL_CLIENT_ID, SANDBOX_PAYPAL_CLIENT_SECRET, startPaypalSandbox } from '../../../local/sandboxes/paypal/server';

const FIXTURES = join(__dirname, '../../fixtures/paypal');
const resourceOf = (name: string) => (JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as { resource: Record<string, unknown> }).resource;

/** The PayPal lister against the sandbox's Transaction Search, as PayPal's API answers it. */
describe('PayPal Transaction Search on the sandbox', () => {
  let sandbox: PaypalSandbox;
  let api: PaypalApi;

  beforeAll(async () => {
    sandbox = await startPaypalSandbox({ modulusLength: 1024 });
    api = new PaypalApi({ baseUrl: sandbox.url, credentials: async () => ({ clientId: SANDBOX_PAYPAL_CLIENT_ID, clientSecret: SANDBOX_PAYPAL_CLIENT_SECRET }), retry: { baseDelayMs: 1, maxDelayMs: 10 } });
  });
  afterAll(async () => {
    await sandbox.close();
  });
  beforeEach(() => sandbox.reset());

  it('lists the real sandbox capture and subscription sale of their day, with their payers, exact to the cent', async () => {
    const capture = resourceOf('PAYMENT.CAPTURE.COMPLETED.sandbox.json');
    const sale = resourceOf('PAYMENT.SALE.COMPLETED.sandbox.json');
    sandbox.seed('capture', [capture]);
    sandbox.seed('sale', [sale]);
    sandbox.seed('order', [{ id: '89T257400V0473133', payer: { payer_id: 'QYR5Z8XDVJNXQ' } }]);
    const day = (time: unknown) => String(time).slice(0, 10);

    const onCaptureDay = await new PaypalProviderLister(api).listPeriod({ from: day(capture['create_time']), to: day(capture['create_time']) });
    expect(onCaptureDay.invoices).toEqual([{ id: capture['id'], customerId: 'QYR5Z8XDVJNXQ', currency: 'usd', total: 10000, status: 'paid' }]);
    const onSaleDay = await new PaypalProviderLister(api).listPeriod({ from: day(sale['create_time']), to: day(sale['create_time']) });
    expect(onSaleDay.payments.map((payment) => payment.id)).toContain(sale['id']);
  });

  it('pages past PayPal’s 500 transactions per page', async () => {
    const captures = Array.from({ length: 501 }, (_, index) => ({
      id: `1PAGE${String(index).padStart(12, '0')}`,
      status: 'COMPLETED',
      amount: { currency_code: 'JPY', value: String(100 + index) },
      create_time: '2026-11-03T09:00:00Z',
    }));
    sandbox.seed('capture', captures);
    const { payments } = await new PaypalProviderLister(api).listPeriod({ from: '2026-11-01', to: '2026-11-30' });
    expect(payments).toHaveLength(501);
    expect(payments.reduce((sum, payment) => sum + payment.amount, 0)).toBe(501 * 100 + (500 * 501) / 2);
  });

  it('refuses a range of more than 31 days, as PayPal does', async () => {
    const asked = api.get('/v1/reporting/transactions', { start_date: '2026-01-01T00:00:00Z', end_date: '2026-02-02T00:00:00Z' });
    await expect(asked).rejects.toBeInstanceOf(PaypalRequestError);
  });
});
