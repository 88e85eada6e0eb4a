/**
 * The subscription use case over the real Odoo client and the Odoo adapters, against the Odoo sandbox:
 * Odoo 18 over JSON-RPC (`tax_id`, cancel wizard unless `disable_cancel_warning`), Odoo 19 over JSON-2
 * (`tax_ids`). Each case checks what finance sees in Odoo, read back from Odoo to the minor unit.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { SubscriptionSnapshot, SubscriptionUpdated } from '../../../events/subscription-updated';
import { type OdooClient, odooAmountToMinor, searchRead } from '../../../functions/erp/odoo';
import { OdooAccountStandingLedger } from '../../../functions/erp/odoo/account-standing-ledger';
import { OdooBillingLedger } from '../../../functions/erp/odoo/billing-ledger';
import { OdooSubscriptionLedger } from '../../../functions/erp/odoo/subscription-ledger';
import { syncSubscription, type SubscriptionSyncPorts } from '../../../functions/flows/subscription-sync/sync-subscription';
import { sandboxBillingConfig, sandboxForSuite, syncedCustomerPartner } from './sandbox-fixture';
import { InMemoryIdentityMap, InMemoryWatermarks, customerIdentityTestPorts } from '../../support/in-memory-ports';
import { canonicalEnvelopes } from '../../support/canonical-envelopes';

const API_KEY = 'subscription-contract-key';
const CUSTOMER = 'cus_SUBC1';
const config = sandboxBillingConfig();

type Item = SubscriptionSnapshot['items'][number];
const item = (id: string, priceId: string, quantity: number, unitAmount: number, description: string): Item => ({
  id, priceId, productId: null, description, quantity, unitAmount, interval: 'month', intervalCount: 1,
});
const snapshot = (id: string, status: SubscriptionSnapshot['status'], currency: string, items: Item[], ended = false): SubscriptionSnapshot => ({
  system: 'stripe', account: null, customerId: CUSTOMER, id, status, currency, items,
  currentPeriodStart: '2026-11-01T00:00:00Z', currentPeriodEnd: '2026-12-01T00:00:00Z', cancelAtPeriodEnd: false,
  canceledAt: ended ? '2026-11-20T00:00:00Z' : null, endedAt: ended ? '2026-11-20T00:00:00Z' : null, livemode: false,
});
const envelope = canonicalEnvelopes({ start: '2026-11-01T10:00:00Z' });
const updated = (subscription: SubscriptionSnapshot): SubscriptionUpdated => ({
  ...envelope('subscription.updated', `stripe:subscription:${subscription.id}`), type: 'subscription.updated', data: { subscription },
});

describe.each([
  { version: '18.0', transport: 'jsonrpc', taxField: 'tax_id' },
  { version: '19.0', transport: 'json2', taxField: 'tax_ids' },
] as const)('subscription sync against the Odoo $version sandbox over $transport', ({ taxField, ...target }) => {
  const sandbox = sandboxForSuite(target, API_KEY);
  let client: OdooClient;
  let calls: string[];
  let partnerId: number;
  let ports: SubscriptionSyncPorts & { ledger: OdooSubscriptionLedger };

  beforeEach(async () => {
    envelope.reset();
    calls = [];
    client = sandbox.freshClient((operation) => calls.push(operation));
    // The customer flow has synced the customer.
    partnerId = await syncedCustomerPartner(client, CUSTOMER, 'Acme Corp');
    const billing = new OdooBillingLedger(client);
    ports = {
      ledger: new OdooSubscriptionLedger(client, billing),
      standing: new OdooAccountStandingLedger(client, billing),
      identityMap: new InMemoryIdentityMap(), ...customerIdentityTestPorts(),
      watermarks: new InMemoryWatermarks(),
      publish: async () => undefined,
      config,
    };
    calls = [];
  });

  async function readOrder(reference: string) {
    const [order] = await searchRead(client, 'sale.order', [['client_order_ref', '=', reference]], ['state', 'amount_total', 'amount_tax', 'currency_id', 'partner_id', 'order_line']);
    const lines = await client.call<Array<Record<string, unknown>>>('sale.order.line', 'read', {
      ids: order?.order_line ?? [],
      fields: ['product_id', 'name', 'product_uom_qty', 'price_unit', taxField],
    });
    return { order, lines };
  }

  it(`detects the order-line tax field (${taxField}) once, with fields_get`, async () => {
    expect(await ports.ledger.saleLineTaxField()).toBe(taxField);
    expect(await ports.ledger.saleLineTaxField()).toBe(taxField);
    expect(calls.filter((call) => call === 'sale.order.line.fields_get')).toHaveLength(1);
  });

  it.each([
    // currency, Odoo decimals, unit amount (minor units), quantity, expected Odoo line quantity × price
    ['usd', 2, 4999, 3, { quantity: 3, priceUnit: 49.99 }],
    ['jpy', 0, 1500, 2, { quantity: 2, priceUnit: 1500 }],
    // 4.125 KWD cannot be a 2-digit Odoo price: the line carries 2 × 4.125 = 8.250 exactly.
    ['kwd', 3, 4125, 2, { quantity: 1, priceUnit: 8.25 }],
    ['kwd', 3, 12500, 2, { quantity: 2, priceUnit: 12.5 }],
  ] as const)('creates a confirmed order in %s with a total equal to the provider to the minor unit', async (currency, decimals, unitAmount, quantity, expected) => {
    // Prepare
    const event = updated(snapshot(`sub_${currency}_${unitAmount}`, 'active', currency, [item('si_1', `price_${currency}`, quantity, unitAmount, 'Pro plan')]));
    // Act
    const outcome = await syncSubscription(event, ports);
    const { order, lines } = await readOrder(event.data.subscription.id);
    // Assess
    expect(outcome).toMatchObject({ outcome: 'created', state: 'confirmed', lineChanges: 1 });
    expect(order).toMatchObject({ state: 'sale', partner_id: [partnerId, 'Acme Corp'], currency_id: [expect.any(Number), currency.toUpperCase()] });
    expect(odooAmountToMinor(Number(order?.amount_total), decimals)).toBe(unitAmount * quantity);
    expect(order?.amount_tax).toBe(0);
    expect(lines).toEqual([expect.objectContaining({ product_uom_qty: expected.quantity, price_unit: expected.priceUnit, [taxField]: [] })]);
  });

  it('creates a new subscription in the fewest calls, and amends a known one in three', async () => {
    // Prepare: a warm container (tax field, currency, product and tag known).
    const first = snapshot('sub_CALLS', 'active', 'usd', [item('si_1', 'price_BASIC', 1, 4999, 'Basic')]);
    await syncSubscription(updated(snapshot('sub_WARM', 'active', 'usd', [item('si_1', 'price_BASIC', 1, 4999, 'Basic')])), ports);
    calls = [];
    // Act
    await syncSubscription(updated(first), ports);
    const creation = [...calls];
    calls = [];
    await syncSubscription(updated({ ...first, items: [item('si_1', 'price_BASIC', 3, 4999, 'Basic')] }), ports);
    const amendment = [...calls];
    // Assess: find by reference (none), create with lines, confirm, standing read; then read order + lines, write, standing read.
    expect(creation).toEqual(['sale.order.search_read', 'sale.order.create', 'sale.order.action_confirm', 'res.partner.read']);
    expect(amendment).toEqual(['sale.order.read', 'sale.order.line.read', 'sale.order.write', 'res.partner.read']);
  });

  it('amends the confirmed order on an upgrade (1 → 3 seats) and a plan change, without a second order', async () => {
    // Prepare
    const id = 'sub_UPGRADE';
    await syncSubscription(updated(snapshot(id, 'active', 'usd', [item('si_1', 'price_BASIC', 1, 4999, 'Basic')])), ports);
    // Act
    const upgrade = await syncSubscription(updated(snapshot(id, 'active', 'usd', [item('si_1', 'price_BASIC', 3, 4999, 'Basic')])), ports);
    const afterUpgrade = await readOrder(id);
    const planChange = await syncSubscription(updated(snapshot(id, 'active', 'usd', [item('si_1', 'price_PRO', 3, 9900, 'Pro')])), ports);
    const afterPlanChange = await readOrder(id);
    const orders = await searchRead(client, 'sale.order', [['client_order_ref', '=', id]], ['state']);
    // Assess
    expect(upgrade).toMatchObject({ outcome: 'amended', state: 'confirmed', lineChanges: 1 });
    expect(odooAmountToMinor(Number(afterUpgrade.order?.amount_total), 2)).toBe(3 * 4999);
    expect(planChange).toMatchObject({ outcome: 'amended', state: 'confirmed', lineChanges: 2 });
    expect(afterPlanChange.order?.state).toBe('sale');
    expect(odooAmountToMinor(Number(afterPlanChange.order?.amount_total), 2)).toBe(3 * 9900);
    expect(afterPlanChange.lines.map((line) => [line.name, line.product_uom_qty, line.price_unit])).toEqual([
      ['Basic (monthly)', 0, 49.99],
      ['Pro (monthly)', 3, 99],
    ]);
    expect(orders).toHaveLength(1);
  });

  it('cancels the order when the subscription ends (no cancel wizard), and notes it on the partner', async () => {
    // Prepare
    const id = 'sub_CANCEL';
    const items = [item('si_1', 'price_BASIC', 2, 4999, 'Basic')];
    await syncSubscription(updated(snapshot(id, 'active', 'usd', items)), ports);
    // Act
    const outcome = await syncSubscription(updated(snapshot(id, 'canceled', 'usd', items, true)), ports);
    const { order } = await readOrder(id);
    const notes = await searchRead(client, 'mail.message', [['model', '=', 'res.partner'], ['res_id', '=', partnerId]], ['body', 'is_internal']);
    // Assess
    expect(outcome).toMatchObject({ outcome: 'amended', state: 'cancelled' });
    expect(order?.state).toBe('cancel');
    expect(calls.filter((call) => call.startsWith('sale.order.cancel'))).toEqual([]);
    expect(notes).toEqual([expect.objectContaining({ is_internal: true, body: expect.stringContaining('Subscription sub_CANCEL ended (status canceled, 2026-11-20)') })]);
  });

  it('tags the partner past due with a note, then removes the tag with a note when the subscription is active again', async () => {
    // Prepare
    const id = 'sub_DUNNING';
    const items = [item('si_1', 'price_BASIC', 1, 4999, 'Basic')];
    await syncSubscription(updated(snapshot(id, 'active', 'usd', items)), ports);
    const tagsOf = async () => (await searchRead(client, 'res.partner', [['id', '=', partnerId]], ['category_id']))[0]?.category_id;
    const notes = async () => (await searchRead(client, 'mail.message', [['model', '=', 'res.partner'], ['res_id', '=', partnerId]], ['body'], { order: 'id asc' })).map((m) => m.body);
    // Act
    const pastDue = await syncSubscription(updated(snapshot(id, 'past_due', 'usd', items)), ports);
    const tagsWhilePastDue = await tagsOf();
    const [tag] = await searchRead(client, 'res.partner.category', [['name', '=', 'Past due']], ['name']);
    const active = await syncSubscription(updated(snapshot(id, 'active', 'usd', items)), ports);
    // Assess
    expect(pastDue).toMatchObject({ standing: 'flagged-past-due', state: 'confirmed' });
    expect(tagsWhilePastDue).toEqual([tag?.id]);
    expect(active).toMatchObject({ standing: 'cleared-past-due' });
    expect(await tagsOf()).toEqual([]);
    expect(await notes()).toEqual([
      expect.stringContaining('Subscription sub_DUNNING is past_due'),
      expect.stringContaining('Subscription sub_DUNNING is active again'),
    ]);
  });
});
