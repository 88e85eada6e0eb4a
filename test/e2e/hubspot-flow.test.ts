import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalEventSchema } from '../../events/catalog';
import { customerObject, type StripeObjectJson } from '../fixtures/stripe/billing-story';
import { stripeEvent } from '../fixtures/stripe/stripe-events';
import { archivedCanonicalEvents, type Harness, onboardingEnded, postStripeWebhook, startHarness, waitFor, waitForFlowsSettled } from './local-stack-harness';

/**
 * HubSpot end to end on the local runtime: a batch of thin events signed by the HubSpot sandbox (v3, for the local
 * stage's webhook URL) → API Gateway → the HubSpot ingest, which reads the records from the sandbox (batch reads,
 * associations) → one canonical event each on the bus, kept by the archive; crm-sync makes the company partner and
 * its contact a child, and deal-sync the closed-won deal's confirmed order for that partner, with `deal.won` on the bus.
 */

const COMPANY = { id: 7101, properties: { name: 'Acme Analytics GmbH', domain: 'acme-analytics.example', city: 'Berlin', country: 'Germany' } };
const CONTACT = { id: 7201, properties: { firstname: 'Ada', lastname: 'Lovelace', email: 'ada@acme-analytics.example' } };
const DEAL = { id: 7301, properties: { dealname: 'Annual plan', amount: '1200.50', deal_currency_code: 'EUR', pipeline: 'default', dealstage: '1049832', hs_is_closed_won: 'true', hs_is_closed: 'true' } };
const LINE = { id: 7401, properties: { name: 'Seat', hs_sku: 'SEAT', quantity: '2', price: '600.25', amount: '1200.50' } };

describe('HubSpot on the local runtime', () => {
  let harness: Harness;
  let hubspotUrl: string;
  let eventSeq = 0;

  const archived = () => archivedCanonicalEvents(harness);
  const hubspotEvents = () => archived().filter((event) => event.detail.id.startsWith('hubspot:'));
  const post = async (headers: Record<string, string>, body: string) => {
    const response = await fetch(harness.webhookUrlOf('hubspot'), { method: 'POST', headers, body });
    return { status: response.status, body: await response.text() };
  };
  const signed = (body: string, options?: { transmittedAt?: Date }) => {
    const sign = harness.providerApi('hubspot').webhookHeaders;
    if (sign === undefined) throw new Error('the HubSpot sandbox offers no signer');
    return sign(body, options);
  };
  /** A thin event as HubSpot sends it, for the local stage's portal (62515), made by a user in the CRM. */
  const event = (subscriptionType: string, objectId: number, fields: Record<string, unknown> = {}) => {
    eventSeq++;
    return { eventId: 900 + eventSeq, subscriptionId: 51, portalId: 62515, appId: 54321, occurredAt: Date.now() - 1_000 + eventSeq, subscriptionType, attemptNumber: 0, objectId, changeSource: 'CRM_UI', sourceId: 'userId:47812075', ...fields };
  };

  beforeAll(async () => {
    harness = await startHarness();
    hubspotUrl = harness.providerApi('hubspot').sandboxUrl!;
    // What finance sets up: the product whose Internal Reference is the line's SKU.
    await harness.odoo.create('product.product', { name: 'Seat', default_code: LINE.properties.hs_sku, list_price: 1, sale_ok: true, type: 'service' });
    const seed = async (path: string, body: unknown) => expect((await fetch(`${hubspotUrl}/_sandbox/${path}`, { method: 'POST', body: JSON.stringify(body) })).status).toBe(200);
    await seed('objects', { type: 'companies', records: [COMPANY] });
    await seed('objects', { type: 'contacts', records: [CONTACT] });
    await seed('objects', { type: 'deals', records: [DEAL] });
    await seed('objects', { type: 'line_items', records: [LINE] });
    await seed('associations', { from: 'contacts', to: 'companies', links: [{ fromId: CONTACT.id, toId: COMPANY.id, primary: true }] });
    await seed('associations', { from: 'deals', to: 'companies', links: [{ fromId: DEAL.id, toId: COMPANY.id, primary: true }] });
    await seed('associations', { from: 'deals', to: 'line_items', links: [{ fromId: DEAL.id, toId: LINE.id }] });
  }, 240_000);

  afterAll(async () => {
    await harness?.close();
  });

  it('a signed batch of company, contact and deal events → one canonical event each on the bus, with the records read from HubSpot', async () => {
    const batch = [
      event('company.creation', COMPANY.id),
      event('contact.propertyChange', CONTACT.id, { propertyName: 'email', propertyValue: CONTACT.properties.email }),
      event('deal.propertyChange', DEAL.id, { propertyName: 'dealstage', propertyValue: '1049832' }),
      event('company.deletion', 7999),
      // Our own write coming back (sourceId = the local stage's app id): dropped, counted, not published.
      event('company.propertyChange', COMPANY.id, { propertyName: 'odoo_partner_id', propertyValue: '42', changeSource: 'INTEGRATION', sourceId: '54321' }),
    ];
    const body = JSON.stringify(batch);

    expect(await post(signed(body), body)).toMatchObject({ status: 200 });

    const received = await waitFor(() => (hubspotEvents().length >= 4 ? hubspotEvents() : undefined), { what: 'the HubSpot canonical events in the archive', timeoutMs: 30_000 });
    expect(received.map((event) => event.detailType)).toEqual(['account.upserted', 'contact.upserted', 'deal.upserted', 'account.deleted']);
    for (const { detail } of received) expect(canonicalEventSchema.safeParse(detail).error).toBeUndefined();
    const [account, contact, deal] = received.map((event) => event.detail.data as Record<string, Record<string, unknown>>);
    expect(account!['account']).toMatchObject({ system: 'hubspot', account: '62515', id: '7101', name: 'Acme Analytics GmbH', domain: 'acme-analytics.example' });
    expect(contact!['contact']).toMatchObject({ id: '7201', email: 'ada@acme-analytics.example', accountIds: ['7101'], primaryAccountId: '7101' });
    expect(deal!['deal']).toMatchObject({
      id: '7301', stage: '1049832', isClosedWon: true, isClosedLost: false, amount: 120050, currency: 'eur', primaryAccountId: '7101',
      lines: [{ id: '7401', sku: 'SEAT', quantity: '2', unitAmount: 60025, amount: 120050 }],
    });
    // crm-sync consumes the account and the contact: the company partner, its contact a child.
    expect(await waitForFlowsSettled(harness.stack)).toEqual([]);
    const company = await harness.odoo.partnerByExternalId('saas_sync.hubspot_account_7101');
    expect(company).toMatchObject({ name: 'Acme Analytics GmbH', is_company: true, active: true });
    const partnerId = company!.id;
    const child = await harness.odoo.partnerByExternalId('saas_sync.hubspot_contact_7201');
    expect(child).toMatchObject({ name: 'Ada Lovelace', email: 'ada@acme-analytics.example', is_company: false });
    const [row] = await harness.odoo.searchRead<{ parent_id: [number, string] | false }>('res.partner', [['id', '=', child!.id]], ['parent_id']);
    const parent = row?.parent_id;
    expect(parent && parent[0]).toBe(partnerId);
    // The closed-won deal: a confirmed order for the company's partner, its line at the exact price, one deal.won.
    const won = await waitFor(() => hubspotEvents().find((event) => event.detailType === 'deal.won'), { what: 'deal.won in the archive', timeoutMs: 30_000 });
    expect(canonicalEventSchema.safeParse(won.detail).error).toBeUndefined();
    expect(won.detail).toMatchObject({ id: `hubspot:deal:${DEAL.id}:won`, data: { order: { partnerId }, currency: 'eur', amountUntaxed: 120050, lines: [{ sku: 'SEAT', quantity: '2', unitAmount: 60025 }] } });
    const orders = await harness.odoo.searchRead<Record<string, unknown>>('sale.order', [['client_order_ref', '=', String(DEAL.id)]], ['partner_id', 'currency_id', 'amount_untaxed', 'state']);
    expect(orders).toEqual([expect.objectContaining({ partner_id: [partnerId, COMPANY.properties.name], currency_id: [expect.any(Number), 'EUR'], amount_untaxed: 1200.5 })]);
    // deal.won starts the onboarding, which finds no billing price for SEAT in the local stage and undoes itself:
    // the confirmed order cancelled (the onboarding's own e2e covers a mapped product).
    const onboarding = await onboardingEnded(harness.stack, { system: 'hubspot', id: String(DEAL.id) });
    expect(onboarding.status).toBe('FAILED');
    const [order] = await harness.odoo.searchRead<{ id: number; state: string }>('sale.order', [['client_order_ref', '=', String(DEAL.id)]], ['state']);
    expect(order?.state).toBe('cancel');
  });

  describe('write-back, without loops', () => {
    type Delivery = { events: { subscriptionType: string; objectId: number; propertyName: string; sourceId: string }[]; status: number; body: string };
    const sandboxCompany = async (id: number) => {
      const response = await fetch(`${hubspotUrl}/crm/v3/objects/companies/${id}`, { headers: { Authorization: 'Bearer pat-sandbox-local' } });
      return ((await response.json()) as { properties: Record<string, string | null> }).properties;
    };
    const changeDeliveries = async () => ((await (await fetch(`${hubspotUrl}/_sandbox/change-deliveries`)).json()) as { deliveries: Delivery[] }).deliveries;

    it('the company’s Odoo partner id appears on the HubSpot company, and its write comes back as a webhook the ingest drops', async () => {
      const partner = (await harness.odoo.partnerByExternalId('saas_sync.hubspot_account_7101'))!;
      const written = await waitFor(async () => {
        const properties = await sandboxCompany(COMPANY.id);
        return properties['odoo_partner_id'] ? properties : undefined;
      }, { what: 'odoo_partner_id on the HubSpot company', timeoutMs: 30_000 });
      expect(written).toMatchObject({ odoo_partner_id: String(partner.id), saas_sync_customer_id: 'hubspot_account_7101', name: COMPANY.properties.name });
      expect(written['stripe_customer_id'] ?? null).toBeNull();

      // HubSpot reported the write (our app's id as sourceId) to the stack, which answered 200 and skipped it.
      const deliveries = await waitFor(async () => {
        const all = await changeDeliveries();
        return all.some((delivery) => delivery.events.some((event) => event.propertyName === 'odoo_partner_id')) ? all : undefined;
      }, { what: 'the change webhook of the write-back', timeoutMs: 30_000 });
      for (const delivery of deliveries) {
        expect(delivery.events.every((event) => event.subscriptionType === 'company.propertyChange' && event.objectId === COMPANY.id && event.sourceId === '54321')).toBe(true);
        expect({ status: delivery.status, body: JSON.parse(delivery.body) }).toEqual({ status: 200, body: { received: true, skipped: delivery.events.length } });
      }
    });

    it('a Stripe customer naming the company (hubspot_company_id) → its id appears on the company too; the echo is dropped, with no second effect', async () => {
      // The deal won above started the onboarding, which made a Stripe customer for the company and, finding no price
      // for its line, deleted it again: a deleted customer is not the company's billing customer, this one is.
      const customer = 'cus_hubspotFlow1';
      const customerJson: StripeObjectJson = { ...customerObject(customer, { name: 'Acme Analytics GmbH', email: 'billing@acme-analytics.example', currency: 'eur' }), metadata: { hubspot_company_id: String(COMPANY.id) } };
      await harness.seedStripe([customerJson]);
      const hubspotBefore = hubspotEvents().length;
      expect((await postStripeWebhook(harness.webhookUrl, stripeEvent('customer.created', customerJson, { id: 'evt_hubspotFlowCustomer', created: 1_795_999_000 }))).status).toBe(200);

      const written = await waitFor(async () => {
        const properties = await sandboxCompany(COMPANY.id);
        return properties['stripe_customer_id'] === customer ? properties : undefined;
      }, { what: 'stripe_customer_id on the HubSpot company', timeoutMs: 90_000 });
      const partner = (await harness.odoo.partnerByExternalId('saas_sync.hubspot_account_7101'))!;
      // The same partner: the Stripe customer joined the company's customer, whose ids stay as they were.
      expect(written).toMatchObject({ odoo_partner_id: String(partner.id), saas_sync_customer_id: 'hubspot_account_7101', stripe_customer_id: customer });
      expect(await harness.odoo.partnerByExternalId('saas_sync.stripe_customer_cus_hubspotFlow1')).toBeUndefined();
      expect(await waitForFlowsSettled(harness.stack)).toEqual([]);

      const echoes = (await changeDeliveries()).filter((delivery) => delivery.events.some((event) => event.propertyName === 'stripe_customer_id'));
      expect(echoes).toHaveLength(1);
      expect({ status: echoes[0]!.status, body: JSON.parse(echoes[0]!.body) }).toEqual({ status: 200, body: { received: true, skipped: 1 } });
      // No second effect: nothing about HubSpot reached the bus, and HubSpot was written to once per field.
      expect(hubspotEvents()).toHaveLength(hubspotBefore);
      const writes = (await changeDeliveries()).flatMap((delivery) => delivery.events.map((event) => event.propertyName));
      expect(writes.filter((name) => name === 'stripe_customer_id')).toHaveLength(1);
      expect(writes.filter((name) => name === 'odoo_partner_id')).toHaveLength(1);
    });
  });

  it('the same batch delivered again (HubSpot’s retry) is published with the same canonical ids', async () => {
    const batch = [event('company.propertyChange', COMPANY.id, { propertyName: 'city', propertyValue: 'Berlin' })];
    const body = JSON.stringify(batch);
    const before = hubspotEvents().length;
    expect((await post(signed(body), body)).status).toBe(200);
    const retry = JSON.stringify([{ ...batch[0], attemptNumber: 1 }]);
    expect((await post(signed(retry), retry)).status).toBe(200);
    const ids = (await waitFor(() => (hubspotEvents().length >= before + 2 ? hubspotEvents().slice(before) : undefined), { what: 'both deliveries archived' })).map((event) => event.detail.id);
    expect(ids).toHaveLength(2);
    expect(ids[0]).toBe(ids[1]);
  });

  describe('a batch HubSpot did not sign is refused with 401 and nothing published', () => {
    const refusedWithNothingPublished = async (headers: Record<string, string>, body: string) => {
      const archivedBefore = archived().length;
      const eventsBefore = harness.stack.activity.recentEvents().length;
      const response = await post(headers, body);
      expect(response.status).toBe(401);
      // Give a wrongly accepted request the time to reach the bus before looking.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(harness.stack.activity.recentEvents()).toHaveLength(eventsBefore);
      expect(archived()).toHaveLength(archivedBefore);
    };
    const body = () => JSON.stringify([event('company.creation', COMPANY.id)]);

    it('forged: signed with another secret', async () => {
      const text = body();
      const headers = signed(text);
      const forged = { ...headers, 'X-HubSpot-Signature-v3': Buffer.from('f'.repeat(32)).toString('base64') };
      await refusedWithNothingPublished(forged, text);
    });

    it('tampered: a signature of another body', async () => {
      await refusedWithNothingPublished(signed(body()), body());
    });

    it('stale: signed six minutes ago', async () => {
      const text = body();
      await refusedWithNothingPublished(signed(text, { transmittedAt: new Date(Date.now() - 6 * 60_000) }), text);
    });
  });
});
