/**
 * The billing ledger's per-container lookups (currency, tag, products) against the Odoo sandbox: a batch
 * whose records run in parallel asks Odoo once per value, not once per record.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OdooClient, resetDatabaseGuards } from '../../../functions/erp/odoo';
import { OdooBillingLedger } from '../../../functions/erp/odoo/billing-ledger';
import { startOdooSandbox } from '../../../local/sandboxes/odoo/server';

const API_KEY = 'ledger-cache-key';

describe('OdooBillingLedger lookups under a parallel batch', () => {
  let sandbox: Awaited<ReturnType<typeof startOdooSandbox>>;
  let calls: string[];
  let ledger: OdooBillingLedger;

  beforeAll(async () => {
    sandbox = await startOdooSandbox({ port: 0, apiKey: API_KEY, version: '18.0' });
    resetDatabaseGuards();
    calls = [];
    const client = new OdooClient({
      connection: { url: sandbox.url, database: 'odoo18', login: 'admin', transport: 'jsonrpc', ratePerSecond: 1000 },
      apiKey: { get: async () => API_KEY, invalidate: () => undefined },
      onCall: ({ operation }) => calls.push(operation),
    });
    await client.call('res.partner', 'search_read', { domain: [], fields: ['id'], limit: 1 });
    ledger = new OdooBillingLedger(client);
    calls = [];
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  it('reads (and activates) a currency once for ten concurrent records', async () => {
    const currencies = await Promise.all(Array.from({ length: 10 }, () => ledger.currency('EUR')));
    expect(new Set(currencies.map((currency) => currency?.id)).size).toBe(1);
    expect(currencies[0]).toMatchObject({ code: 'EUR', decimalPlaces: 2 });
    expect(calls.filter((call) => call.startsWith('res.currency.'))).toEqual(['res.currency.search_read', 'res.currency.write']);
    calls = [];
    await ledger.currency('EUR');
    expect(calls).toEqual([]);
  });

  it('finds or creates a standing tag once for ten concurrent records', async () => {
    calls = [];
    const ids = await Promise.all(Array.from({ length: 10 }, () => ledger.tagId('Past due')));
    expect(new Set(ids).size).toBe(1);
    expect(calls.filter((call) => call.startsWith('res.partner.category.'))).toHaveLength(2);
  });

  it('ten subscriptions of one plan at once write its product’s name once, not once each', async () => {
    calls = [];
    const price = { priceId: 'price_cachePro', name: 'Pro plan' };
    const maps = await Promise.all(Array.from({ length: 10 }, () => ledger.products('stripe', [price], { authoritativeNames: true })));
    expect(new Set(maps.map((map) => map.get('price_cachePro'))).size).toBe(1);
    expect(calls).toEqual(['product.product.load']);
  });

  it('resolves a price’s product once for ten concurrent records, and each new price once', async () => {
    calls = [];
    const price = { priceId: 'price_cacheTeam', name: 'Team plan' };
    const maps = await Promise.all(Array.from({ length: 10 }, () => ledger.products('stripe', [price])));
    expect(new Set(maps.map((map) => map.get('price_cacheTeam'))).size).toBe(1);
    expect(calls).toEqual(['ir.model.data.search_read', 'product.product.load']);
    calls = [];
    const both = await ledger.products('stripe', [price, { priceId: 'price_cacheSeat', name: 'Extra seat' }]);
    expect(both.get('price_cacheTeam')).toBe(maps[0]!.get('price_cacheTeam'));
    expect(both.get('price_cacheSeat')).toEqual(expect.any(Number));
    expect(calls).toEqual(['ir.model.data.search_read', 'product.product.load']);
  });
});

describe('OdooBillingLedger products when lookups race or fail', () => {
  let sandbox: Awaited<ReturnType<typeof startOdooSandbox>>;
  /** Runs before each HTTP request to the sandbox whose body names `model`.`method`; may answer it instead. */
  let beforeRequest: (body: string) => Promise<Response | undefined>;

  const ledgerOnSandbox = () => {
    const client = new OdooClient({
      connection: { url: sandbox.url, database: 'odoo18', login: 'admin', transport: 'jsonrpc', ratePerSecond: 1000, retry: { maxAttempts: 1 } },
      apiKey: { get: async () => API_KEY, invalidate: () => undefined },
      fetch: async (input, init) => (await beforeRequest(String(init?.body ?? ''))) ?? fetch(input, init),
    });
    return { client, ledger: new OdooBillingLedger(client) };
  };
  const productName = async (client: OdooClient, id: number) =>
    (await client.call<Array<{ name: string }>>('product.product', 'read', { ids: [id], fields: ['name'] }))[0]?.name;

  beforeAll(async () => {
    sandbox = await startOdooSandbox({ port: 0, apiKey: API_KEY, version: '18.0' });
    resetDatabaseGuards();
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  it('an invoice line’s first sight that raced the subscription’s load leaves the subscription’s name', async () => {
    beforeRequest = async () => undefined;
    const subscriptions = ledgerOnSandbox();
    const invoices = ledgerOnSandbox();
    let raced = false;
    // The invoice's ledger found no product; before its load reaches Odoo, the subscription names it.
    beforeRequest = async (body) => {
      if (raced || !body.includes('"load"') || !body.includes('Price price_raceTeam')) return undefined;
      raced = true;
      await subscriptions.ledger.products('stripe', [{ priceId: 'price_raceTeam', name: 'Team plan' }], { authoritativeNames: true });
      return undefined;
    };
    const fromInvoice = await invoices.ledger.products('stripe', [{ priceId: 'price_raceTeam', name: 'Price price_raceTeam' }]);
    expect(raced).toBe(true);
    const fromSubscription = await subscriptions.ledger.products('stripe', [{ priceId: 'price_raceTeam', name: 'Team plan' }], { authoritativeNames: true });
    expect(fromInvoice.get('price_raceTeam')).toBe(fromSubscription.get('price_raceTeam'));
    expect(await productName(subscriptions.client, fromInvoice.get('price_raceTeam')!)).toBe('Team plan');
  });

  it('a lookup that failed after its name was recorded is made again, never answered "no product"', async () => {
    beforeRequest = async () => undefined;
    const { client, ledger } = ledgerOnSandbox();
    const price = { priceId: 'price_outageTeam', name: 'Team plan' };
    // Two records of a batch ask at once, while Odoo refuses every load: the second waits for the first's rename
    // (one write of one record) and shares its failure.
    let odooDown = true;
    beforeRequest = async (body) => (odooDown && body.includes('"load"') ? new Response('Service Unavailable', { status: 503 }) : undefined);
    const [first, second] = await Promise.allSettled([
      ledger.products('stripe', [price], { authoritativeNames: true }),
      ledger.products('stripe', [price], { authoritativeNames: true }),
    ]);
    expect(first.status).toBe('rejected');
    expect(second.status).toBe('rejected');
    odooDown = false;
    // The next event of that price, with Odoo back.
    const again = await ledger.products('stripe', [price], { authoritativeNames: true });
    expect(again.get('price_outageTeam')).toEqual(expect.any(Number));
    expect(await productName(client, again.get('price_outageTeam')!)).toBe('Team plan');
  });
});
