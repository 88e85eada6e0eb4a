import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customerObject, invoiceObject, type StripeObjectJson } from '../fixtures/stripe/billing-story';
import { stripeEvent } from '../fixtures/stripe/stripe-events';
import { shuffled } from '../support/seeded-shuffle';
import { crmRestoreAndSalesforceStories } from './crm-restores-and-salesforce';
import { hubspotDeliveries } from './hubspot-deliveries';
import { odooPartners } from './odoo-partners';
import { partnerMergerCases } from './partner-merges';
import { deadLetters, type Harness, odooLabel, type OdooUnderTest, postStripeWebhook, REAL_ODOO_START_TIMEOUT_MS, startHarness, waitForFlowsSettled } from './local-stack-harness';

/**
 * One customer across systems, end to end on the local runtime: HubSpot companies and contacts (signed webhooks →
 * the HubSpot ingest → crm-sync) and Stripe customers and invoices (→ customer-sync, billing-sync) land on ONE Odoo
 * partner per company, whichever system spoke first, each system writing only the fields it owns.
 */
export function crmIdentityStories(target: OdooUnderTest): void {
  describe(`one customer across CRM and billing on ${odooLabel(target)}`, () => {
    const PORTAL = 62515;
    const SEED = Number(process.env['CRM_SHUFFLE_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
    const GLOBEX = { id: 7501, properties: { name: 'Globex Corporation', domain: 'globex-crm.example', phone: '+1 555 0100', address: 'CRM Road 1', city: 'Springfield', zip: '49007' } };
    const INITRODE = { id: 7502, properties: { name: 'Initrode AG', domain: 'initrode-crm.example', phone: '+41 44 000' } };
    const person = (id: number, first: string, last: string) => ({ id, properties: { firstname: first, lastname: last, email: `${first.toLowerCase()}@globex-crm.example` } });
    const ADA = person(7601, 'Ada', 'Able');
    const BOB = person(7602, 'Bob', 'Baker');
    const CY = person(7603, 'Cy', 'Cole');

    let harness: Harness;
    let hubspotUrl: string;
    /** Every webhook delivered, in order: what the last story delivers again, twice and shuffled. */
    const hubspotBodies: string[] = [];
    const stripeDeliveries: ReturnType<typeof stripeEvent>[] = [];

    const sandbox = async (path: string, body: unknown) => expect((await fetch(`${hubspotUrl}/_sandbox/${path}`, { method: 'POST', body: JSON.stringify(body) })).status).toBe(200);
    const { event: hubspotEvent, deliver: deliverHubspot, bodiesOf } = hubspotDeliveries(() => harness, { portalId: PORTAL, subscriptionId: 61, firstEventId: 5000 });
    async function deliverStripe(events: readonly ReturnType<typeof stripeEvent>[]) {
      for (const event of events) expect((await postStripeWebhook(harness.webhookUrl, event)).status).toBe(200);
    }
    const settled = async () => expect(await waitForFlowsSettled(harness.stack, { timeoutMs: 120_000 })).toEqual([]);

    type PartnerRow = { id: number; name: string; parent_id: [number, string] | false; is_company: boolean; active: boolean; street: string | false; city: string | false; phone: string | false; email: string | false };
    const PARTNER_FIELDS = ['name', 'parent_id', 'is_company', 'active', 'street', 'city', 'phone', 'email'];
    const { partnerOf, childrenOf } = odooPartners<PartnerRow>(() => harness, PARTNER_FIELDS);
    /** Every partner the stories touch, as a comparable picture (ids and all). */
    async function odooState() {
      const partners = await harness.odoo.searchRead<PartnerRow>('res.partner', ['|', '|', ['email', 'ilike', 'crm.example'], ['name', 'in', ['Globex Corporation', 'Initrode AG']], ['parent_id.name', 'in', ['Globex Corporation', 'Initrode AG']]], PARTNER_FIELDS, { order: 'id', context: { active_test: false } });
      const invoices = await harness.odoo.searchRead<{ id: number; partner_id: [number, string]; ref: string; state: string }>('account.move', [['ref', 'in', ['in_crmGlobex1']]], ['partner_id', 'ref', 'state'], { order: 'id' });
      return { partners, invoices };
    }

    beforeAll(async () => {
      console.log(`crm identity e2e: shuffle seed ${SEED} (CRM_SHUFFLE_SEED=${SEED} reproduces it)`);
      harness = await startHarness({ retryDelayScale: 0.1, odoo: target });
      hubspotUrl = harness.providerApi('hubspot').sandboxUrl!;
      await sandbox('objects', { type: 'companies', records: [GLOBEX, INITRODE] });
      await sandbox('objects', { type: 'contacts', records: [ADA, BOB, CY] });
      await sandbox('associations', { from: 'contacts', to: 'companies', links: [ADA, BOB, CY].map((contact) => ({ fromId: contact.id, toId: GLOBEX.id, primary: true })) });
    }, REAL_ODOO_START_TIMEOUT_MS);

    afterAll(async () => {
      await harness?.close();
    });

    it('a HubSpot company with contacts, delivered out of order and twice, one contact merged, one deleted → one company with the right children', async () => {
      const creations = bodiesOf([
        hubspotEvent('contact.creation', ADA.id),
        hubspotEvent('contact.creation', CY.id),
        hubspotEvent('company.creation', GLOBEX.id),
        hubspotEvent('contact.creation', BOB.id),
      ]);
      hubspotBodies.push(...creations);
      await deliverHubspot(shuffled([...creations, ...creations], SEED));
      await settled();
      const company = (await partnerOf('saas_sync.hubspot_account_7501'))!;
      expect(company).toMatchObject({ name: 'Globex Corporation', is_company: true, active: true, street: 'CRM Road 1', phone: '+1 555 0100' });
      expect((await childrenOf(company.id)).map((child) => [child.name, child.active])).toEqual([['Ada Able', true], ['Bob Baker', true], ['Cy Cole', true]]);

      // Cy merged into Bob (HubSpot re-reads the survivor), Ada deleted.
      await sandbox('objects', { type: 'contacts', records: [{ ...BOB, properties: { ...BOB.properties, lastname: 'Baker-Cole' } }] });
      const changes = bodiesOf([hubspotEvent('contact.merge', BOB.id, { primaryObjectId: BOB.id, mergedObjectIds: [CY.id] }), hubspotEvent('contact.deletion', ADA.id)]);
      hubspotBodies.push(...changes);
      await deliverHubspot(shuffled([...changes, ...changes, ...creations], SEED + 1));
      await settled();
      expect((await childrenOf(company.id)).map((child) => [child.name, child.active])).toEqual([['Ada Able', false], ['Bob Baker-Cole', true], ['Cy Cole', false]]);
      expect((await childrenOf(company.id)).filter((child) => child.active).map((child) => child.parent_id && child.parent_id[0])).toEqual([company.id]);
    });

    it('the same company later a Stripe customer naming it (hubspot_company_id) → the same partner carries its invoice; billing owns the address', async () => {
      const customer = 'cus_crmGlobex';
      const customerJson: StripeObjectJson = {
        ...customerObject(customer, { name: 'Globex Corporation Inc.', email: 'billing@globex-billing.example', currency: 'eur' }),
        metadata: { hubspot_company_id: String(GLOBEX.id) },
        address: { line1: 'Billing Street 9', line2: null, city: 'Capital City', postal_code: '10001', state: null, country: 'US' },
      };
      const invoiceFields = { customer, customerName: 'Globex Corporation Inc.', currency: 'eur', lines: [{ price: 'price_crmSeat', description: 'Seat', quantity: 2, unitAmount: 5000 }], finalizedAt: 1_796_000_000 };
      await harness.seedStripe([customerJson, invoiceObject('in_crmGlobex1', invoiceFields)]);
      const events = [
        stripeEvent('customer.created', customerJson, { id: 'evt_crmGlobexCustomer', created: 1_795_999_000 }),
        stripeEvent('invoice.finalized', invoiceObject('in_crmGlobex1', invoiceFields), { id: 'evt_crmGlobexInvoice', created: 1_796_000_000 }),
      ];
      stripeDeliveries.push(...events);
      await deliverStripe(events);
      await settled();

      const company = (await partnerOf('saas_sync.hubspot_account_7501'))!;
      expect(await partnerOf('saas_sync.stripe_customer_cus_crmGlobex')).toBeUndefined();
      // Billing owns the legal name and the address; the CRM's phone stays.
      expect(company).toMatchObject({ name: 'Globex Corporation Inc.', street: 'Billing Street 9', city: 'Capital City', phone: '+1 555 0100' });
      const { invoices } = await odooState();
      expect(invoices.map((invoice) => [invoice.partner_id[0], invoice.state])).toEqual([[company.id, 'posted']]);
    });

    it('another company matched by email domain → the same partner', async () => {
      const initrode = bodiesOf([hubspotEvent('company.creation', INITRODE.id)]);
      hubspotBodies.push(...initrode);
      await deliverHubspot(initrode);
      await settled();
      const customerJson = customerObject('cus_crmInitrode', { name: 'Initrode AG', email: 'ap@initrode-crm.example', currency: 'eur' });
      const events = [stripeEvent('customer.created', customerJson, { id: 'evt_crmInitrodeCustomer', created: 1_796_000_100 })];
      stripeDeliveries.push(...events);
      await deliverStripe(events);
      await settled();
      const company = (await partnerOf('saas_sync.hubspot_account_7502'))!;
      expect(company).toMatchObject({ name: 'Initrode AG', email: 'ap@initrode-crm.example', active: true });
      expect(await partnerOf('saas_sync.stripe_customer_cus_crmInitrode')).toBeUndefined();
    });

    it('a CRM edit of the billing address does not override the billing provider’s; the CRM’s own fields it does', async () => {
      await sandbox('objects', { type: 'companies', records: [{ ...GLOBEX, properties: { ...GLOBEX.properties, address: 'CRM Avenue 77', city: 'Shelbyville', phone: '+1 555 0199' } }] });
      const edit = bodiesOf([hubspotEvent('company.propertyChange', GLOBEX.id, { propertyName: 'address', propertyValue: 'CRM Avenue 77' })]);
      hubspotBodies.push(...edit);
      await deliverHubspot(edit);
      await settled();
      expect(await partnerOf('saas_sync.hubspot_account_7501')).toMatchObject({ street: 'Billing Street 9', city: 'Capital City', phone: '+1 555 0199' });
    });

    it('everything delivered again, twice and shuffled → the same Odoo state', async () => {
      const before = await odooState();
      await deliverHubspot(shuffled([...hubspotBodies, ...hubspotBodies], SEED + 2));
      for (const event of shuffled([...stripeDeliveries, ...stripeDeliveries], SEED + 3)) expect((await postStripeWebhook(harness.webhookUrl, event)).status).toBe(200);
      await settled();
      expect(await odooState()).toEqual(before);
      expect(deadLetters(harness.stack)).toEqual([]);
    });

    crmRestoreAndSalesforceStories(() => harness, SEED + 10);

    if (target.kind === 'real') partnerMergerCases(() => harness.odooConnection);
  });
}
