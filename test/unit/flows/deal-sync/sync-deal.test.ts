import { readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import type { DealSnapshot } from '../../../../events/crm-parts';
import type { DealDeleted } from '../../../../events/deal-deleted';
import type { DealUpserted } from '../../../../events/deal-upserted';
import { type DealWon, dealWonSchema } from '../../../../events/deal-won';
import { UnmappedDealLineError } from '../../../../functions/domain/deal-quotation';
import { DependencyMissingError } from '../../../../functions/domain/invoice-errors';
import { type DealSyncPorts, syncDeal } from '../../../../functions/flows/deal-sync/sync-deal';
import { canonicalEnvelopes } from '../../../support/canonical-envelopes';
import { InMemoryDealLedger } from '../../../support/in-memory-deals';
import { InMemoryIdentityMap, InMemoryWatermarks } from '../../../support/in-memory-ports';

const sample = JSON.parse(readFileSync(new URL('../../../../events/samples/deal.upserted.v1.json', import.meta.url), 'utf8')) as DealUpserted;
const DEAL: DealSnapshot = { ...sample.data.deal, stage: 'qualified', isClosedWon: false, isClosedLost: false };
const DEAL_KEY = 'hubspot:deal:332507367156';
const ACCOUNT_KEY = 'hubspot:account:6682673371';

describe('syncDeal', () => {
  let ledger: InMemoryDealLedger;
  let identityMap: InMemoryIdentityMap;
  let published: DealWon[];
  let ports: DealSyncPorts;
  let envelope: ReturnType<typeof canonicalEnvelopes>;

  const upserted = (deal: Partial<DealSnapshot> = {}): DealUpserted => ({
    ...envelope('deal.upserted', DEAL_KEY),
    type: 'deal.upserted',
    data: { deal: { ...DEAL, ...deal } },
  });
  const deleted = (): DealDeleted => ({
    ...envelope('deal.deleted', DEAL_KEY),
    type: 'deal.deleted',
    data: { deal: { system: 'hubspot', account: DEAL.account, id: DEAL.id } },
  });
  const onlyOrder = () => {
    expect(ledger.orders.size).toBe(1);
    return [...ledger.orders.values()][0]!;
  };

  beforeEach(() => {
    ledger = new InMemoryDealLedger();
    ledger.productCodes.set('SEAT-ANNUAL', 11);
    ledger.productCodes.set('ONBOARDING', 12);
    identityMap = new InMemoryIdentityMap();
    published = [];
    ports = {
      ledger,
      identityMap,
      watermarks: new InMemoryWatermarks(),
      config: { companyId: 1, products: {} },
      publish: async (events) => {
        published.push(...events);
      },
    };
    envelope = canonicalEnvelopes({ start: '2026-06-25T07:00:00Z', system: 'hubspot' });
    void identityMap.link(ACCOUNT_KEY, { system: 'odoo', kind: 'res.partner', id: '77' });
  });

  it('makes an open deal a quotation for the account’s partner, lines by SKU, exact prices, bound to the deal', async () => {
    // Act
    const result = await syncDeal(upserted(), ports);
    // Assess
    const order = onlyOrder();
    expect(result).toMatchObject({ outcome: 'created', state: 'quotation', lineChanges: 2, published: undefined });
    expect(order).toMatchObject({ partnerId: 77, reference: '332507367156', externalId: 'saas_sync.hubspot_deal_332507367156', state: 'quotation' });
    expect(order.currency.code).toBe('EUR');
    expect(order.lines.map(({ productId, name, quantity, priceUnit }) => ({ productId, name, quantity, priceUnit }))).toEqual([
      { productId: 11, name: 'Analytics seat', quantity: 10, priceUnit: 150 },
      { productId: 12, name: 'Onboarding', quantity: 1, priceUnit: 500 },
    ]);
    expect(await identityMap.find(DEAL_KEY, 'odoo', 'sale.order')).toBe(String(order.id));
  });

  it('waits (retryable) for the account’s partner, writing nothing', async () => {
    identityMap.links.clear();
    await expect(syncDeal(upserted(), ports)).rejects.toThrow(DependencyMissingError);
    expect(ledger.orders.size).toBe(0);
  });

  it('refuses a deal with a line no product maps to, naming the line, and writes nothing', async () => {
    const lines = [...DEAL.lines, { ...DEAL.lines[1]!, id: 'L9', name: 'Custom work', sku: 'CUSTOM', productId: 'crm-77' }];
    const attempt = syncDeal(upserted({ lines }), ports);
    await expect(attempt).rejects.toThrow(UnmappedDealLineError);
    await expect(syncDeal(upserted({ lines }), ports)).rejects.toThrow(/line L9 “Custom work” \(SKU CUSTOM, CRM product crm-77\)/);
    expect(ledger.writes()).toBe(0);
  });

  it('maps a line by the configured CRM product when its SKU is no Internal Reference', async () => {
    ports = { ...ports, config: { companyId: 1, products: { 'hubspot:1642736501': 12 } } };
    ledger.productCodes.delete('SEAT-ANNUAL');
    await syncDeal(upserted(), ports);
    expect(onlyOrder().lines.map((line) => line.productId)).toEqual([12, 12]);
  });

  it('follows later changes while a quotation, and ignores an older event delivered late', async () => {
    const first = upserted();
    const second = upserted({ lines: [{ ...DEAL.lines[0]!, quantity: '12', amount: 180000 }] });
    await syncDeal(second, ports);
    const late = await syncDeal(first, ports);
    expect(late.outcome).toBe('stale');
    const third = await syncDeal(upserted({ lines: [{ ...DEAL.lines[0]!, quantity: '15', amount: 225000 }, DEAL.lines[1]!] }), ports);
    expect(third).toMatchObject({ outcome: 'amended', lineChanges: 2 });
    expect(onlyOrder().lines.map((line) => [line.productId, line.quantity])).toEqual([
      [11, 15],
      [12, 1],
    ]);
  });

  it('follows a change of the deal’s account and currency while a quotation: the order is made out anew, in one write', async () => {
    await syncDeal(upserted(), ports);
    await identityMap.link('hubspot:account:555', { system: 'odoo', kind: 'res.partner', id: '88' });
    const moved = await syncDeal(upserted({ primaryAccountId: '555', accountIds: ['555'], currency: 'usd' }), ports);
    expect(moved).toMatchObject({ outcome: 'amended', lineChanges: 1 });
    expect(onlyOrder()).toMatchObject({ partnerId: 88, currency: { code: 'USD' } });
    expect(ledger.calls.get('amendQuotation')).toBe(2);
  });

  it('finds the quotation by its external id after a crash lost the identity-map link: never a second order', async () => {
    await syncDeal(upserted(), ports);
    identityMap.links.delete(`${DEAL_KEY}|odoo#sale.order`);
    const again = await syncDeal(upserted(), ports);
    expect(again.outcome).toBe('unchanged');
    expect(ledger.orders.size).toBe(1);
  });

  it('confirms the quotation when won and publishes deal.won once, with a deterministic id and the order’s amounts', async () => {
    await syncDeal(upserted(), ports);
    const won = await syncDeal(upserted({ isClosedWon: true, stage: 'closedwon' }), ports);
    const again = await syncDeal(upserted({ isClosedWon: true, stage: 'closedwon', name: 'renamed' }), ports);
    expect(won).toMatchObject({ outcome: 'amended', state: 'confirmed', published: 'hubspot:deal:332507367156:won' });
    expect(again).toMatchObject({ outcome: 'unchanged', state: 'confirmed', published: undefined });
    expect(ledger.calls.get('confirmOrder')).toBe(1);
    expect(published).toHaveLength(1);
    const [event] = published;
    expect(dealWonSchema.safeParse(event).success).toBe(true);
    expect(event!.data).toMatchObject({
      deal: { system: 'hubspot', id: '332507367156' },
      account: { system: 'hubspot', id: '6682673371' },
      order: { id: onlyOrder().id, partnerId: 77, name: 'S00001' },
      currency: 'eur',
      amountUntaxed: 200000,
      amountTotal: 200000,
    });
    expect(event!.data.lines.map((line) => [line.sku, line.odooProductId, line.quantity, line.unitAmount])).toEqual([
      ['SEAT-ANNUAL', 11, '10', 15000],
      ['ONBOARDING', 12, '1', 50000],
    ]);
  });

  it('republishes the same event, not a different one, when a crash came between the publish and its mark', async () => {
    const won = upserted({ isClosedWon: true });
    let failMark = true;
    const link = identityMap.link.bind(identityMap);
    identityMap.link = async (key, ref) => {
      if (ref.kind === 'deal.won' && failMark) {
        failMark = false;
        throw new Error('DynamoDB unavailable');
      }
      return link(key, ref);
    };
    await expect(syncDeal(won, ports)).rejects.toThrow('DynamoDB unavailable');
    const redelivered = await syncDeal(won, ports);
    expect(redelivered).toMatchObject({ state: 'confirmed' });
    expect(ledger.calls.get('confirmOrder')).toBe(1);
    expect(published).toHaveLength(2);
    expect(published[1]).toEqual(published[0]);
  });

  it('cancels the quotation when lost, and makes it a quotation again when the deal is reopened', async () => {
    await syncDeal(upserted(), ports);
    expect(await syncDeal(upserted({ isClosedLost: true }), ports)).toMatchObject({ state: 'cancelled' });
    expect(onlyOrder().state).toBe('cancelled');
    expect(await syncDeal(upserted(), ports)).toMatchObject({ state: 'quotation' });
    expect(ledger.calls.get('reopenOrder')).toBe(1);
  });

  it('makes no quotation for a deal lost before Odoo saw it', async () => {
    expect(await syncDeal(upserted({ isClosedLost: true }), ports)).toEqual({ outcome: 'absent' });
    expect(ledger.writes()).toBe(0);
  });

  it('never rewrites a confirmed order: a line change after the win is a chatter note for finance', async () => {
    await syncDeal(upserted({ isClosedWon: true }), ports);
    const before = onlyOrder().lines.map((line) => ({ ...line }));
    const changed = await syncDeal(upserted({ isClosedWon: true, lines: [{ ...DEAL.lines[0]!, quantity: '20', amount: 300000 }] }), ports);
    expect(changed).toMatchObject({ outcome: 'flagged', state: 'confirmed', lineChanges: 0 });
    expect(onlyOrder().lines).toEqual(before);
    expect(onlyOrder().notes).toHaveLength(1);
    expect(onlyOrder().notes[0]).toMatch(/changed its lines in the CRM \(hubspot\) after S00001 was confirmed\. The order was not changed.*20 × 150\.00 EUR/);
    // A lost verdict after the win is flagged too, never a cancellation.
    expect(await syncDeal(upserted({ isClosedLost: true }), ports)).toMatchObject({ outcome: 'flagged', state: 'confirmed' });
    expect(ledger.calls.get('cancelOrder')).toBeUndefined();
  });

  it('cancels a deleted deal’s quotation; a later (older) upsert is stale', async () => {
    await syncDeal(upserted(), ports);
    const stale = upserted();
    expect(await syncDeal(deleted(), ports)).toMatchObject({ outcome: 'cancelled' });
    expect(onlyOrder().state).toBe('cancelled');
    expect((await syncDeal(stale, ports)).outcome).toBe('stale');
  });

  it('leaves a deleted deal’s confirmed order with a chatter note', async () => {
    await syncDeal(upserted({ isClosedWon: true }), ports);
    expect(await syncDeal(deleted(), ports)).toMatchObject({ outcome: 'flagged-deleted' });
    expect(onlyOrder()).toMatchObject({ state: 'confirmed' });
    expect(onlyOrder().notes[0]).toMatch(/deleted in the CRM \(hubspot\).*leaves it as it is/);
  });
});
