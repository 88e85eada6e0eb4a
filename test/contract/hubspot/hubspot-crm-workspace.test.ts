import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HUBSPOT_WRITE_BACK_DEFAULTS } from '../../../lib/config/stages';
import { crmWorkspaceFromEnv } from '../../../functions/providers/crm-workspaces';
import { HubspotCrmApi, HubspotRequestError } from '../../../functions/providers/hubspot/hubspot-crm-api';
import { hubspotCrmWorkspace } from '../../../functions/providers/hubspot/hubspot-crm-workspace';
import { hubspotWebhook } from '../../../functions/providers/hubspot/hubspot-webhook';
import { type HubspotSandbox, SANDBOX_HUBSPOT_ACCESS_TOKEN, SANDBOX_HUBSPOT_APP_SECRET, startHubspotSandbox } from '../../../local/sandboxes/hubspot/server';

/** HubSpot's CRM workspace against the HubSpot sandbox, over HTTP: what the write-back and the sagas write, as HubSpot would keep it. */
describe('HubSpot CRM workspace against the HubSpot sandbox', () => {
  let sandbox: HubspotSandbox;
  const api = () => new HubspotCrmApi({ token: async () => SANDBOX_HUBSPOT_ACCESS_TOKEN, baseUrl: sandbox.url, requestsPer10Seconds: 100, retry: { baseDelayMs: 10, maxTotalMs: 5_000 } });
  const workspace = () => hubspotCrmWorkspace({ api: api(), writeBack: HUBSPOT_WRITE_BACK_DEFAULTS, now: () => new Date('2026-12-03T12:00:00Z') });
  const writes = () => sandbox.requests.filter((request) => request.startsWith('PATCH') || /^POST \/crm\/v3\/objects\/[a-z_]+$/.test(request));

  beforeAll(async () => {
    sandbox = await startHubspotSandbox({ port: 0 });
  });
  afterAll(async () => {
    await sandbox?.close();
  });
  beforeEach(() => {
    sandbox.reset();
    sandbox.sendChangeEventsTo(undefined);
    sandbox.seed('companies', [{ id: 101, properties: { name: 'Acme Analytics GmbH', hubspot_owner_id: '7788', lifecyclestage: 'opportunity' } }]);
    sandbox.seed('deals', [{ id: 301, properties: { dealname: 'Annual plan' } }]);
  });

  it('writes the integration’s ids onto a company, PATCHing only what differs: a repeat writes nothing', async () => {
    await workspace().recordCompanyLinks('101', { odooPartnerId: 42, billingCustomerId: 'cus_1', customerId: 'cust-9' });
    expect(sandbox.record('companies', 101)?.properties).toMatchObject({ odoo_partner_id: '42', stripe_customer_id: 'cus_1', saas_sync_customer_id: 'cust-9', name: 'Acme Analytics GmbH' });
    await workspace().recordCompanyLinks('101', { odooPartnerId: 42, billingCustomerId: 'cus_1' });
    expect(writes()).toEqual(['PATCH /crm/v3/objects/companies/101']);
    // An absent link is left as HubSpot has it.
    await workspace().recordCompanyLinks('101', { customerId: 'cust-10' });
    expect(sandbox.record('companies', 101)?.properties).toMatchObject({ odoo_partner_id: '42', saas_sync_customer_id: 'cust-10' });
  });

  it('leaves a company HubSpot no longer has: nothing to write on', async () => {
    await workspace().recordCompanyLinks('999', { odooPartnerId: 42 });
    await workspace().setCompanyLifecycle('999', 'customer');
    expect(writes()).toEqual([]);
  });

  it('a company deleted between its read and the write: nothing written, nothing thrown (its deletion is an event of its own)', async () => {
    const reader = api();
    const racing = Object.assign(Object.create(reader) as HubspotCrmApi, {
      batchRead: async (...args: Parameters<HubspotCrmApi['batchRead']>) => {
        const read = await reader.batchRead(...args);
        sandbox.record('companies', 101)!.archived = true;
        return read;
      },
    });
    await hubspotCrmWorkspace({ api: racing, writeBack: HUBSPOT_WRITE_BACK_DEFAULTS }).recordCompanyLinks('101', { odooPartnerId: 42 });
    expect(writes()).toEqual(['PATCH /crm/v3/objects/companies/101']);
    expect(sandbox.record('companies', 101)?.properties['odoo_partner_id'] ?? null).toBeNull();
  });

  it('writes the ids onto a deal', async () => {
    await workspace().recordDealLinks('301', { odooOrderId: 17, billingSubscriptionId: 'sub_1' });
    expect(sandbox.record('deals', 301)?.properties).toMatchObject({ odoo_order_id: '17', stripe_subscription_id: 'sub_1' });
  });

  it('sets the lifecycle forward at once, and back (former customer → customer) by clearing it first, as HubSpot requires', async () => {
    await workspace().setCompanyLifecycle('101', 'customer');
    expect(sandbox.record('companies', 101)?.properties['lifecyclestage']).toBe('customer');
    await workspace().setCompanyLifecycle('101', 'former_customer');
    expect(sandbox.record('companies', 101)?.properties['lifecyclestage']).toBe('other');
    const before = writes().length;
    await workspace().setCompanyLifecycle('101', 'customer');
    expect(sandbox.record('companies', 101)?.properties['lifecyclestage']).toBe('customer');
    expect(writes().slice(before)).toEqual(['PATCH /crm/v3/objects/companies/101', 'PATCH /crm/v3/objects/companies/101']);
    // Already there: nothing written.
    await workspace().setCompanyLifecycle('101', 'customer');
    expect(writes()).toHaveLength(before + 2);
  });

  it('notes a deal once per key, associated with the deal', async () => {
    await workspace().noteOnDeal('301', { key: 'onboarding:1', text: 'Onboarding undone: the first invoice failed.' });
    await workspace().noteOnDeal('301', { key: 'onboarding:1', text: 'Onboarding undone: the first invoice failed.' });
    const notes = await api().searchEqual('notes', { saas_sync_key: 'onboarding:1' }, ['hs_note_body', 'hs_timestamp']);
    expect(notes).toHaveLength(1);
    expect(notes[0]!.properties).toMatchObject({ hs_note_body: 'Onboarding undone: the first invoice failed.', hs_timestamp: '2026-12-03T12:00:00.000Z' });
    const linked = await api().batchAssociations('notes', 'deals', [notes[0]!.id]);
    expect(linked.get(notes[0]!.id)?.map((link) => link.toObjectId)).toEqual(['301']);
  });

  it('notes a company once per key, associated with the company', async () => {
    await workspace().noteOnCompany('101', { key: 'amendment:1:note', text: 'Contract S00001 amended: Pro × 3 → Pro × 5.' });
    await workspace().noteOnCompany('101', { key: 'amendment:1:note', text: 'Contract S00001 amended: Pro × 3 → Pro × 5.' });
    const notes = await api().searchEqual('notes', { saas_sync_key: 'amendment:1:note' }, ['hs_note_body']);
    expect(notes).toHaveLength(1);
    expect(notes[0]!.properties).toMatchObject({ hs_note_body: 'Contract S00001 amended: Pro × 3 → Pro × 5.' });
    const linked = await api().batchAssociations('notes', 'companies', [notes[0]!.id]);
    expect(linked.get(notes[0]!.id)?.map((link) => link.toObjectId)).toEqual(['101']);
  });

  it('opens a task for the company’s owner once per key, and completes it; a task gone is completed too', async () => {
    const first = await workspace().openTask({ key: 'dunning:run-1', companyId: '101', subject: 'Call about the unpaid invoice', body: 'Invoice in_1 is 7 days past due.' });
    const again = await workspace().openTask({ key: 'dunning:run-1', companyId: '101', subject: 'Call about the unpaid invoice', body: 'Invoice in_1 is 7 days past due.' });
    expect(again.taskId).toBe(first.taskId);
    expect(sandbox.record('tasks', first.taskId)?.properties).toMatchObject({ hs_task_subject: 'Call about the unpaid invoice', hs_task_status: 'NOT_STARTED', hubspot_owner_id: '7788', saas_sync_key: 'dunning:run-1' });
    expect((await api().batchAssociations('tasks', 'companies', [first.taskId])).get(first.taskId)?.map((link) => link.toObjectId)).toEqual(['101']);

    await workspace().completeTask(first.taskId);
    await workspace().completeTask(first.taskId);
    expect(sandbox.record('tasks', first.taskId)?.properties['hs_task_status']).toBe('COMPLETED');
    await expect(workspace().completeTask('123456789')).resolves.toBeUndefined();
  });

  it('refuses a task about a company HubSpot does not have (permanent)', async () => {
    await expect(workspace().openTask({ key: 'dunning:run-2', companyId: '999', subject: 's', body: 'b' })).rejects.toBeInstanceOf(HubspotRequestError);
  });

  it('its writes come back as signed webhooks with our app id, which the ingest drops as our own', async () => {
    const received: string[] = [];
    const receiver = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      request.on('end', () => {
        received.push(body);
        response.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      sandbox.sendChangeEventsTo(`http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/hubspot`);
      await workspace().recordCompanyLinks('101', { odooPartnerId: 42 });
      await workspace().recordCompanyLinks('101', { odooPartnerId: 42 });
      await sandbox.settled();
      // One delivery: the second write changed nothing, so HubSpot reports nothing.
      expect(sandbox.changeDeliveries).toHaveLength(1);
      const events = JSON.parse(received[0]!) as Record<string, unknown>[];
      expect(events).toEqual([expect.objectContaining({ subscriptionType: 'company.propertyChange', objectId: 101, propertyName: 'odoo_partner_id', propertyValue: '42', changeSource: 'INTEGRATION', sourceId: sandbox.appId })]);

      const ingest = hubspotWebhook({
        appSecret: async () => SANDBOX_HUBSPOT_APP_SECRET,
        webhookUrl: sandbox.webhookUrl,
        portalId: sandbox.portalId,
        companyCurrency: 'usd',
        ownAppId: sandbox.appId,
        // Nothing to read: an own write is dropped before any read.
        reader: { batchRead: async () => new Map(), batchAssociations: async () => new Map() } as never,
      });
      expect(await ingest.translate(events)).toMatchObject({ kind: 'mapped', events: [], skipped: [{ outcome: 'DroppedOwnWrite' }] });
    } finally {
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    }
  });

  it('is the stage’s CRM when the stack names HubSpot in CRM_SYSTEMS, and there is none without', () => {
    const env = {
      CRM_SYSTEMS: 'hubspot',
      HUBSPOT_ACCESS_TOKEN_SECRET_NAME: 'odoo-saas-sync/local/hubspot-access-token',
      HUBSPOT_REQUESTS_PER_10_SECONDS: '100',
      HUBSPOT_CRM_WRITE_BACK: JSON.stringify(HUBSPOT_WRITE_BACK_DEFAULTS),
    };
    expect(crmWorkspaceFromEnv(env)?.system).toBe('hubspot');
    expect(crmWorkspaceFromEnv({ PROVIDER_SYSTEMS: 'stripe,hubspot' })).toBeUndefined();
    expect(() => crmWorkspaceFromEnv({ ...env, HUBSPOT_CRM_WRITE_BACK: '{"companyProperties":{}}' })).toThrow(/HUBSPOT_CRM_WRITE_BACK/);
  });
});
