/**
 * The deal use case over the real Odoo client and the Odoo deal ledger, against an Odoo: the sandbox (18 over
 * JSON-RPC, 19 over JSON-2: deal-sync.test.ts) or a real Odoo 18 / 19 (deal-sync.real-odoo-*.test.ts). Each case
 * checks what a salesperson and finance see in Odoo, read back from Odoo: the order's state, partner, reference,
 * currency, lines to the cent, its external id, its chatter; and the Odoo calls each deal event costs.
 */
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import type { DealLine, DealSnapshot } from '../../../events/crm-parts';
import type { DealUpserted } from '../../../events/deal-upserted';
import { type DealWon, dealWonSchema } from '../../../events/deal-won';
import { UnmappedDealLineError } from '../../../functions/domain/deal-quotation';
import { OdooClient, odooAmountToMinor, resetDatabaseGuards, searchRead } from '../../../functions/erp/odoo';
import { OdooDealLedger } from '../../../functions/erp/odoo/deal-ledger';
import { type DealSyncPorts, syncDeal } from '../../../functions/flows/deal-sync/sync-deal';
import { SANDBOX_API_KEY, startOdooSandbox, type OdooSandbox } from '../../../local/sandboxes/odoo/server';
import { canonicalEnvelopes } from '../../support/canonical-envelopes';
import { InMemoryIdentityMap, InMemoryWatermarks } from '../../support/in-memory-ports';
import { type OdooVersion, type RealOdoo, startRealOdoo } from '../../support/real-odoo';

export type DealContractTarget = { kind: 'sandbox'; version: OdooVersion } | { kind: 'real'; version: OdooVersion };

const transportOf = (version: OdooVersion) => (version === '18.0' ? 'jsonrpc' : 'json2');

/** Registers the cases in the calling `describe`. */
export function dealSyncContract(target: DealContractTarget): void {
  let sandbox: OdooSandbox | undefined;
  let real: RealOdoo | undefined;
  let client: OdooClient;
  let calls: string[];
  let partnerId: number;
  let ports: DealSyncPorts;
  let published: DealWon[];
  let run = 0;
  const envelope = canonicalEnvelopes({ start: '2026-11-01T10:00:00Z', system: 'hubspot' });

  beforeAll(async () => {
    if (target.kind === 'sandbox') sandbox = await startOdooSandbox({ port: 0, apiKey: SANDBOX_API_KEY, version: target.version });
    else real = await startRealOdoo(target.version, 'contract_deals');
  }, 600_000);
  afterAll(async () => {
    await sandbox?.close();
    await real?.dispose();
  }, 120_000);

  // Per case: a fresh client (cold container), a company partner the account flow made, two products finance
  // set up with Internal References, and fresh ids (a real Odoo keeps the earlier cases' records).
  let codes: { seat: string; onboarding: string };
  let deal: DealSnapshot;
  beforeEach(async () => {
    run += 1;
    resetDatabaseGuards();
    sandbox?.reset();
    const connection = sandbox
      ? { url: sandbox.url, database: `odoo${target.version.split('.')[0]}`, login: 'admin' }
      : { url: real!.url, database: real!.database, login: real!.login };
    const apiKey = sandbox ? SANDBOX_API_KEY : real!.apiKey;
    calls = [];
    client = new OdooClient({
      connection: { ...connection, transport: transportOf(target.version), ratePerSecond: 1000 },
      apiKey: { get: async () => apiKey, invalidate: () => undefined },
      onCall: ({ operation }) => calls.push(operation),
    });
    const suffix = `${Date.now().toString(36)}${run}`;
    codes = { seat: `SEAT-${suffix}`, onboarding: `ONB-${suffix}` };
    await client.call('product.product', 'create', {
      vals_list: [
        { name: 'Analytics seat', default_code: codes.seat, list_price: 99, sale_ok: true, type: 'service' },
        { name: 'Onboarding', default_code: codes.onboarding, list_price: 1, sale_ok: true, type: 'service' },
      ],
    });
    partnerId = (await client.call<number[]>('res.partner', 'create', { vals_list: [{ name: `Acme ${suffix}`, is_company: true }] }))[0]!;
    const identityMap = new InMemoryIdentityMap();
    await identityMap.link(`hubspot:account:acc-${suffix}`, { system: 'odoo', kind: 'res.partner', id: String(partnerId) });
    published = [];
    ports = {
      ledger: new OdooDealLedger(client),
      identityMap,
      watermarks: new InMemoryWatermarks(),
      config: { companyId: 1, products: {} },
      publish: async (events) => {
        published.push(...events);
      },
    };
    deal = {
      system: 'hubspot',
      account: '48975575',
      id: `deal-${suffix}`,
      ownerId: null,
      updatedAt: null,
      name: 'Acme – annual plan',
      pipeline: 'default',
      stage: 'qualified',
      isClosedWon: false,
      isClosedLost: false,
      amount: 200000,
      currency: 'eur',
      closeDate: null,
      accountIds: [`acc-${suffix}`],
      primaryAccountId: `acc-${suffix}`,
      contactIds: [],
      lines: [
        { id: 'L1', name: 'Analytics seat', sku: codes.seat, productId: 'crm-1', quantity: '10', unitAmount: 15000, amount: 150000 },
        { id: 'L2', name: 'Onboarding', sku: codes.onboarding, productId: null, quantity: '1', unitAmount: 50000, amount: 50000 },
      ],
    };
    calls = [];
  }, 120_000);

  const upserted = (changes: Partial<DealSnapshot> = {}): DealUpserted => ({
    ...envelope('deal.upserted', `hubspot:deal:${deal.id}`),
    type: 'deal.upserted',
    data: { deal: { ...deal, ...changes } },
  });
  const seatLine = (changes: Partial<DealLine>): DealLine => ({ ...deal.lines[0]!, ...changes });

  async function readOrder() {
    const orders = await searchRead(client, 'sale.order', [['client_order_ref', '=', deal.id]], ['state', 'partner_id', 'currency_id', 'amount_untaxed', 'amount_tax', 'amount_total', 'order_line']);
    expect(orders).toHaveLength(1);
    const order = orders[0]!;
    const lines = await client.call<Array<Record<string, unknown>>>('sale.order.line', 'read', {
      ids: order.order_line,
      fields: ['product_id', 'name', 'product_uom_qty', 'price_unit', 'price_subtotal'],
    });
    return { order, lines: lines.map((line) => ({ product: (line.product_id as [number, string])[1], name: line.name, quantity: line.product_uom_qty, priceUnit: line.price_unit, subtotal: line.price_subtotal })) };
  }

  it('makes an open deal a quotation for the account’s partner, bound to the deal by external id, with exact EUR lines, in 4 warm calls', async () => {
    // Act
    const outcome = await syncDeal(upserted(), ports);
    const cold = [...calls];
    const { order, lines } = await readOrder();
    // Assess
    expect(outcome).toMatchObject({ outcome: 'created', state: 'quotation', lineChanges: 2 });
    expect(order).toMatchObject({ state: 'draft', partner_id: [partnerId, expect.any(String)], currency_id: [expect.any(Number), 'EUR'] });
    expect(odooAmountToMinor(Number(order.amount_untaxed), 2)).toBe(200000);
    expect(odooAmountToMinor(Number(order.amount_total), 2)).toBe(odooAmountToMinor(Number(order.amount_untaxed) + Number(order.amount_tax), 2));
    expect(lines).toEqual([
      { product: `[${codes.seat}] Analytics seat`, name: 'Analytics seat', quantity: 10, priceUnit: 150, subtotal: 1500 },
      { product: `[${codes.onboarding}] Onboarding`, name: 'Onboarding', quantity: 1, priceUnit: 500, subtotal: 500 },
    ]);
    const [binding] = await searchRead(client, 'ir.model.data', [['module', '=', 'saas_sync'], ['name', '=', `hubspot_deal_${deal.id.replace(/-/g, '_')}`]], ['model', 'res_id']);
    expect(binding).toMatchObject({ model: 'sale.order', res_id: order.id });
    // Cold container: + the currency (activated when archived: a fresh Odoo's EUR is) and its pricelist (found, or made once).
    const perContainer = (call: string) => call.startsWith('res.currency.') || call.startsWith('product.pricelist.');
    expect(cold.filter((call) => !perContainer(call))).toEqual(['ir.model.data.search_read', 'product.product.search_read', 'sale.order.load', 'sale.order.write']);
    expect(cold).toContain('product.pricelist.search_read');
    // Warm: a second deal costs the four calls.
    calls = [];
    deal = { ...deal, id: `${deal.id}-2` };
    await syncDeal(upserted(), ports);
    expect(calls).toEqual(['ir.model.data.search_read', 'product.product.search_read', 'sale.order.load', 'sale.order.write']);
  });

  it('follows the deal while a quotation: a fractional quantity, a discount netted into the price, a line removed', async () => {
    await syncDeal(upserted(), ports);
    calls = [];
    // Act
    const amended = await syncDeal(upserted({ lines: [seatLine({ quantity: '2.5', unitAmount: 15000, amount: 33750 })] }), ports);
    // Assess
    expect(amended).toMatchObject({ outcome: 'amended', state: 'quotation', lineChanges: 2 });
    expect(calls).toEqual(['sale.order.read', 'sale.order.line.read', 'product.product.search_read', 'sale.order.write']);
    const { order, lines } = await readOrder();
    expect(lines).toEqual([
      { product: `[${codes.seat}] Analytics seat`, name: 'Analytics seat (2.5 × 150.00 EUR list price, 337.50 EUR net)', quantity: 2.5, priceUnit: 135, subtotal: 337.5 },
    ]);
    expect(odooAmountToMinor(Number(order.amount_untaxed), 2)).toBe(33750);
  });

  it('makes the quotation out to the deal’s new account and currency, in the one write of the change', async () => {
    await syncDeal(upserted(), ports);
    const [other] = await client.call<number[]>('res.partner', 'create', { vals_list: [{ name: `Other ${deal.id}`, is_company: true }] });
    await ports.identityMap.link('hubspot:account:other', { system: 'odoo', kind: 'res.partner', id: String(other) });
    calls = [];
    // Act
    const moved = await syncDeal(upserted({ primaryAccountId: 'other', accountIds: ['other'], currency: 'usd' }), ports);
    // Assess
    expect(moved).toMatchObject({ outcome: 'amended', lineChanges: 1 });
    expect(calls.filter((call) => !call.startsWith('res.currency.') && !call.startsWith('product.pricelist.'))).toEqual([
      'sale.order.read',
      'sale.order.line.read',
      'product.product.search_read',
      'sale.order.write',
    ]);
    const { order, lines } = await readOrder();
    expect(order).toMatchObject({ state: 'draft', partner_id: [other, expect.any(String)], currency_id: [expect.any(Number), 'USD'] });
    expect(lines.map((line) => line.priceUnit)).toEqual([150, 500]);
  });

  it('confirms the quotation when won, once, and announces deal.won with the amounts Odoo computed', async () => {
    await syncDeal(upserted(), ports);
    calls = [];
    // Act
    const won = await syncDeal(upserted({ isClosedWon: true, stage: 'closedwon' }), ports);
    const wonCalls = [...calls];
    const again = await syncDeal(upserted({ isClosedWon: true, stage: 'closedwon' }), ports);
    // Assess
    expect(won).toMatchObject({ outcome: 'amended', state: 'confirmed', lineChanges: 0, published: `hubspot:deal:${deal.id}:won` });
    expect(again).toMatchObject({ outcome: 'unchanged', state: 'confirmed', published: undefined });
    expect(wonCalls).toEqual(['sale.order.read', 'sale.order.line.read', 'product.product.search_read', 'sale.order.action_confirm', 'sale.order.read', 'sale.order.line.read']);
    const { order } = await readOrder();
    expect(order.state).toBe('sale');
    expect(published).toHaveLength(1);
    expect(dealWonSchema.safeParse(published[0]).success).toBe(true);
    expect(published[0]!.data).toMatchObject({
      order: { id: order.id, partnerId },
      currency: 'eur',
      amountUntaxed: 200000,
      amountTotal: odooAmountToMinor(Number(order.amount_total), 2),
    });
  });

  it('cancels the quotation when lost without a wizard, and makes it a quotation again when reopened', async () => {
    await syncDeal(upserted(), ports);
    // Act
    await syncDeal(upserted({ isClosedLost: true }), ports);
    const lost = (await readOrder()).order.state;
    await syncDeal(upserted({ lines: [seatLine({ quantity: '3', amount: 45000 })] }), ports);
    const reopened = await readOrder();
    // Assess
    expect(lost).toBe('cancel');
    expect(reopened.order.state).toBe('draft');
    expect(reopened.lines.map((line) => line.quantity)).toEqual([3]);
  });

  it('never rewrites a confirmed order: a later line change and the deal’s deletion are notes in its chatter', async () => {
    await syncDeal(upserted({ isClosedWon: true }), ports);
    const before = await readOrder();
    // Act
    const changed = await syncDeal(upserted({ isClosedWon: true, lines: [seatLine({ quantity: '20', amount: 300000 })] }), ports);
    const deletedOutcome = await syncDeal({ ...envelope('deal.deleted', `hubspot:deal:${deal.id}`), type: 'deal.deleted', data: { deal: { system: 'hubspot', account: deal.account, id: deal.id } } }, ports);
    // Assess
    expect(changed).toMatchObject({ outcome: 'flagged', state: 'confirmed' });
    expect(deletedOutcome).toMatchObject({ outcome: 'flagged-deleted' });
    expect(await readOrder()).toEqual(before);
    const notes = await searchRead(client, 'mail.message', [['model', '=', 'sale.order'], ['res_id', '=', before.order.id], ['message_type', '=', 'comment']], ['body'], { order: 'id asc' });
    expect(notes.map((note) => String(note.body))).toEqual([
      expect.stringContaining('changed its lines in the CRM (hubspot) after S'),
      expect.stringContaining('was deleted in the CRM (hubspot), but this order is confirmed'),
    ]);
  });

  it('writes nothing for a deal with a line no product maps to', async () => {
    const lines = [...deal.lines, { id: 'L3', name: 'Custom work', sku: 'NO-SUCH-CODE', productId: 'crm-9', quantity: '1', unitAmount: 100, amount: 100 }];
    await expect(syncDeal(upserted({ lines }), ports)).rejects.toThrow(UnmappedDealLineError);
    expect(await searchRead(client, 'sale.order', [['client_order_ref', '=', deal.id]], ['state'])).toEqual([]);
  });
}
