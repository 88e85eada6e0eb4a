import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SALESFORCE_WRITE_BACK_DEFAULTS } from '../../../lib/config/stages';
import { crmWorkspaceFromEnv, crmWorkspaceOf } from '../../../functions/providers/crm-workspaces';
import { translateSalesforceChange } from '../../../functions/providers/salesforce/salesforce-change-ingest';
import { salesforceCrmWorkspace } from '../../../functions/providers/salesforce/salesforce-crm-workspace';
import { SalesforceRequestError, SalesforceRestApi, SalesforceUnavailableError } from '../../../functions/providers/salesforce/salesforce-rest-api';
import { type ChangePayload, SANDBOX_SALESFORCE_CLIENT_ID, SANDBOX_SALESFORCE_CLIENT_SECRET, SANDBOX_SALESFORCE_USER_ID, type SalesforceSandbox, startSalesforceSandbox } from '../../../local/sandboxes/salesforce/server';

/** Salesforce's CRM workspace against the Salesforce sandbox: what the write-back and the sagas write, as the org keeps it. */
describe('Salesforce CRM workspace against the Salesforce sandbox', () => {
  let sandbox: SalesforceSandbox;
  const changes: ChangePayload[] = [];
  let accountId: string;
  let opportunityId: string;
  const api = () =>
    new SalesforceRestApi({
      instanceUrl: sandbox.url,
      apiVersion: '62.0',
      clientName: 'odoo-saas-sync',
      credentials: async () => ({ clientId: SANDBOX_SALESFORCE_CLIENT_ID, clientSecret: SANDBOX_SALESFORCE_CLIENT_SECRET }),
      retry: { baseDelayMs: 1, maxDelayMs: 5 },
    });
  const workspace = () => salesforceCrmWorkspace({ api: api(), writeBack: SALESFORCE_WRITE_BACK_DEFAULTS, now: () => new Date('2026-12-03T12:00:00Z') });
  const writes = () => sandbox.requests.filter((request) => request.startsWith('PATCH') || /^POST \/services\/data\/v[\d.]+\/sobjects\//.test(request));
  const tasks = async (key: string) => api().query(`SELECT Id, Subject, Description, Status, WhatId, OwnerId, ActivityDate FROM Task WHERE Saas_Sync_Key__c IN ('${key}')`);

  beforeAll(async () => {
    sandbox = await startSalesforceSandbox({ onChange: async (payload) => void changes.push(payload) });
  });
  afterAll(async () => {
    await sandbox.close();
  });
  beforeEach(async () => {
    [accountId] = await sandbox.create('Account', [{ Name: 'Acme Analytics GmbH', OwnerId: '005SB0000000077AAA' }]) as [string];
    [opportunityId] = await sandbox.create('Opportunity', [{ Name: 'Annual plan', StageName: 'Prospecting', AccountId: accountId, CloseDate: '2026-12-31' }]) as [string];
    changes.length = 0;
  });

  it('writes the integration’s ids onto an Account with our client name, only what differs: a repeat writes nothing and causes no change', async () => {
    const before = writes().length;
    await workspace().recordCompanyLinks(accountId, { odooPartnerId: 42, billingCustomerId: 'cus_1', customerId: 'cust-9' });
    await workspace().recordCompanyLinks(accountId, { odooPartnerId: 42, billingCustomerId: 'cus_1' });
    expect(sandbox.record('Account', accountId)).toMatchObject({ Odoo_Partner_Id__c: 42, Stripe_Customer_Id__c: 'cus_1', Saas_Sync_Customer_Id__c: 'cust-9', Name: 'Acme Analytics GmbH' });
    expect(writes().length - before).toBe(1);
    expect(changes).toHaveLength(1);
    expect(changes[0]!.ChangeEventHeader).toMatchObject({ entityName: 'Account', changeType: 'UPDATE', changeOrigin: expect.stringContaining('client=odoo-saas-sync') });
  });

  it('its change comes back through the relay and the ingest drops it as our own', async () => {
    await workspace().recordCompanyLinks(accountId, { odooPartnerId: 43 });
    const relayed = { 'detail-type': 'AccountChangeEvent', source: 'aws.partner/salesforce.com/00D5f000005KcCnEAK/0YL5f000000CabWGAS', detail: { payload: changes[0] } };
    const translation = await translateSalesforceChange(relayed, { orgId: sandbox.orgId, corporateCurrency: 'usd', multiCurrency: false, ownClientName: 'odoo-saas-sync', reader: api() });
    expect(translation).toMatchObject({ kind: 'mapped', events: [], skipped: [{ outcome: 'DroppedOwnWrite' }] });
  });

  it('leaves an Account Salesforce no longer has', async () => {
    await sandbox.remove('Account', accountId);
    const before = writes().length;
    await workspace().recordCompanyLinks(accountId, { odooPartnerId: 42 });
    await workspace().setCompanyLifecycle(accountId, 'customer');
    expect(writes().length).toBe(before);
  });

  it('an Account deleted between its read and the write: nothing written, nothing thrown (its deletion is a change of its own)', async () => {
    const reader = api();
    const racing = Object.assign(Object.create(reader) as SalesforceRestApi, {
      retrieve: async (...args: Parameters<SalesforceRestApi['retrieve']>) => {
        const read = await reader.retrieve(...args);
        await sandbox.remove('Account', accountId);
        return read;
      },
    });
    const before = writes().length;
    await salesforceCrmWorkspace({ api: racing, writeBack: SALESFORCE_WRITE_BACK_DEFAULTS }).recordCompanyLinks(accountId, { odooPartnerId: 42 });
    expect(writes().length - before).toBe(1);
    expect(sandbox.record('Account', accountId)).toBeUndefined();
  });

  it('writes the ids onto an Opportunity, and the lifecycle onto the Account', async () => {
    await workspace().recordDealLinks(opportunityId, { odooOrderId: 17, billingSubscriptionId: 'sub_1' });
    expect(sandbox.record('Opportunity', opportunityId)).toMatchObject({ Odoo_Order_Id__c: 17, Stripe_Subscription_Id__c: 'sub_1' });
    await workspace().setCompanyLifecycle(accountId, 'customer');
    expect(sandbox.record('Account', accountId)?.['Customer_Status__c']).toBe('Customer');
    await workspace().setCompanyLifecycle(accountId, 'former_customer');
    expect(sandbox.record('Account', accountId)?.['Customer_Status__c']).toBe('Former Customer');
  });

  it('notes a deal once per key: a completed Task on the Opportunity', async () => {
    await workspace().noteOnDeal(opportunityId, { key: `onboarding:${opportunityId}`, text: 'Onboarding undone\nThe first invoice failed.' });
    await workspace().noteOnDeal(opportunityId, { key: `onboarding:${opportunityId}`, text: 'Onboarding undone\nThe first invoice failed.' });
    const found = await tasks(`onboarding:${opportunityId}`);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ WhatId: opportunityId, Subject: 'Onboarding undone', Description: 'Onboarding undone\nThe first invoice failed.', Status: 'Completed', ActivityDate: '2026-12-03' });
  });

  it('notes a company once per key: a completed Task on the Account', async () => {
    const key = `amendment:${accountId}:note`;
    await workspace().noteOnCompany(accountId, { key, text: 'Contract S00001 amended\nPro × 3 → Pro × 5.' });
    await workspace().noteOnCompany(accountId, { key, text: 'Contract S00001 amended\nPro × 3 → Pro × 5.' });
    expect(await tasks(key)).toEqual([expect.objectContaining({ WhatId: accountId, Subject: 'Contract S00001 amended', Status: 'Completed' })]);
  });

  it('opens a task for the Account’s owner once per key, completes it; a task gone is completed too', async () => {
    const key = `dunning:${accountId}`;
    const first = await workspace().openTask({ key, companyId: accountId, subject: 'Call about the unpaid invoice', body: 'Invoice in_1 is 7 days past due.' });
    const again = await workspace().openTask({ key, companyId: accountId, subject: 'Call about the unpaid invoice', body: 'Invoice in_1 is 7 days past due.' });
    expect(again.taskId).toBe(first.taskId);
    expect(await tasks(key)).toEqual([expect.objectContaining({ Id: first.taskId, WhatId: accountId, OwnerId: '005SB0000000077AAA', Status: 'Not Started' })]);
    await workspace().completeTask(first.taskId);
    await workspace().completeTask(first.taskId);
    expect(sandbox.record('Task', first.taskId)).toMatchObject({ Status: 'Completed', IsClosed: true });
    await expect(workspace().completeTask('00TSB9999999999AAA')).resolves.toBeUndefined();
    expect(SANDBOX_SALESFORCE_USER_ID).not.toBe('005SB0000000077AAA');
  });

  it('sends a create whose answer was lost once only (no second Task); the step’s own retry finds or makes the one', async () => {
    const fault = await fetch(`${sandbox.url}/_sandbox/faults`, { method: 'POST', body: JSON.stringify({ status: 503, remaining: 1, pathPrefix: '/services/data/v62.0/sobjects/Task' }) });
    expect(fault.status).toBe(200);
    const key = `dunning:lost-${accountId}`;
    const posts = () => sandbox.requests.filter((request) => request === 'POST /services/data/v62.0/sobjects/Task').length;
    const before = posts();
    await expect(workspace().openTask({ key, companyId: accountId, subject: 's', body: 'b' })).rejects.toBeInstanceOf(SalesforceUnavailableError);
    expect(posts() - before).toBe(1);
    const { taskId } = await workspace().openTask({ key, companyId: accountId, subject: 's', body: 'b' });
    expect(await tasks(key)).toEqual([expect.objectContaining({ Id: taskId })]);
  });

  it('refuses a task about an Account Salesforce does not have (permanent)', async () => {
    await expect(workspace().openTask({ key: 'dunning:none', companyId: '001SB9999999999AAA', subject: 's', body: 'b' })).rejects.toBeInstanceOf(SalesforceRequestError);
  });

  it('is the stage’s CRM when the stack names only Salesforce; with HubSpot too, HubSpot comes first and each record’s CRM is its own', () => {
    const salesforceEnv = {
      SALESFORCE_CREDENTIALS_SECRET_NAME: 'odoo-saas-sync/local/salesforce-client-credentials',
      SALESFORCE_INSTANCE_URL: sandbox.url,
      SALESFORCE_API_VERSION: '62.0',
      SALESFORCE_CLIENT_NAME: 'odoo-saas-sync',
      SALESFORCE_CRM_WRITE_BACK: JSON.stringify(SALESFORCE_WRITE_BACK_DEFAULTS),
    };
    expect(crmWorkspaceFromEnv({ ...salesforceEnv, CRM_SYSTEMS: 'salesforce' })?.system).toBe('salesforce');
    const both = {
      ...salesforceEnv,
      CRM_SYSTEMS: 'salesforce,hubspot',
      HUBSPOT_ACCESS_TOKEN_SECRET_NAME: 'odoo-saas-sync/local/hubspot-access-token',
      HUBSPOT_REQUESTS_PER_10_SECONDS: '100',
      HUBSPOT_CRM_WRITE_BACK: JSON.stringify({ companyProperties: { odooPartnerId: 'a', billingCustomerId: 'b', customerId: 'c' }, dealProperties: { odooOrderId: 'd', billingSubscriptionId: 'e' }, formerCustomerLifecycleStage: 'other', activityKeyProperty: 'k' }),
    };
    expect(crmWorkspaceFromEnv(both)?.system).toBe('hubspot');
    expect(crmWorkspaceOf('salesforce', both)?.system).toBe('salesforce');
    expect(crmWorkspaceOf('stripe', both)).toBeUndefined();
    expect(crmWorkspaceOf('salesforce', { PROVIDER_SYSTEMS: 'salesforce' })).toBeUndefined();
  });
});
