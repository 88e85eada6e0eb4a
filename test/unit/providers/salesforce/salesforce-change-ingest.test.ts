import { describe, expect, it } from 'vitest';
import { canonicalEventSchema } from '../../../../events/catalog';
import { type SalesforceIngestSettings, type SalesforceReader, translateSalesforceChange } from '../../../../functions/providers/salesforce/salesforce-change-ingest';
import { SalesforceUnavailableError, type SalesforceRecord } from '../../../../functions/providers/salesforce/salesforce-rest-api';
import { FIXTURE_ORG_ID, fixture, relayed } from '../../../fixtures/salesforce/relay';

type Payload = Record<string, unknown> & { ChangeEventHeader: Record<string, unknown> };

/** Salesforce's data as the REST API would serve it: live records by type, and the rows `queryAll` also sees (deleted, merged away). */
class FakeSalesforce implements SalesforceReader {
  readonly calls: string[] = [];
  readonly live = new Map<string, Map<string, SalesforceRecord>>();
  readonly deleted = new Map<string, SalesforceRecord & { type: string }>();
  failWith: Error | undefined;

  put(type: string, ...records: SalesforceRecord[]): this {
    const byId = this.live.get(type) ?? new Map<string, SalesforceRecord>();
    for (const record of records) byId.set(record.Id, record);
    this.live.set(type, byId);
    return this;
  }

  async retrieve(type: string, ids: readonly string[], fields: readonly string[]): Promise<Map<string, SalesforceRecord>> {
    this.calls.push(`retrieve ${type} ${ids.join(',')} [${fields.join(',')}]`);
    if (this.failWith) throw this.failWith;
    const byId = this.live.get(type) ?? new Map();
    return new Map(ids.flatMap((id) => (byId.has(id) ? [[id, byId.get(id)!] as const] : [])));
  }

  async query(soql: string, options: { includeDeleted?: boolean } = {}): Promise<SalesforceRecord[]> {
    this.calls.push(`${options.includeDeleted ? 'queryAll' : 'query'} ${soql}`);
    if (this.failWith) throw this.failWith;
    const match = /^SELECT (.+) FROM (\w+) WHERE (\w+) IN \((.+)\)$/.exec(soql);
    if (!match) throw new Error(`the fake reads no such query: ${soql}`);
    const [, , type, field, list] = match;
    const wanted = new Set(list!.split(',').map((id) => id.replace(/'/g, '')));
    const rows = [...(this.live.get(type!)?.values() ?? []), ...(options.includeDeleted ? [...this.deleted.values()].filter((row) => row.type === type) : [])];
    return rows.filter((row) => wanted.has(String(row[field!])));
  }
}

const settings = (reader: SalesforceReader, overrides: Partial<SalesforceIngestSettings> = {}): SalesforceIngestSettings => ({
  orgId: FIXTURE_ORG_ID,
  corporateCurrency: 'usd',
  multiCurrency: false,
  ownClientName: 'odoo-saas-sync',
  reader,
  ...overrides,
});

const withHeader = (payload: Payload, header: Record<string, unknown>): Payload => ({ ...payload, ChangeEventHeader: { ...payload.ChangeEventHeader, ...header } });

async function mapped(event: unknown, reader: SalesforceReader, overrides: Partial<SalesforceIngestSettings> = {}) {
  const translation = await translateSalesforceChange(event, settings(reader, overrides));
  if (translation.kind !== 'mapped') throw new Error(`expected mapped, got ${JSON.stringify(translation)}`);
  for (const canonical of translation.events) expect(canonicalEventSchema.safeParse(canonical).error).toBeUndefined();
  return translation;
}

const ACCOUNT_ID = '001SM0000000iibYAA';
const OPPORTUNITY_ID = '006SM0000001Tb3YAE';
const opportunity = (fields: Record<string, unknown> = {}): SalesforceRecord => ({
  Id: OPPORTUNITY_ID, Name: 'Acme - 400 Widgets', StageName: 'Closed Won', IsClosed: true, IsWon: true, Amount: 40000.29, CloseDate: '2022-05-31',
  AccountId: ACCOUNT_ID, ContactId: null, OwnerId: '005SM000000146PYAQ', LastModifiedDate: '2025-04-24T13:18:26.000+0000', HasOpportunityLineItem: true, ...fields,
});
const line = (id: string, fields: Record<string, unknown> = {}): SalesforceRecord => ({
  Id: id, OpportunityId: OPPORTUNITY_ID, Name: 'Widget', ProductCode: 'WID-1', Product2Id: '01tSM0000000001AAA', PricebookEntryId: '01uSM0000000001AAA', Quantity: 400, UnitPrice: 100, TotalPrice: 40000, ...fields,
});

describe('Salesforce change events → canonical events', () => {
  it('a CREATE carries the whole record: mapped from the payload, nothing read, keyed by transactionKey + sequenceNumber, at commitTimestamp', async () => {
    const reader = new FakeSalesforce();
    const { events, skipped } = await mapped(relayed(fixture('cdc_account_create.pubsub.json')), reader);
    expect(reader.calls).toEqual([]);
    expect(skipped).toEqual([]);
    expect(events).toEqual([
      expect.objectContaining({
        id: 'salesforce:0001ade9-3f74-0b99-dbc4-42e73424b774:1:account.upserted',
        type: 'account.upserted',
        source: 'salesforce',
        subject: 'salesforce:account:0015f00002J9YYEAA3',
        time: new Date(1712693965000).toISOString(),
        // The catalog's current account version (v2: links and tax id).
        dataVersion: 2,
        data: {
          account: {
            system: 'salesforce', account: FIXTURE_ORG_ID, id: '0015f00002J9YYEAA3', ownerId: '0055f000005mc66AAA', updatedAt: new Date(1712693965000).toISOString(),
            name: 'Acme', domain: null, website: null, phone: null, industry: null, lifecycleStage: null, address: null, links: [], taxId: null,
          },
        },
      }),
    ]);
  });

  it('one change naming two records (Event Relay mock) → two events, each id naming its record', async () => {
    const { events } = await mapped(fixture('eventbridge_event_relay_account_create.mock.json'), new FakeSalesforce());
    expect(events.map((event) => [event.id, event.subject])).toEqual([
      ['salesforce:0001ade9-3f74-0b99-dbc4-42e73424b774:1:0015f00002J9YYEAA3:account.upserted', 'salesforce:account:0015f00002J9YYEAA3'],
      ['salesforce:0001ade9-3f74-0b99-dbc4-42e73424b774:1:0015f00002J9YYFAA3:account.upserted', 'salesforce:account:0015f00002J9YYFAA3'],
    ]);
  });

  it('an UPDATE carries the changed fields only: the record is read whole and its snapshot published', async () => {
    const reader = new FakeSalesforce().put('Contact', {
      Id: '003ak00000IiFInAAN', FirstName: 'Ada', LastName: 'Youngest', Email: 'ada@acme.example', Phone: '+1 415 555 0100', Title: 'CFO', AccountId: ACCOUNT_ID, OwnerId: '005ak00000EpjsfAAB', LastModifiedDate: '2025-04-24T13:18:26.000+0000',
    });
    const { events } = await mapped(relayed(fixture('cdc_contact_update.json')), reader);
    expect(reader.calls).toEqual(['retrieve Contact 003ak00000IiFInAAN [FirstName,LastName,Email,Phone,Title,AccountId,OwnerId,LastModifiedDate]']);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      id: 'salesforce:0000be70-a756-e601-9202-32967602a6be:1:contact.upserted',
      type: 'contact.upserted',
      time: new Date(1745500706000).toISOString(),
      data: { contact: { id: '003ak00000IiFInAAN', firstName: 'Ada', lastName: 'Youngest', email: 'ada@acme.example', jobTitle: 'CFO', accountIds: [ACCOUNT_ID], primaryAccountId: ACCOUNT_ID, updatedAt: '2025-04-24T13:18:26.000Z' } },
    });
  });

  it('an account read whole: its billing address split into lines, its web domain from Website, its Type as the lifecycle stage', async () => {
    const enriched = fixture<{ data: { payload: Payload } }>('cdc_account_update_enriched.cometd.docs.json').data.payload;
    const reader = new FakeSalesforce().put('Account', {
      Id: '001RM000005a9tGYAQ', Name: 'Universal Containers', Website: 'https://www.UniversalContainers.example/about', Phone: '4155551212', Industry: 'Biotechnology', Type: 'Customer - Direct',
      BillingStreet: '415 Mission Street\nFloor 3', BillingCity: 'San Francisco', BillingPostalCode: '94105', BillingState: 'CA', BillingCountry: 'USA', OwnerId: '005RM0000026DG5YAM', LastModifiedDate: '2022-05-11T16:20:59.000+0000',
    });
    const { events } = await mapped(relayed(enriched), reader);
    expect(events[0]!.data).toEqual({
      account: {
        system: 'salesforce', account: FIXTURE_ORG_ID, id: '001RM000005a9tGYAQ', ownerId: '005RM0000026DG5YAM', updatedAt: '2022-05-11T16:20:59.000Z',
        name: 'Universal Containers', domain: 'universalcontainers.example', website: 'https://www.UniversalContainers.example/about', phone: '4155551212', industry: 'Biotechnology', lifecycleStage: 'Customer - Direct',
        address: { line1: '415 Mission Street', line2: 'Floor 3', city: 'San Francisco', postalCode: '94105', state: 'CA', country: 'USA' },
        links: [], taxId: null,
      },
    });
  });

  describe('the org’s own Account fields the stage names (salesforce.accountFields)', () => {
    const accountFields = { links: { Stripe_Customer_Id__c: 'stripe', Paypal_Payer_Id__c: 'paypal' }, taxId: 'VAT_Number__c' } as const;
    const accountOf = (event: { data: unknown }) => (event.data as { account: { links: unknown; taxId: unknown } }).account;

    it('a CREATE carrying them → the billing customer as an explicit link, the tax id as the CRM typed it; an empty link field links nothing', async () => {
      const { events } = await mapped(relayed(fixture('cdc_account_create_links.DERIVED.json')), new FakeSalesforce(), { accountFields });
      expect(accountOf(events[0]!)).toMatchObject({ links: [{ system: 'stripe', kind: 'customer', id: 'cus_NffrFeUfNV2Hib' }], taxId: 'DE 123 456 789' });
    });

    it('an org that names none reads none: the same CREATE has no links and no tax id', async () => {
      const { events } = await mapped(relayed(fixture('cdc_account_create_links.DERIVED.json')), new FakeSalesforce());
      expect(accountOf(events[0]!)).toMatchObject({ links: [], taxId: null });
    });

    it('an UPDATE: the read asks for the named fields too, so a snapshot read is what the CREATE carried', async () => {
      const reader = new FakeSalesforce().put('Account', { Id: '001RM000005a9tGYAQ', Name: 'Universal Containers', Stripe_Customer_Id__c: ' cus_UC1 ', Paypal_Payer_Id__c: 'PAYERUC2', VAT_Number__c: '  ' });
      const enriched = fixture<{ data: { payload: Payload } }>('cdc_account_update_enriched.cometd.docs.json').data.payload;
      const { events } = await mapped(relayed(enriched), reader, { accountFields });
      expect(reader.calls).toEqual(['retrieve Account 001RM000005a9tGYAQ [Name,Website,Phone,Industry,Type,BillingStreet,BillingCity,BillingPostalCode,BillingState,BillingCountry,OwnerId,LastModifiedDate,Stripe_Customer_Id__c,Paypal_Payer_Id__c,VAT_Number__c]']);
      expect(accountOf(events[0]!)).toEqual(expect.objectContaining({ links: [{ system: 'stripe', kind: 'customer', id: 'cus_UC1' }, { system: 'paypal', kind: 'customer', id: 'PAYERUC2' }], taxId: null }));
    });
  });

  it('an opportunity CREATE → deal.upserted from the payload, amounts exact in minor units, no line query when it has none', async () => {
    const reader = new FakeSalesforce();
    const { events } = await mapped(relayed(fixture('cdc_opportunity_create.pubsub.docs.json')), reader);
    expect(reader.calls).toEqual([]);
    expect(events[0]).toMatchObject({
      id: 'salesforce:00000466-3d4f-bbe3-9c2b-5ab0fb45cc02:1:deal.upserted',
      subject: `salesforce:deal:${OPPORTUNITY_ID}`,
      data: { deal: { name: 'Acme - 400 Widgets', stage: 'Prospecting', pipeline: null, isClosedWon: false, isClosedLost: false, amount: 4_000_000, currency: 'usd', closeDate: new Date(1653955200000).toISOString(), accountIds: [ACCOUNT_ID], primaryAccountId: ACCOUNT_ID, contactIds: [], lines: [] } },
    });
  });

  it('an opportunity closed won (UPDATE) → the opportunity and its lines read, the outcome from IsWon, never from the stage label', async () => {
    const reader = new FakeSalesforce().put('Opportunity', opportunity({ StageName: 'Signed (custom label)' })).put('OpportunityLineItem', line('00kSM0000000002AAA', { Quantity: 1.5, UnitPrice: 0.29, TotalPrice: 0.43 }), line('00kSM0000000001AAA'));
    const { events } = await mapped(relayed(fixture('cdc_opportunity_update_closed_won.DERIVED.json')), reader);
    expect(reader.calls[0]).toMatch(/^retrieve Opportunity 006SM0000001Tb3YAE \[.*IsWon.*\]$/);
    expect(reader.calls[0]).not.toContain('CurrencyIsoCode');
    expect(reader.calls[1]).toBe(`query SELECT Id, OpportunityId, Name, ProductCode, Product2Id, PricebookEntryId, Quantity, UnitPrice, TotalPrice FROM OpportunityLineItem WHERE OpportunityId IN ('${OPPORTUNITY_ID}')`);
    expect(events[0]!.data).toMatchObject({
      deal: {
        stage: 'Signed (custom label)', isClosedWon: true, isClosedLost: false, amount: 4_000_029, currency: 'usd', closeDate: '2022-05-31T00:00:00.000Z',
        lines: [
          { id: '00kSM0000000001AAA', name: 'Widget', sku: 'WID-1', productId: '01tSM0000000001AAA', quantity: '400', unitAmount: 10_000, amount: 4_000_000 },
          { id: '00kSM0000000002AAA', quantity: '1.5', unitAmount: 29, amount: 43 },
        ],
      },
    });
  });

  it('a multi-currency org: the currency is the record’s CurrencyIsoCode (JPY has no minor unit)', async () => {
    const reader = new FakeSalesforce().put('Opportunity', opportunity({ CurrencyIsoCode: 'JPY', Amount: 120000, HasOpportunityLineItem: false }));
    const { events } = await mapped(relayed(fixture('cdc_opportunity_update_closed_won.DERIVED.json')), reader, { multiCurrency: true });
    expect(reader.calls[0]).toContain('CurrencyIsoCode');
    expect(events[0]!.data).toMatchObject({ deal: { amount: 120000, currency: 'jpy', lines: [] } });
  });

  it('a line item’s change is its opportunity’s: the deal re-read whole, the event id naming the opportunity', async () => {
    const reader = new FakeSalesforce().put('Opportunity', opportunity());
    reader.deleted.set('00kSM0000000009AAA', { type: 'OpportunityLineItem', Id: '00kSM0000000009AAA', OpportunityId: OPPORTUNITY_ID });
    const payload = { ChangeEventHeader: { entityName: 'OpportunityLineItem', changeType: 'DELETE', recordIds: ['00kSM0000000009AAA'], changeOrigin: '', transactionKey: 'tx-line-delete', sequenceNumber: 3, commitTimestamp: 1745500800000, changedFields: [] } };
    const { events } = await mapped(relayed(payload), reader);
    expect(reader.calls[0]).toBe("queryAll SELECT Id, OpportunityId FROM OpportunityLineItem WHERE Id IN ('00kSM0000000009AAA')");
    expect(events.map((event) => [event.id, event.type])).toEqual([[`salesforce:tx-line-delete:3:${OPPORTUNITY_ID}:deal.upserted`, 'deal.upserted']]);
    expect(events[0]!.data).toMatchObject({ deal: { id: OPPORTUNITY_ID, lines: [] } });
  });

  it('DELETE of accounts: one a merge deleted → account.merged with the survivor read; the other → account.deleted', async () => {
    const survivor = { Id: '001SM0000000SURVAA', Name: 'Acme (merged)', OwnerId: null, LastModifiedDate: '2025-05-01T10:00:00.000+0000' };
    const reader = new FakeSalesforce().put('Account', survivor);
    reader.deleted.set('001SM0000000LOSEAA', { type: 'Account', Id: '001SM0000000LOSEAA', MasterRecordId: survivor.Id });
    reader.deleted.set('001SM0000000GONEAA', { type: 'Account', Id: '001SM0000000GONEAA', MasterRecordId: null });
    const payload = { ChangeEventHeader: { entityName: 'Account', changeType: 'DELETE', recordIds: ['001SM0000000LOSEAA', '001SM0000000GONEAA'], transactionKey: 'tx-merge', sequenceNumber: 1, commitTimestamp: 1746093600000 } };
    const { events } = await mapped(relayed(payload), reader);
    expect(events.map((event) => [event.id, event.type, event.subject])).toEqual([
      ['salesforce:tx-merge:1:001SM0000000GONEAA:account.deleted', 'account.deleted', 'salesforce:account:001SM0000000GONEAA'],
      ['salesforce:tx-merge:1:001SM0000000SURVAA:account.merged', 'account.merged', 'salesforce:account:001SM0000000SURVAA'],
    ]);
    expect(events[0]!.data).toEqual({ account: { system: 'salesforce', account: FIXTURE_ORG_ID, id: '001SM0000000GONEAA' } });
    expect(events[1]!.data).toMatchObject({ account: { id: survivor.Id, name: 'Acme (merged)' }, mergedIds: ['001SM0000000LOSEAA'] });
  });

  it('DELETE of an opportunity → deal.deleted, nothing read', async () => {
    const reader = new FakeSalesforce();
    const payload = withHeader(fixture<Payload>('cdc_opportunity_update_closed_won.DERIVED.json'), { changeType: 'DELETE', changedFields: [] });
    const { events } = await mapped(relayed(payload), reader);
    expect(reader.calls).toEqual([]);
    expect(events.map((event) => event.type)).toEqual(['deal.deleted']);
  });

  it('UNDELETE and GAP_* events carry no fields: the record is read; GAP_DELETE is a deletion', async () => {
    const reader = new FakeSalesforce().put('Contact', { Id: '003ak00000IiFInAAN', LastName: 'Youngest', AccountId: null });
    for (const changeType of ['UNDELETE', 'GAP_UPDATE', 'GAP_CREATE']) {
      const { events } = await mapped(relayed(withHeader(fixture('cdc_contact_update.json'), { changeType })), reader);
      expect(events.map((event) => [event.type, (event.data as { contact: { lastName: string } }).contact.lastName])).toEqual([['contact.upserted', 'Youngest']]);
    }
    const { events } = await mapped(relayed(withHeader(fixture('cdc_contact_update.json'), { changeType: 'GAP_DELETE' })), reader);
    expect(events.map((event) => event.type)).toEqual(['contact.deleted']);
  });

  it('GAP_OVERFLOW naming no record: counted as unreadable (a reconciliation must say what changed), nothing published', async () => {
    const reader = new FakeSalesforce();
    const { events, skipped } = await mapped(relayed(withHeader(fixture('cdc_contact_update.json'), { changeType: 'GAP_OVERFLOW', recordIds: [] })), reader);
    expect(events).toEqual([]);
    expect(skipped).toEqual([{ outcome: 'Unreadable', reason: expect.stringContaining('reconcile') }]);
  });

  it('a change our own client wrote (changeOrigin client=…) is dropped and counted, nothing read', async () => {
    const reader = new FakeSalesforce();
    const ours = withHeader(fixture('cdc_contact_update.json'), { changeOrigin: 'com/salesforce/api/rest/62.0;client=odoo-saas-sync' });
    const { events, skipped } = await mapped(relayed(ours), reader);
    expect(events).toEqual([]);
    expect(reader.calls).toEqual([]);
    expect(skipped).toEqual([{ outcome: 'DroppedOwnWrite', reason: expect.stringContaining('odoo-saas-sync') }]);
    // Another client's write (a user in the UI, another integration) is synced.
    reader.put('Contact', { Id: '003ak00000IiFInAAN', LastName: 'Youngest' });
    const theirs = withHeader(fixture('cdc_contact_update.json'), { changeOrigin: 'com/salesforce/api/rest/62.0;client=odoo-saas-sync-other' });
    expect((await mapped(relayed(theirs), reader)).events).toHaveLength(1);
  });

  it('a record deleted since its UPDATE is skipped (its DELETE follows), counted', async () => {
    const { events, skipped } = await mapped(relayed(fixture('cdc_contact_update.json')), new FakeSalesforce());
    expect(events).toEqual([]);
    expect(skipped).toEqual([{ outcome: 'Ignored', reason: expect.stringContaining('no longer at Salesforce') }]);
  });

  it('a re-delivered change (another EventBridge id) maps to the same canonical ids', async () => {
    const reader = new FakeSalesforce().put('Contact', { Id: '003ak00000IiFInAAN', LastName: 'Youngest' });
    const first = await mapped(relayed(fixture('cdc_contact_update.json'), 'delivery-1'), reader);
    const again = await mapped(relayed(fixture('cdc_contact_update.json'), 'delivery-2'), reader);
    expect(again.events.map((event) => event.id)).toEqual(first.events.map((event) => event.id));
  });

  it('a record no snapshot can hold (an amount finer than its currency) is set aside with the reason', async () => {
    const reader = new FakeSalesforce().put('Opportunity', opportunity({ Amount: 10.999, HasOpportunityLineItem: false }));
    const translation = await translateSalesforceChange(relayed(fixture('cdc_opportunity_update_closed_won.DERIVED.json')), settings(reader));
    expect(translation).toMatchObject({ kind: 'set-aside', reason: expect.stringContaining('more decimals than the currency') });
  });

  it('a read that fails for now throws, so the invocation fails and the delivery is retried', async () => {
    const reader = new FakeSalesforce();
    reader.failWith = new SalesforceUnavailableError({ operation: 'GET composite/sobjects/Contact', status: 503 }, 'down');
    await expect(translateSalesforceChange(relayed(fixture('cdc_contact_update.json')), settings(reader))).rejects.toThrow(SalesforceUnavailableError);
  });

  it('something that is not a change event, or an entity not synced, publishes nothing', async () => {
    expect(await translateSalesforceChange({ 'detail-type': 'x', source: 'y', detail: {} }, settings(new FakeSalesforce()))).toMatchObject({ kind: 'not-a-change' });
    const lead = withHeader(fixture('cdc_contact_update.json'), { entityName: 'Lead' });
    expect(await mapped(relayed(lead), new FakeSalesforce())).toMatchObject({ events: [], skipped: [{ outcome: 'Ignored' }] });
  });
});
