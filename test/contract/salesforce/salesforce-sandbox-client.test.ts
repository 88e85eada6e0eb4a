import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resolveStage } from '../../../lib/config/stages';
import { translateSalesforceChange } from '../../../functions/providers/salesforce/salesforce-change-ingest';
import { SalesforceAuthError, SalesforceRequestError, SalesforceRestApi, SalesforceUnavailableError } from '../../../functions/providers/salesforce/salesforce-rest-api';
import { type ChangePayload, SANDBOX_SALESFORCE_CLIENT_ID, SANDBOX_SALESFORCE_CLIENT_SECRET, type SalesforceSandbox, startSalesforceSandbox } from '../../../local/sandboxes/salesforce/server';

/** The ingest's REST client against the Salesforce sandbox, as the client sees Salesforce: tokens, reads, queries, the write. */
describe('Salesforce REST client against the sandbox', () => {
  let sandbox: SalesforceSandbox;
  const changes: ChangePayload[] = [];
  let credentialReads: boolean[];
  const client = (overrides: { clientSecret?: string } = {}) =>
    new SalesforceRestApi({
      instanceUrl: sandbox.url,
      apiVersion: '62.0',
      clientName: 'odoo-saas-sync',
      credentials: async (refresh) => {
        credentialReads.push(refresh);
        return { clientId: SANDBOX_SALESFORCE_CLIENT_ID, clientSecret: overrides.clientSecret ?? SANDBOX_SALESFORCE_CLIENT_SECRET };
      },
      retry: { baseDelayMs: 1, maxDelayMs: 5 },
    });
  const post = (path: string, body: unknown) => fetch(`${sandbox.url}/_sandbox/${path}`, { method: 'POST', body: JSON.stringify(body) });

  beforeAll(async () => {
    sandbox = await startSalesforceSandbox({ onChange: async (payload) => void changes.push(payload) });
  });
  afterAll(async () => {
    await sandbox.close();
  });
  beforeEach(() => {
    credentialReads = [];
    changes.length = 0;
  });

  it('reads records of a type in one composite/sobjects call per chunk, one token for all; an id it lacks is simply absent', async () => {
    const ids = await sandbox.create('Account', [{ Name: 'Acme' }, { Name: 'Globex', Website: 'globex.example' }]);
    const api = client();
    const before = sandbox.requests.length;
    const found = await api.retrieve('Account', [...ids, '001SB9999999999AAA'], ['Name', 'Website']);
    expect([...found.values()]).toEqual([
      { Id: ids[0], Name: 'Acme', Website: null },
      { Id: ids[1], Name: 'Globex', Website: 'globex.example' },
    ]);
    await api.retrieve('Account', ids, ['Name']);
    expect(sandbox.requests.slice(before)).toEqual(['POST /services/oauth2/token', 'GET /services/data/v62.0/composite/sobjects/Account', 'GET /services/data/v62.0/composite/sobjects/Account']);
  });

  it('queries with SOQL, and queryAll sees what a merge deleted, with the survivor', async () => {
    const [survivor, loser] = await sandbox.create('Account', [{ Name: 'Keep' }, { Name: 'Fold' }]);
    await sandbox.merge('Account', survivor!, [loser!]);
    const api = client();
    expect(await api.query(`SELECT Id, MasterRecordId FROM Account WHERE Id IN ('${loser}')`)).toEqual([]);
    expect(await api.query(`SELECT Id, MasterRecordId FROM Account WHERE Id IN ('${loser}')`, { includeDeleted: true })).toEqual([{ Id: loser, MasterRecordId: survivor }]);
    expect(changes.map((change) => [change.ChangeEventHeader['entityName'], change.ChangeEventHeader['changeType'], change.ChangeEventHeader['recordIds']])).toEqual([
      ['Account', 'CREATE', [survivor]],
      ['Account', 'CREATE', [loser]],
      ['Account', 'DELETE', [loser]],
      ['Account', 'UPDATE', [survivor]],
    ]);
  });

  it('asks for a new token, with the credentials read again, once Salesforce refuses the session', async () => {
    const [id] = await sandbox.create('Contact', [{ LastName: 'Lovelace' }]);
    const api = client();
    await api.retrieve('Contact', [id!], ['LastName']);
    await post('expire-tokens', {});
    expect((await api.retrieve('Contact', [id!], ['LastName'])).get(id!)).toEqual({ Id: id, LastName: 'Lovelace' });
    expect(credentialReads).toEqual([false, true]);
  });

  it('refused client credentials → SalesforceAuthError; an unknown field → SalesforceRequestError (permanent)', async () => {
    await expect(client({ clientSecret: 'wrong' }).retrieve('Account', ['001SB0000000001AAA'], ['Name'])).rejects.toThrow(SalesforceAuthError);
    await expect(client().retrieve('Opportunity', ['006SB0000000001AAA'], ['CurrencyIsoCode'])).rejects.toMatchObject({ name: 'SalesforceRequestError', details: { status: 400, errorCode: 'INVALID_FIELD' } });
    await expect(client().retrieve('Opportunity', ['006SB0000000001AAA'], ['CurrencyIsoCode'])).rejects.toThrow(SalesforceRequestError);
  });

  it('retries a 503 and reads; the org’s API allowance spent (403 REQUEST_LIMIT_EXCEEDED) is unavailable at once', async () => {
    const [id] = await sandbox.create('Account', [{ Name: 'Flaky' }]);
    const api = client();
    await post('faults', { status: 503, remaining: 2, pathPrefix: '/services/data/v62.0/composite' });
    expect((await api.retrieve('Account', [id!], ['Name'])).get(id!)?.['Name']).toBe('Flaky');
    await post('faults', { status: 403, remaining: 1, pathPrefix: '/services/data/v62.0/composite' });
    await expect(api.retrieve('Account', [id!], ['Name'])).rejects.toMatchObject({ name: 'SalesforceUnavailableError', details: { errorCode: 'REQUEST_LIMIT_EXCEEDED' } });
    await post('faults', { status: 503, remaining: 10, pathPrefix: '/services/data/v62.0/composite' });
    await expect(api.retrieve('Account', [id!], ['Name'])).rejects.toThrow(SalesforceUnavailableError);
    // The faults the client's retries left unspent end here, so the next test reads a healthy org.
    await post('faults', { clear: true });
  });

  it('updateRecord PATCHes the fields, and the change it causes names our client in changeOrigin', async () => {
    const [id] = await sandbox.create('Account', [{ Name: 'Write-back' }]);
    changes.length = 0;
    await client().updateRecord('Account', id!, { Odoo_Partner_Id__c: '42' });
    expect(sandbox.record('Account', id!)?.['Odoo_Partner_Id__c']).toBe('42');
    expect(changes).toHaveLength(1);
    expect(changes[0]!.ChangeEventHeader).toMatchObject({ changeType: 'UPDATE', recordIds: [id], changeOrigin: 'com/salesforce/api/rest/62.0;client=odoo-saas-sync', changedFields: expect.arrayContaining(['Odoo_Partner_Id__c', 'LastModifiedDate']) });
    expect(changes[0]!['Odoo_Partner_Id__c']).toBe('42');
  });

  /** The ingest as the local stage configures it, reading this sandbox. */
  const ingest = (change: ChangePayload) => {
    const salesforce = resolveStage('local').config.salesforce!;
    return translateSalesforceChange(
      { 'detail-type': `${String(change.ChangeEventHeader['entityName'])}ChangeEvent`, source: salesforce.partnerEventSource, detail: { payload: change } },
      { orgId: sandbox.orgId, corporateCurrency: 'usd', multiCurrency: false, ownClientName: 'odoo-saas-sync', reader: client(), accountFields: { links: salesforce.accountFields!.links!, taxId: salesforce.accountFields!.taxId! } },
    );
  };
  const accountsOf = async (change: ChangePayload) => {
    const translation = await ingest(change);
    if (translation.kind !== 'mapped') throw new Error(JSON.stringify(translation));
    return translation.events.map((event) => [event.type, event.type === 'account.upserted' ? { links: event.data.account.links, taxId: event.data.account.taxId, name: event.data.account.name } : undefined]);
  };

  it('the Account fields the local stage names (Stripe_Customer_Id__c, VAT_Number__c) are served, and the ingest reads them into links and tax id, from a CREATE and from a read alike', async () => {
    const [id] = await sandbox.create('Account', [{ Name: 'Linked Co', Stripe_Customer_Id__c: 'cus_linked1', VAT_Number__c: 'DE 123 456 789' }]);
    await sandbox.update('Account', id!, { Phone: '+49 30 000' });
    const [created, updated] = changes;
    expect(created!['Stripe_Customer_Id__c']).toBe('cus_linked1');
    // The UPDATE carries the phone only: the links come from the ingest's read of the whole record.
    expect(updated!['Stripe_Customer_Id__c']).toBeUndefined();
    const expected = [['account.upserted', { name: 'Linked Co', links: [{ system: 'stripe', kind: 'customer', id: 'cus_linked1' }], taxId: 'DE 123 456 789' }]];
    expect(await accountsOf(created!)).toEqual(expected);
    expect(await accountsOf(updated!)).toEqual(expected);
  });

  it('a deleted Account restored from the Recycle Bin → an UNDELETE change with its fields, readable again, which the ingest maps to account.upserted', async () => {
    const [id] = await sandbox.create('Account', [{ Name: 'Phoenix Ltd' }]);
    await sandbox.remove('Account', id!);
    expect((await client().retrieve('Account', [id!], ['Name'])).has(id!)).toBe(false);
    expect((await post('undelete', { type: 'Account', id })).status).toBe(200);
    expect(changes.map((change) => change.ChangeEventHeader['changeType'])).toEqual(['CREATE', 'DELETE', 'UNDELETE']);
    expect(changes[2]).toMatchObject({ ChangeEventHeader: { recordIds: [id] }, Name: 'Phoenix Ltd' });
    expect((await client().retrieve('Account', [id!], ['Name'])).get(id!)).toEqual({ Id: id, Name: 'Phoenix Ltd' });
    expect(await accountsOf(changes[2]!)).toEqual([['account.upserted', { name: 'Phoenix Ltd', links: [], taxId: null }]]);
    // Restored once: a second restore finds nothing in the Recycle Bin.
    expect((await post('undelete', { type: 'Account', id })).status).toBe(404);
  });
});
