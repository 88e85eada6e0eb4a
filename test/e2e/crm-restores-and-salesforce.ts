import { beforeAll, describe, expect, it } from 'vitest';
import { canonicalEventSchema } from '../../events/catalog';
import { SANDBOX_SALESFORCE_CLIENT_ID, SANDBOX_SALESFORCE_CLIENT_SECRET } from '../../local/sandboxes/salesforce/server';
import { customerObject, invoiceObject, type StripeObjectJson } from '../fixtures/stripe/billing-story';
import { stripeEvent } from '../fixtures/stripe/stripe-events';
import { shuffled } from '../support/seeded-shuffle';
import { hubspotDeliveries } from './hubspot-deliveries';
import { odooPartners } from './odoo-partners';
import { archivedCanonicalEvents, deadLetters, type Harness, onboardingEnded, postStripeWebhook, waitFor, waitForFlowsSettled } from './local-stack-harness';

/**
 * The CRM stories the one-customer story (crm-identity.ts) leaves out, on ITS harness (the sandbox's, or the real
 * Odoo 18 / 19 server its suite started: no server of their own):
 * - HubSpot: a company and its contact deleted, then restored (the same ids back) → archived, then active again, the
 *   contact under its company; a contact of two companies under the one the CRM marks primary, the other without it;
 * - Salesforce through the partner bus: an Account naming its Stripe customer and VAT in the org's own fields → its
 *   partner, which the Stripe customer's invoice then lands on; its Opportunity a quotation, closed won → a confirmed
 *   order and `deal.won`, whose onboarding (no billing price for the product) undoes it: the order cancelled; an Account deleted, then restored from the Recycle Bin (UNDELETE) → archived, then active;
 * - everything delivered again, twice and shuffled (Salesforce's changes relayed again) → the same Odoo state.
 */
/** A story waits up to a minute for each of several effects: room for all of them on a loaded machine. */
const STORY_TIMEOUT_MS = 240_000;

export function crmRestoreAndSalesforceStories(harnessOf: () => Harness, seed: number): void {
  describe('restored CRM records, a contact of two companies, a Salesforce company into Odoo', () => {
    const PORTAL = 62515;
    const VANDELAY = { id: 7511, properties: { name: 'Vandelay Industries', domain: 'vandelay-crm.example', phone: '+1 555 0111' } };
    const KRAMERICA = { id: 7512, properties: { name: 'Kramerica Industries', domain: 'kramerica-crm.example' } };
    const ELAINE = { id: 7611, properties: { firstname: 'Elaine', lastname: 'Benes', email: 'elaine@vandelay-crm.example' } };
    const UMBRELLA_CUSTOMER = 'cus_sfUmbrella';
    const UMBRELLA_INVOICE = 'in_sfUmbrella1';

    let harness: Harness;
    let salesforceUrl: string;
    let token: string;
    const hubspotBodies: string[] = [];
    const stripeDeliveries: ReturnType<typeof stripeEvent>[] = [];
    /** Every change the Salesforce sandbox relayed to the stack since these stories began, by dedupe key. */
    const relayedChanges = new Map<string, Record<string, unknown>>();
    const salesforceIds: { umbrella?: string; opportunity?: string; soylent?: string } = {};

    const hubspotSandbox = async (path: string, body: unknown) => expect((await fetch(`${harness.providerApi('hubspot').sandboxUrl}/_sandbox/${path}`, { method: 'POST', body: JSON.stringify(body) })).status).toBe(200);
    const { event: hubspotEvent, deliver: deliverHubspot, bodiesOf } = hubspotDeliveries(() => harness, { portalId: PORTAL, subscriptionId: 62, firstEventId: 9000 });
    const settled = async () => expect(await waitForFlowsSettled(harness.stack, { timeoutMs: 120_000 })).toEqual([]);

    /** A Salesforce user's REST call (no `Sforce-Call-Options`: not the integration). */
    async function rest(method: string, path: string, body?: unknown): Promise<Record<string, unknown> | undefined> {
      const response = await fetch(`${salesforceUrl}/services/data/v62.0/${path}`, { method, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      const text = await response.text();
      if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
      return text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>);
    }
    const createRecord = async (type: string, fields: Record<string, unknown>) => String((await rest('POST', `sobjects/${type}`, fields))!['id']);

    type PartnerRow = { id: number; name: string; parent_id: [number, string] | false; is_company: boolean; active: boolean; vat: string | false; phone: string | false };
    const PARTNER_FIELDS = ['name', 'parent_id', 'is_company', 'active', 'vat', 'phone'];
    const { partnerOf, childrenOf } = odooPartners<PartnerRow>(() => harness, PARTNER_FIELDS);
    const ordersOf = (opportunityId: string) => harness.odoo.searchRead<{ id: number; partner_id: [number, string]; state: string; amount_untaxed: number }>('sale.order', [['client_order_ref', '=', opportunityId]], ['partner_id', 'state', 'amount_untaxed']);
    /** Every record these stories touch, as a comparable picture (ids and all). */
    async function odooState() {
      const names = ['Vandelay Industries', 'Kramerica Industries', 'Umbrella Corporation', 'Soylent Green Ltd'];
      const partners = await harness.odoo.searchRead<PartnerRow>('res.partner', ['|', ['name', 'in', names], ['parent_id.name', 'in', names]], PARTNER_FIELDS, { order: 'id', context: { active_test: false } });
      const invoices = await harness.odoo.searchRead('account.move', [['ref', '=', UMBRELLA_INVOICE]], ['partner_id', 'state', 'amount_total'], { order: 'id' });
      const orders = await ordersOf(salesforceIds.opportunity!);
      return { partners, invoices, orders };
    }

    beforeAll(async () => {
      harness = harnessOf();
      salesforceUrl = harness.providerApi('salesforce').sandboxUrl!;
      const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: SANDBOX_SALESFORCE_CLIENT_ID, client_secret: SANDBOX_SALESFORCE_CLIENT_SECRET });
      token = ((await (await fetch(`${salesforceUrl}/services/oauth2/token`, { method: 'POST', body: form })).json()) as { access_token: string }).access_token;
      const ingest = [...harness.stack.functions.keys()].find((name) => name.startsWith('SalesforceIngest'))!;
      harness.stack.activity.onInvocation((invocation) => {
        if (invocation.functionName !== ingest) return;
        const payload = (invocation.event as { detail?: { payload?: { ChangeEventHeader?: { transactionKey: string; sequenceNumber: number } } } }).detail?.payload;
        if (payload?.ChangeEventHeader) relayedChanges.set(`${payload.ChangeEventHeader.transactionKey}:${payload.ChangeEventHeader.sequenceNumber}`, payload);
      });
      // What finance sets up: the product the opportunity's line names by its code (its Internal Reference).
      await harness.odoo.create('product.product', { name: 'CRM seat', default_code: 'SF-CRM-SEAT', list_price: 1, sale_ok: true, type: 'service' });
      await hubspotSandbox('objects', { type: 'companies', records: [VANDELAY, KRAMERICA] });
      await hubspotSandbox('objects', { type: 'contacts', records: [ELAINE] });
      await hubspotSandbox('associations', { from: 'contacts', to: 'companies', links: [{ fromId: ELAINE.id, toId: KRAMERICA.id, primary: false }, { fromId: ELAINE.id, toId: VANDELAY.id, primary: true }] });
    });

    it('a HubSpot contact of two companies goes under its primary; the company and the contact deleted → archived; restored (the same ids back) → active again, the contact under its company', async () => {
      const creations = bodiesOf([hubspotEvent('contact.creation', ELAINE.id), hubspotEvent('company.creation', KRAMERICA.id), hubspotEvent('company.creation', VANDELAY.id)]);
      hubspotBodies.push(...creations);
      await deliverHubspot(shuffled([...creations, ...creations], seed));
      await settled();
      const vandelay = (await partnerOf('saas_sync.hubspot_account_7511'))!;
      const kramerica = (await partnerOf('saas_sync.hubspot_account_7512'))!;
      expect((await childrenOf(vandelay.id)).map((child) => [child.name, child.active])).toEqual([['Elaine Benes', true]]);
      // Odoo's parent_id holds one company: the other has no partner of her.
      expect(await childrenOf(kramerica.id)).toEqual([]);

      const deletions = bodiesOf([hubspotEvent('contact.deletion', ELAINE.id), hubspotEvent('company.deletion', VANDELAY.id)]);
      hubspotBodies.push(...deletions);
      await deliverHubspot(deletions);
      await settled();
      expect((await partnerOf('saas_sync.hubspot_account_7511'))!.active).toBe(false);
      expect((await partnerOf('saas_sync.hubspot_contact_7611'))!.active).toBe(false);

      const restores = bodiesOf([hubspotEvent('contact.restore', ELAINE.id), hubspotEvent('company.restore', VANDELAY.id)]);
      hubspotBodies.push(...restores);
      await deliverHubspot(shuffled([...restores, ...restores, ...deletions], seed + 1));
      await settled();
      expect(await partnerOf('saas_sync.hubspot_account_7511')).toMatchObject({ id: vandelay.id, name: 'Vandelay Industries', is_company: true, active: true, phone: '+1 555 0111' });
      expect((await childrenOf(vandelay.id)).map((child) => [child.name, child.active])).toEqual([['Elaine Benes', true]]);
    }, STORY_TIMEOUT_MS);

    it('a Salesforce Account naming its Stripe customer and VAT in the org’s fields → its partner; that Stripe customer’s invoice lands on it; its Opportunity a quotation, closed won → a confirmed order and deal.won, whose onboarding (no price for the product) cancels it with the reason', async () => {
      const umbrella = await createRecord('Account', { Name: 'Umbrella Corporation', Website: 'https://umbrella-crm.example', Phone: '+1 555 0130', Stripe_Customer_Id__c: UMBRELLA_CUSTOMER, VAT_Number__c: 'DE811907980' });
      salesforceIds.umbrella = umbrella;
      const opportunity = await createRecord('Opportunity', { Name: 'Umbrella - 2 seats', StageName: 'Prospecting', CloseDate: '2026-12-31', AccountId: umbrella });
      salesforceIds.opportunity = opportunity;
      await createRecord('OpportunityLineItem', { OpportunityId: opportunity, Name: 'CRM seat', ProductCode: 'SF-CRM-SEAT', Quantity: 2, UnitPrice: 75 });
      const partner = await waitFor(async () => (await partnerOf(`saas_sync.salesforce_account_${umbrella}`)) ?? undefined, { what: 'the Account’s partner', timeoutMs: 60_000 });
      expect(partner).toMatchObject({ name: 'Umbrella Corporation', is_company: true, active: true, vat: 'DE811907980', phone: '+1 555 0130' });
      const quotation = await waitFor(async () => (await ordersOf(opportunity)).find((order) => order.amount_untaxed === 150), { what: 'the quotation with its line', timeoutMs: 60_000 });
      expect(quotation).toMatchObject({ partner_id: [partner.id, 'Umbrella Corporation'], state: 'draft' });

      // The Stripe customer says nothing of Salesforce, its email another domain: the Account's own link finds it.
      const customerJson: StripeObjectJson = { ...customerObject(UMBRELLA_CUSTOMER, { name: 'Umbrella Corporation', email: 'ap@umbrella-billing.example', currency: 'eur' }), metadata: {} };
      const invoiceFields = { customer: UMBRELLA_CUSTOMER, customerName: 'Umbrella Corporation', currency: 'eur', lines: [{ price: 'price_sfSeat', description: 'Seat', quantity: 3, unitAmount: 2500 }], finalizedAt: 1_796_100_000 };
      await harness.seedStripe([customerJson, invoiceObject(UMBRELLA_INVOICE, invoiceFields)]);
      const events = [
        stripeEvent('customer.created', customerJson, { id: 'evt_sfUmbrellaCustomer', created: 1_796_099_000 }),
        stripeEvent('invoice.finalized', invoiceObject(UMBRELLA_INVOICE, invoiceFields), { id: 'evt_sfUmbrellaInvoice', created: 1_796_100_000 }),
      ];
      stripeDeliveries.push(...events);
      for (const event of events) expect((await postStripeWebhook(harness.webhookUrl, event)).status).toBe(200);
      await settled();
      expect(await partnerOf(`saas_sync.stripe_customer_${UMBRELLA_CUSTOMER}`)).toBeUndefined();
      const invoices = await harness.odoo.searchRead<{ partner_id: [number, string]; state: string }>('account.move', [['ref', '=', UMBRELLA_INVOICE]], ['partner_id', 'state']);
      expect(invoices.map((invoice) => [invoice.partner_id[0], invoice.state])).toEqual([[partner.id, 'posted']]);

      await rest('PATCH', `sobjects/Opportunity/${opportunity}`, { StageName: 'Closed Won' });
      const won = await waitFor(() => archivedCanonicalEvents(harness).find((event) => event.detailType === 'deal.won' && event.detail.subject === `salesforce:deal:${opportunity}`), { what: 'deal.won on the bus', timeoutMs: 60_000 });
      expect(canonicalEventSchema.safeParse(won.detail).error).toBeUndefined();
      expect(won.detail).toMatchObject({ data: { order: { partnerId: partner.id }, amountUntaxed: 15_000 } });
      // deal.won is published only after Odoo confirmed the order (its state is not asserted here: the onboarding
      // below may already have cancelled it). The same order, the quotation's, with its amount.
      expect(await ordersOf(opportunity)).toMatchObject([{ id: quotation.id, amount_untaxed: 150 }]);

      // deal.won starts the onboarding, which finds no billing price for the product sold (the local stage maps none
      // for SF-CRM-SEAT) and undoes what it did: the order cancelled, with the reason in its chatter; the Stripe
      // customer, which it did not make, kept.
      const onboarding = await onboardingEnded(harness.stack, { system: 'salesforce', id: opportunity });
      expect(onboarding.status).toBe('FAILED');
      expect(await ordersOf(opportunity)).toMatchObject([{ id: quotation.id, state: 'cancel' }]);
      const [note] = await harness.odoo.searchRead<{ body: string }>('mail.message', [['model', '=', 'sale.order'], ['res_id', '=', quotation.id], ['body', 'ilike', 'Onboarding undone']], ['body']);
      expect(note?.body).toContain('no stripe price is mapped for line');
      expect(note?.body).toContain('SKU SF-CRM-SEAT');
    }, STORY_TIMEOUT_MS);

    it('a Salesforce Account deleted → its partner archived; restored from the Recycle Bin (UNDELETE) → active again', async () => {
      const soylent = await createRecord('Account', { Name: 'Soylent Green Ltd', Website: 'soylent-crm.example' });
      salesforceIds.soylent = soylent;
      const externalId = `saas_sync.salesforce_account_${soylent}`;
      await waitFor(async () => ((await partnerOf(externalId))?.active === true ? true : undefined), { what: 'the Account’s partner', timeoutMs: 60_000 });
      await rest('DELETE', `sobjects/Account/${soylent}`);
      await waitFor(async () => ((await partnerOf(externalId))?.active === false ? true : undefined), { what: 'the partner archived', timeoutMs: 60_000 });
      expect((await fetch(`${salesforceUrl}/_sandbox/undelete`, { method: 'POST', body: JSON.stringify({ type: 'Account', id: soylent }) })).status).toBe(200);
      const restored = await waitFor(async () => {
        const partner = await partnerOf(externalId);
        return partner?.active === true ? partner : undefined;
      }, { what: 'the partner active again', timeoutMs: 60_000 });
      expect(restored).toMatchObject({ name: 'Soylent Green Ltd', is_company: true });
      await settled();
    }, STORY_TIMEOUT_MS);

    it('everything delivered again, twice and shuffled (Salesforce’s changes relayed again) → the same Odoo state, nothing dead-lettered', async () => {
      await settled();
      const before = await odooState();
      const changes = [...relayedChanges.values()];
      expect(changes.length).toBeGreaterThanOrEqual(6);
      const ingest = [...harness.stack.functions.keys()].find((name) => name.startsWith('SalesforceIngest'))!;
      const ingested = () => harness.stack.activity.activityOf(ingest).invocations;
      const ingestedBefore = ingested();
      for (const payload of shuffled([...changes, ...changes], seed + 2)) {
        expect((await fetch(`${salesforceUrl}/_sandbox/change`, { method: 'POST', body: JSON.stringify({ payload }) })).status).toBe(200);
      }
      await deliverHubspot(shuffled([...hubspotBodies, ...hubspotBodies], seed + 3));
      for (const event of shuffled([...stripeDeliveries, ...stripeDeliveries], seed + 4)) expect((await postStripeWebhook(harness.webhookUrl, event)).status).toBe(200);
      await waitFor(() => (ingested() - ingestedBefore >= 2 * changes.length ? true : undefined), { what: 'every relayed change ingested again', timeoutMs: 60_000 });
      await settled();
      expect(await odooState()).toEqual(before);
      expect(deadLetters(harness.stack)).toEqual([]);
    }, STORY_TIMEOUT_MS);
  });
}
