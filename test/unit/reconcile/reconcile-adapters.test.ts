import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_DRIFT, EXIT_NO_DRIFT, main } from '../../../bin/reconcile';
import type { OdooCaller } from '../../../functions/erp/odoo';
import { odooAmountInProviderMinor, OdooReconciliationGateway, REFERENCE_BATCH, toMove } from '../../../functions/reconcile/odoo-reconciliation-reader';
import { InvalidReconcileEventError, periodOf } from '../../../functions/reconcile/reconcile-event';
import { InvalidPeriodError, reconcilePeriod, reconcileProviders, yesterday, type ReconcilePorts } from '../../../functions/reconcile/reconcile-period';
import { createdRange, STRIPE_IN_ODOO } from '../../../functions/providers/stripe/stripe-provider-lister';
import { PAYPAL_IN_ODOO } from '../../../functions/providers/paypal/paypal-provider-lister';
import { reconcile } from '../../../functions/domain/reconciliation';
import { startOdooSandbox } from '../../../local/sandboxes/odoo/server';
import { type StripeSandbox, startStripeSandbox } from '../../../local/sandboxes/stripe/server';
import { stripeObject } from '../../../local/sandboxes/stripe/stripe-object-templates';

describe('Odoo amounts in the provider’s minor units', () => {
  it.each([
    { amount: 5000, code: 'jpy', decimalPlaces: 0, providerExponent: 0, minor: 5000 },
    { amount: 12.345, code: 'kwd', decimalPlaces: 3, providerExponent: 3, minor: 12345 },
    { amount: 49.99, code: 'usd', decimalPlaces: 2, providerExponent: 2, minor: 4999 },
    { amount: 1.005, code: 'usd', decimalPlaces: 2, providerExponent: 2, minor: 101 },
    { amount: 1500, code: 'isk', decimalPlaces: 0, providerExponent: 2, minor: 150000 },
    { amount: -0.001, code: 'kwd', decimalPlaces: 3, providerExponent: 3, minor: -1 },
  ])('$amount $code (Odoo $decimalPlaces decimals, provider $providerExponent) is $minor', ({ amount, code, decimalPlaces, providerExponent, minor }) => {
    expect(odooAmountInProviderMinor(amount, { code, decimalPlaces, providerExponent })).toBe(minor);
  });

  it('maps a move as read by search_read: many2ones, false for empty, currency and partner ref', () => {
    const record = { id: 7, move_type: 'out_invoice', ref: 'in_1', payment_reference: false, state: 'posted', payment_state: 'paid', amount_total: 12.345, currency_id: [94, 'KWD'], partner_id: [5, 'Acme'] };
    const move = toMove(record, new Map([[94, { code: 'kwd', decimalPlaces: 3, providerExponent: 3 }]]), new Map([[5, 'cus_1']]));
    expect(move).toEqual({ id: 7, moveType: 'out_invoice', ref: 'in_1', paymentReference: null, state: 'posted', paymentState: 'paid', amountTotal: 12345, currency: 'kwd', partnerRef: 'cus_1' });
  });

  it(`reads references in batches of ${REFERENCE_BATCH}, then the period's documents of ours, currencies and partners once`, async () => {
    // Prepare
    const calls: Array<{ model: string; domain: unknown }> = [];
    const caller: OdooCaller = {
      async call<T>(model: string, _method: string, params: Record<string, unknown> = {}): Promise<T> {
        calls.push({ model, domain: params.domain });
        if (model === 'account.move' && calls.length === 1) {
          return [{ id: 1, move_type: 'out_invoice', ref: 'in_0', payment_reference: 'in_0', state: 'posted', payment_state: 'not_paid', amount_total: 5000, currency_id: [25, 'JPY'], partner_id: [3, 'X'] }] as T;
        }
        if (model === 'res.currency') return [{ id: 25, name: 'JPY', decimal_places: 0 }] as T;
        if (model === 'res.partner') return [{ id: 3, ref: 'cus_X' }] as T;
        return [] as T;
      },
    };
    const references = Array.from({ length: REFERENCE_BATCH * 2 + 1 }, (_, index) => `in_${index}`);
    // Act
    const documents = await new OdooReconciliationGateway(caller).read({ period: { from: '2026-11-01', to: '2026-11-30' }, provider: STRIPE_IN_ODOO, moveReferences: references, paymentMemos: ['inpay_1'] });
    // Assess
    expect(calls.map((call) => call.model)).toEqual(['account.move', 'account.move', 'account.move', 'account.move', 'account.payment', 'account.payment', 'res.currency', 'res.partner']);
    expect(calls[3]!.domain).toEqual(expect.arrayContaining([['invoice_date', '>=', '2026-11-01'], ['invoice_date', '<=', '2026-11-30'], ['ref', '=like', 'in_%']]));
    expect(documents.moves).toEqual([expect.objectContaining({ id: 1, amountTotal: 5000, currency: 'jpy', partnerRef: 'cus_X' })]);
  });
});

describe('Odoo documents of another provider in the period', () => {
  it('are read in Odoo’s decimals when the provider has no such currency, for the rules to leave out as not ours', async () => {
    // A Stripe invoice in KWD whose 17-character id PayPal's `=like` pattern over-matches: PayPal has no KWD.
    const caller: OdooCaller = {
      async call<T>(model: string): Promise<T> {
        if (model === 'account.move') return [{ id: 9, move_type: 'out_invoice', ref: 'in_1Pgc6tAbCdEfGh', payment_reference: false, state: 'posted', payment_state: 'paid', amount_total: 12.345, currency_id: [94, 'KWD'], partner_id: false }] as T;
        if (model === 'res.currency') return [{ id: 94, name: 'KWD', decimal_places: 3 }] as T;
        return [] as T;
      },
    };
    const documents = await new OdooReconciliationGateway(caller).read({ period: { from: '2026-11-01', to: '2026-11-30' }, provider: PAYPAL_IN_ODOO, moveReferences: [], paymentMemos: [] });
    expect(documents.moves).toEqual([expect.objectContaining({ id: 9, amountTotal: 12345, currency: 'kwd' })]);
    expect(reconcile({ invoices: [], payments: [], refunds: [] }, documents, PAYPAL_IN_ODOO.ours).items).toEqual([]);
  });
});

describe('periods', () => {
  it('defaults to yesterday (UTC) and turns a period into Stripe’s created range, both ends included', () => {
    expect(yesterday(new Date('2026-12-01T01:00:00Z'))).toEqual({ from: '2026-11-30', to: '2026-11-30' });
    expect(periodOf({ 'detail-type': 'Scheduled Event', detail: {} }, new Date('2026-03-01T00:30:00Z'))).toEqual({ period: { from: '2026-02-28', to: '2026-02-28' }, reemit: false });
    expect(periodOf({ from: '2026-11-01', to: '2026-11-30', reemit: true }, new Date())).toEqual({ period: { from: '2026-11-01', to: '2026-11-30' }, reemit: true });
    expect(createdRange({ from: '2026-11-01', to: '2026-11-01' })).toEqual({ gte: 1793491200, lte: 1793491200 + 86_399 });
  });

  it('refuses half a period, a day that does not exist, and a reversed period', async () => {
    const ports = {} as ReconcilePorts;
    expect(() => periodOf({ from: '2026-11-01' }, new Date())).toThrow(InvalidReconcileEventError);
    await expect(reconcilePeriod({ from: '2026-02-30', to: '2026-03-01' }, ports)).rejects.toThrow(InvalidPeriodError);
    await expect(reconcilePeriod({ from: '2026-11-30', to: '2026-11-01' }, ports)).rejects.toThrow(InvalidPeriodError);
  });

  it('reports a re-emit as skipped when no re-emitter is wired, and a failed one per document', async () => {
    const ports: ReconcilePorts = {
      provider: {
        inOdoo: STRIPE_IN_ODOO,
        listPeriod: async () => ({ invoices: [{ id: 'in_1', customerId: 'cus_1', currency: 'usd', total: 100, status: 'open' }, { id: 'in_2', customerId: 'cus_1', currency: 'usd', total: 100, status: 'open' }], payments: [], refunds: [] }),
        existing: async () => new Set(),
        moreReferences: async () => new Map(),
      },
      odoo: { read: async () => ({ moves: [], payments: [] }), readPayments: async () => [] },
    };
    const period = { from: '2026-11-01', to: '2026-11-01' };
    expect((await reconcilePeriod(period, ports, { reemit: true })).reemit).toEqual({ emitted: [], failed: [], skipped: 'no re-emitter is configured' });
    const flaky = { reemit: async ({ providerId }: { providerId: string }) => { if (providerId === 'in_2') throw new Error('bus down'); } };
    expect((await reconcilePeriod(period, { ...ports, reemitter: flaky }, { reemit: true })).reemit).toEqual({ emitted: ['in_1'], failed: [{ providerId: 'in_2', error: 'bus down' }] });
  });
});

describe('a run over every configured provider', () => {
  it('reports each provider’s drift under its system, sums them, and keeps going past a provider that failed', async () => {
    const lister = (ids: string[]): ReconcilePorts['provider'] => ({
      inOdoo: STRIPE_IN_ODOO,
      listPeriod: async () => ({ invoices: ids.map((id) => ({ id, customerId: 'cus_1', currency: 'usd', total: 100, status: 'open' as const })), payments: [], refunds: [] }),
      existing: async () => new Set(),
      moreReferences: async () => new Map(),
    });
    const down: ReconcilePorts['provider'] = { ...lister([]), listPeriod: async () => { throw new Error('API unavailable'); } };
    const odoo: ReconcilePorts['odoo'] = { read: async () => ({ moves: [], payments: [] }), readPayments: async () => [] };

    const run = await reconcileProviders({ from: '2026-11-01', to: '2026-11-01' }, [
      { system: 'stripe', provider: lister(['in_1', 'in_2']) },
      { system: 'paypal', provider: down },
    ], odoo);

    expect(run.summary).toMatchObject({ drift: 2, checked: { invoice: 2 }, byKind: { missing_in_odoo: 2 } });
    expect(run.items.map((item) => `${item.system} ${item.kind} ${item.providerId}`)).toEqual(['stripe missing_in_odoo in_1', 'stripe missing_in_odoo in_2']);
    expect(run.providers).toEqual([
      { system: 'stripe', report: expect.objectContaining({ summary: expect.objectContaining({ drift: 2 }) }) },
      { system: 'paypal', error: 'API unavailable' },
    ]);
  });
});

describe('bin/reconcile.ts', () => {
  let stripe: StripeSandbox;
  let odoo: Awaited<ReturnType<typeof startOdooSandbox>>;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    stripe = await startStripeSandbox({ port: 0, apiKey: 'sk_test_cli' });
    odoo = await startOdooSandbox({ port: 0, apiKey: 'cli-key' });
    env = { STRIPE_API_KEY: 'sk_test_cli', STRIPE_API_URL: stripe.url, ODOO_URL: odoo.url, ODOO_DB: 'odoo18', ODOO_LOGIN: 'admin', ODOO_API_KEY: 'cli-key' };
  });

  afterAll(async () => {
    await stripe?.close();
    await odoo?.close();
  });

  it('exits 0 without drift and 2 with drift, printing JSON with --json', async () => {
    // Prepare
    const output: string[] = [];
    const run = (...args: string[]) => main(['--from', '2026-11-01', '--to', '2026-11-30', ...args], env, (text) => output.push(text));
    // Act
    const clean = await run();
    await fetch(`${stripe.url}/_sandbox/objects`, {
      method: 'POST',
      body: JSON.stringify([stripeObject('invoice', { id: 'in_CLI', customer: 'cus_CLI', created: Date.parse('2026-11-02T00:00:00Z') / 1000, status: 'open', total: 100 })]),
    });
    const drifted = await run('--json');
    // Assess
    expect(clean).toBe(EXIT_NO_DRIFT);
    expect(output[0]).toContain('No drift.');
    expect(drifted).toBe(EXIT_DRIFT);
    expect(JSON.parse(output[1]!)).toMatchObject({ summary: { drift: 1 }, items: [{ kind: 'missing_in_odoo', providerId: 'in_CLI', expected: 100 }] });
  });

  it('names the missing settings', async () => {
    await expect(main([], {}, () => undefined)).rejects.toThrow('set STRIPE_API_KEY (or PAYPAL_CLIENT_ID and PAYPAL_CLIENT_SECRET), ODOO_URL, ODOO_DB, ODOO_LOGIN, ODOO_API_KEY');
  });
});
