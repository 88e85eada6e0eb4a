import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
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
    await post('faults', { status: 503, remaining: 0, pathPrefix: '/' });
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
});
