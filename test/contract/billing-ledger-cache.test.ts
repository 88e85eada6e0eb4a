/**
 * The billing ledger's per-container lookups (currency, tag, products) against the Odoo sandbox: a batch
 * whose records run in parallel asks Odoo once per value, not once per record.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OdooClient, resetDatabaseGuards } from '../../functions/adapters/odoo';
import { OdooBillingLedger } from '../../functions/adapters/odoo/billing-ledger';
import { startOdooSandbox } from '../../local/sandbox/odoo/server';

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
