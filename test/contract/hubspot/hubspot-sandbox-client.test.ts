import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { canonicalEventSchema } from '../../../events/catalog';
import { HubspotAuthError, HubspotCrmApi, HubspotUnavailableError } from '../../../functions/providers/hubspot/hubspot-crm-api';
import { verifyHubspotSignatureV3 } from '../../../functions/providers/hubspot/hubspot-webhook-signature';
import { hubspotWebhook } from '../../../functions/providers/hubspot/hubspot-webhook';
import { type HubspotSandbox, SANDBOX_HUBSPOT_ACCESS_TOKEN, SANDBOX_HUBSPOT_APP_SECRET, startHubspotSandbox } from '../../../local/sandboxes/hubspot/server';

/** The stack's HubSpot client and webhook against the HubSpot sandbox, over HTTP, as they would talk to HubSpot. */
describe('HubSpot client against the HubSpot sandbox', () => {
  let sandbox: HubspotSandbox;
  const client = (options: { token?: string; maxTotalMs?: number } = {}) =>
    new HubspotCrmApi({ token: async () => options.token ?? SANDBOX_HUBSPOT_ACCESS_TOKEN, baseUrl: sandbox.url, requestsPer10Seconds: 100, retry: { baseDelayMs: 10, maxTotalMs: options.maxTotalMs ?? 5_000 } });
  const fault = async (fault: Record<string, unknown>) => {
    const response = await fetch(`${sandbox.url}/_sandbox/faults`, { method: 'POST', body: JSON.stringify(fault) });
    expect(response.status).toBe(200);
  };

  beforeAll(async () => {
    sandbox = await startHubspotSandbox({ port: 0, webhookUrl: 'https://hooks.example.com/prod/webhooks/hubspot' });
  });
  afterAll(async () => {
    await sandbox?.close();
  });
  beforeEach(() => {
    sandbox.reset();
    sandbox.seed('companies', [{ id: 101, properties: { name: 'Acme Analytics GmbH', domain: 'acme-analytics.example', country: 'Germany' } }]);
    sandbox.seed('contacts', [{ id: 201, properties: { firstname: 'Ada', lastname: 'Lovelace', email: 'ada@acme-analytics.example' } }]);
    sandbox.seed('deals', [{ id: 301, properties: { dealname: 'Annual plan', amount: '1999.90', deal_currency_code: 'EUR', dealstage: 'contractsent', pipeline: 'default', hs_is_closed_won: 'false', hs_is_closed: 'false' } }]);
    sandbox.seed('line_items', [{ id: 401, properties: { name: 'Seat', hs_sku: 'SEAT', quantity: 3, price: '666.63', amount: '1999.89' } }]);
    sandbox.associate('contacts', 201, 'companies', 101, { primary: true });
    sandbox.associate('deals', 301, 'companies', 101, { primary: true });
    sandbox.associate('deals', 301, 'contacts', 201);
    sandbox.associate('deals', 301, 'line_items', 401);
  });

  it('batch-reads the properties asked for, and leaves out ids the portal does not have (207)', async () => {
    const companies = await client().batchRead('companies', ['101', '999'], ['name', 'domain']);
    expect([...companies.keys()]).toEqual(['101']);
    expect(companies.get('101')?.properties).toEqual({ name: 'Acme Analytics GmbH', domain: 'acme-analytics.example' });
  });

  it('reads associations with HubSpot’s Primary label, both ways', async () => {
    const api = client();
    const dealCompanies = await api.batchAssociations('deals', 'companies', ['301']);
    expect(dealCompanies.get('301')).toEqual([{ toObjectId: '101', associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 5, label: 'Primary' }, { category: 'HUBSPOT_DEFINED', typeId: 341, label: null }] }]);
    const companyContacts = await api.batchAssociations('companies', 'contacts', ['101']);
    expect(companyContacts.get('101')?.map((link) => link.toObjectId)).toEqual(['201']);
  });

  it('PATCHes properties: the next read sees them', async () => {
    const api = client();
    const updated = await api.update('companies', '101', { odoo_partner_id: '42' });
    expect(updated.properties['odoo_partner_id']).toBe('42');
    expect((await api.batchRead('companies', ['101'], ['odoo_partner_id'])).get('101')?.properties).toEqual({ odoo_partner_id: '42' });
  });

  it('rides out a 429 from the sandbox’s rate limiter (Retry-After), and gives up on one past its deadline', async () => {
    await fault({ status: 429, remaining: 1, pathPrefix: '/crm/v3/objects/deals', retryAfterSeconds: 1 });
    const startedAt = Date.now();
    expect((await client().batchRead('deals', ['301'], ['dealname'])).size).toBe(1);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(1_000);

    await fault({ status: 429, remaining: 1, pathPrefix: '/crm/v3/objects/deals', retryAfterSeconds: 10 });
    await expect(client({ maxTotalMs: 2_000 }).batchRead('deals', ['301'], ['dealname'])).rejects.toBeInstanceOf(HubspotUnavailableError);
  });

  it('refuses a wrong token with HubspotAuthError (after reading it again once)', async () => {
    await expect(client({ token: 'pat-wrong' }).batchRead('deals', ['301'], ['dealname'])).rejects.toBeInstanceOf(HubspotAuthError);
  });

  it('signs webhooks as the stack verifies them, for the configured URL only', () => {
    const rawBody = JSON.stringify([sandbox.event('deal.propertyChange', { objectId: 301, propertyName: 'amount', propertyValue: '1999.90' })]);
    const headers = Object.fromEntries(Object.entries(sandbox.signedHeaders(rawBody)).map(([name, value]) => [name.toLowerCase(), value]));
    const verify = (uri: string) => verifyHubspotSignatureV3({ rawBody, header: (name) => headers[name], secret: SANDBOX_HUBSPOT_APP_SECRET, uri, method: 'POST', nowMs: Date.now() });
    expect(verify('https://hooks.example.com/prod/webhooks/hubspot')).toEqual({ valid: true });
    expect(verify('https://hooks.example.com/dev/webhooks/hubspot')).toMatchObject({ valid: false, reason: 'signature mismatch' });
  });

  it('a deal event read through the client becomes a valid deal.upserted: cents exact, lines, primary account', async () => {
    const webhook = hubspotWebhook({ appSecret: async () => SANDBOX_HUBSPOT_APP_SECRET, webhookUrl: sandbox.webhookUrl, portalId: sandbox.portalId, companyCurrency: 'usd', ownAppId: sandbox.appId, reader: client() });
    const translation = await webhook.translate([sandbox.event('deal.propertyChange', { objectId: 301, propertyName: 'amount', propertyValue: '1999.90' })]);
    expect(translation.kind).toBe('mapped');
    if (translation.kind !== 'mapped') return;
    expect(translation.events).toHaveLength(1);
    const event = canonicalEventSchema.parse(translation.events[0]);
    expect(event).toMatchObject({
      type: 'deal.upserted',
      data: { deal: { amount: 199990, currency: 'eur', isClosedWon: false, primaryAccountId: '101', contactIds: ['201'], lines: [{ id: '401', sku: 'SEAT', quantity: '3', unitAmount: 66663, amount: 199989 }] } },
    });
    expect(sandbox.requests.filter((request) => request.startsWith('POST /crm'))).toHaveLength(5);
  });
});
