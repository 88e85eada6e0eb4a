import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalEventSchema } from '../../events/catalog';
import { SalesforceRestApi } from '../../functions/providers/salesforce/salesforce-rest-api';
import { SANDBOX_SALESFORCE_CLIENT_ID, SANDBOX_SALESFORCE_CLIENT_SECRET } from '../../local/sandboxes/salesforce/server';
import { type ArchivedCanonicalEvent, archivedCanonicalEvents, type Harness, onboardingEnded, startHarness, waitFor } from './local-stack-harness';

/**
 * Salesforce end to end on the local runtime: records written in the Salesforce sandbox (its REST API) → the sandbox's
 * relay puts each Change Data Capture event, in Event Relay's envelope, on the stack's partner event bus → the rule
 * → the Salesforce ingest, which reads what the change leaves out from the sandbox → canonical events on the bus,
 * kept by its archive. What the bus and its archive received is what is asserted here; what the flows make of
 * canonical CRM events in Odoo is asserted by their own stories.
 */

/** A Salesforce canonical event as archived: its data is the snapshot (and merged ids) by kind. */
type ArchivedSalesforce = ArchivedCanonicalEvent & { detail: { data: Record<string, Record<string, unknown>> } };

describe('Salesforce on the local runtime', () => {
  let harness: Harness;
  let sandboxUrl: string;
  let token: string;
  /** The integration's own REST client, as the write-back will use it (its writes carry our client name). */
  let integration: SalesforceRestApi;

  const salesforceEvents = () => archivedCanonicalEvents(harness).filter((event): event is ArchivedSalesforce => event.detail.id.startsWith('salesforce:'));
  const eventsAbout = (subject: string) => salesforceEvents().filter((event) => event.detail.subject === subject);

  /** A user's REST call to the sandbox (no `Sforce-Call-Options`: not the integration). */
  const rest = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${sandboxUrl}/services/data/v62.0/${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>);
  };
  const create = async (type: string, fields: Record<string, unknown>) => String((await rest('POST', `sobjects/${type}`, fields))!['id']);
  const emit = async (payload: Record<string, unknown>) => {
    const response = await fetch(`${sandboxUrl}/_sandbox/change`, { method: 'POST', body: JSON.stringify({ payload }) });
    expect(response.status).toBe(200);
  };

  beforeAll(async () => {
    harness = await startHarness();
    sandboxUrl = harness.providerApi('salesforce').sandboxUrl!;
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: SANDBOX_SALESFORCE_CLIENT_ID, client_secret: SANDBOX_SALESFORCE_CLIENT_SECRET });
    token = ((await (await fetch(`${sandboxUrl}/services/oauth2/token`, { method: 'POST', body: form })).json()) as { access_token: string }).access_token;
    // What finance sets up: the products whose Internal References are the stories' product codes (else deal-sync
    // rightly dead-letters their deals, naming the lines).
    for (const [code, name] of [['SEAT', 'Seat'], ['ONB', 'Onboarding'], ['SF-SEAT', 'Analytics seat']]) {
      await harness.odoo.create('product.product', { name, default_code: code, list_price: 1, sale_ok: true, type: 'service' });
    }
    integration = new SalesforceRestApi({ instanceUrl: sandboxUrl, apiVersion: '62.0', clientName: 'odoo-saas-sync', credentials: async () => ({ clientId: SANDBOX_SALESFORCE_CLIENT_ID, clientSecret: SANDBOX_SALESFORCE_CLIENT_SECRET }) });
  }, 240_000);

  afterAll(async () => {
    await harness?.close();
  });

  it('an Account and an Opportunity with two lines created in Salesforce → account.upserted and deal.upserted on the bus, with the fields read', async () => {
    const accountId = await create('Account', { Name: 'Globex Corporation', Website: 'https://www.globex.example', Phone: '+1 555 0100', Industry: 'Manufacturing', Type: 'Customer - Direct', BillingStreet: '1 Globex Way', BillingCity: 'Springfield', BillingCountry: 'USA' });
    const opportunityId = await create('Opportunity', { Name: 'Globex - 12 seats', StageName: 'Prospecting', CloseDate: '2026-12-31', AccountId: accountId });
    await create('OpportunityLineItem', { OpportunityId: opportunityId, Name: 'Seat', ProductCode: 'SEAT', Quantity: 10, UnitPrice: 49.99 });
    await create('OpportunityLineItem', { OpportunityId: opportunityId, Name: 'Onboarding', ProductCode: 'ONB', Quantity: 1, UnitPrice: 300 });

    const account = await waitFor(() => eventsAbout(`salesforce:account:${accountId}`)[0], { what: 'the account.upserted of the new Account', timeoutMs: 60_000 });
    expect(account.detailType).toBe('account.upserted');
    expect(account.detail.data['account']).toMatchObject({ system: 'salesforce', account: '00D5f000005KcCnEAK', id: accountId, name: 'Globex Corporation', domain: 'globex.example', industry: 'Manufacturing', lifecycleStage: 'Customer - Direct', address: { line1: '1 Globex Way', city: 'Springfield', country: 'USA' } });

    // The opportunity's CREATE, then one deal.upserted per line item's CREATE, each read whole with every line at the
    // time of its read. EventBridge invokes the ingest once per change, concurrently: they may arrive in any order
    // (consumers order by `time`, the change's commitTimestamp).
    const deals = await waitFor(() => {
      const found = eventsAbout(`salesforce:deal:${opportunityId}`);
      return found.length >= 3 && found.some((event) => (event.detail.data['deal']!['lines'] as unknown[]).length === 2) ? found : undefined;
    }, { what: 'the three deal.upserted, one with both lines', timeoutMs: 60_000 });
    for (const { detail } of deals) expect(canonicalEventSchema.safeParse(detail).error).toBeUndefined();
    expect(deals.map((event) => event.detailType)).toEqual(['deal.upserted', 'deal.upserted', 'deal.upserted']);
    const latest = deals.find((event) => (event.detail.data['deal']!['lines'] as unknown[]).length === 2)!;
    expect(latest.detail.data['deal']).toMatchObject({
      name: 'Globex - 12 seats', stage: 'Prospecting', isClosedWon: false, isClosedLost: false, currency: 'usd', amount: 79_990, accountIds: [accountId], primaryAccountId: accountId,
      lines: expect.arrayContaining([
        expect.objectContaining({ sku: 'SEAT', quantity: '10', unitAmount: 4_999, amount: 49_990 }),
        expect.objectContaining({ sku: 'ONB', quantity: '1', unitAmount: 30_000, amount: 30_000 }),
      ]),
    });
  });

  it('an UPDATE carries the changed field only → the snapshot is the whole record read from Salesforce; closed won from IsWon', async () => {
    const accountId = await create('Account', { Name: 'Initech', Industry: 'Software' });
    await waitFor(() => eventsAbout(`salesforce:account:${accountId}`)[0], { what: 'the account’s creation' });
    await rest('PATCH', `sobjects/Account/${accountId}`, { Phone: '+1 555 0199' });
    const updated = await waitFor(() => eventsAbout(`salesforce:account:${accountId}`)[1], { what: 'the account.upserted of the update' });
    expect(updated.detail.data['account']).toMatchObject({ name: 'Initech', industry: 'Software', phone: '+1 555 0199' });

    const opportunityId = await create('Opportunity', { Name: 'Initech - renewal', StageName: 'Negotiation', CloseDate: '2026-11-30', AccountId: accountId, Amount: 1200 });
    await waitFor(() => eventsAbout(`salesforce:deal:${opportunityId}`)[0], { what: 'the deal’s creation' });
    await rest('PATCH', `sobjects/Opportunity/${opportunityId}`, { StageName: 'Closed Won' });
    const won = await waitFor(() => eventsAbout(`salesforce:deal:${opportunityId}`)[1], { what: 'the deal closed won' });
    expect(won.detail.data['deal']).toMatchObject({ name: 'Initech - renewal', stage: 'Closed Won', isClosedWon: true, amount: 120_000 });
  });

  it('one change naming two records → two events, one per record', async () => {
    const [first, second] = await Promise.all([create('Account', { Name: 'Umbrella East' }), create('Account', { Name: 'Umbrella West' })]);
    await waitFor(() => (eventsAbout(`salesforce:account:${first}`).length > 0 && eventsAbout(`salesforce:account:${second}`).length > 0 ? true : undefined), { what: 'both creations' });
    // Salesforce merges the same change of several records of one transaction into one event.
    await emit({ ChangeEventHeader: { entityName: 'Account', changeType: 'UPDATE', recordIds: [first, second], changeOrigin: 'com/salesforce/api/soap/62.0;client=DataLoader', transactionKey: 'tx-two-records', sequenceNumber: 1, commitTimestamp: Date.now(), changedFields: ['Industry'] }, Industry: 'Chemicals' });
    const events = await waitFor(() => {
      const found = salesforceEvents().filter((event) => event.detail.id.startsWith('salesforce:tx-two-records:1:'));
      return found.length >= 2 ? found : undefined;
    }, { what: 'the two events of the one change' });
    expect(events.map((event) => [event.detail.id, event.detail.subject]).sort()).toEqual(
      [
        [`salesforce:tx-two-records:1:${first}:account.upserted`, `salesforce:account:${first}`],
        [`salesforce:tx-two-records:1:${second}:account.upserted`, `salesforce:account:${second}`],
      ].sort(),
    );
  });

  it('a change our own write caused (its changeOrigin names our client) reaches the ingest and is dropped: nothing published', async () => {
    const accountId = await create('Account', { Name: 'Hooli' });
    await waitFor(() => eventsAbout(`salesforce:account:${accountId}`)[0], { what: 'the account’s creation' });
    const seen = new Promise<void>((resolve) => {
      const stop = harness.stack.activity.onInvocation((invocation) => {
        const header = (invocation.event as { detail?: { payload?: { ChangeEventHeader?: { recordIds?: string[]; changeOrigin?: string } } } }).detail?.payload?.ChangeEventHeader;
        if (header?.recordIds?.includes(accountId) && header.changeOrigin?.endsWith('client=odoo-saas-sync')) {
          stop();
          resolve();
        }
      });
    });
    // The write-back's own PATCH (Sforce-Call-Options: client=odoo-saas-sync).
    await integration.updateRecord('Account', accountId, { Odoo_Partner_Id__c: '42' });
    await seen;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(eventsAbout(`salesforce:account:${accountId}`)).toHaveLength(1);
  });

  it('Salesforce unreadable: the invocation fails, Lambda retries it, then the ingest’s dead-letter queue keeps the change with the error; nothing published', async () => {
    const accountId = await create('Account', { Name: 'Soylent' });
    await waitFor(() => eventsAbout(`salesforce:account:${accountId}`)[0], { what: 'the account’s creation' });
    const ingestDlq = harness.stack.deadLetterQueueNames.find((name) => name.startsWith('SalesforceIngestDeadLetters'))!;
    expect(ingestDlq).toBeDefined();
    const faults = (body: unknown) => fetch(`${sandboxUrl}/_sandbox/faults`, { method: 'POST', body: JSON.stringify(body) });
    const ingestErrors = () => harness.stack.activity.activityOf([...harness.stack.functions.keys()].find((name) => name.startsWith('SalesforceIngest'))!).errors;
    const errorsBefore = ingestErrors();
    await faults({ status: 503, remaining: 1000, pathPrefix: '/services/data/v62.0/composite' });
    try {
      await rest('PATCH', `sobjects/Account/${accountId}`, { Industry: 'Food' });
      const [message] = await waitFor(() => {
        const stored = harness.stack.queues.queueNamed(ingestDlq).storedMessages();
        return stored.length > 0 ? stored : undefined;
      }, { what: 'the change in the ingest’s dead-letter queue', timeoutMs: 60_000 });
      const dead = JSON.parse(message!.body) as { detail: { payload: { ChangeEventHeader: { recordIds: string[]; changeType: string } } } };
      expect(dead.detail.payload.ChangeEventHeader).toMatchObject({ recordIds: [accountId], changeType: 'UPDATE' });
      expect(message!.messageAttributes['ErrorMessage']?.StringValue).toMatch(/Salesforce GET \/services\/data\/v62\.0\/composite\/sobjects\/Account: 503 SERVER_UNAVAILABLE/);
      // Three failed runs: the first and Lambda's two retries.
      expect(ingestErrors() - errorsBefore).toBe(3);
      expect(eventsAbout(`salesforce:account:${accountId}`)).toHaveLength(1);
    } finally {
      await faults({ clear: true });
    }
  }, 90_000);

  it('accounts merged in Salesforce → account.merged with the survivor read and the merged id; a deleted opportunity → deal.deleted', async () => {
    const [survivor, merged] = await Promise.all([create('Account', { Name: 'Stark Industries', Phone: '+1 555 0300' }), create('Account', { Name: 'Stark Ind.' })]);
    const opportunityId = await create('Opportunity', { Name: 'Stark - arc reactors', StageName: 'Prospecting', CloseDate: '2026-10-01', AccountId: merged });
    await waitFor(() => (eventsAbout(`salesforce:account:${merged}`).length > 0 && eventsAbout(`salesforce:deal:${opportunityId}`).length > 0 ? true : undefined), { what: 'the creations' });
    const response = await fetch(`${sandboxUrl}/_sandbox/merge`, { method: 'POST', body: JSON.stringify({ type: 'Account', survivorId: survivor, mergedIds: [merged] }) });
    expect(response.status).toBe(200);
    const mergedEvent = await waitFor(() => eventsAbout(`salesforce:account:${survivor}`).find((event) => event.detailType === 'account.merged'), { what: 'the account.merged' });
    expect(mergedEvent.detail.data['account']).toMatchObject({ id: survivor, name: 'Stark Industries', phone: '+1 555 0300' });
    expect(mergedEvent.detail.data['mergedIds']).toEqual([merged]);
    // The merged-away account is not published as deleted: the merge says it is gone.
    expect(eventsAbout(`salesforce:account:${merged}`).map((event) => event.detailType)).toEqual(['account.upserted']);

    await rest('DELETE', `sobjects/Opportunity/${opportunityId}`);
    const deleted = await waitFor(() => eventsAbout(`salesforce:deal:${opportunityId}`).find((event) => event.detailType === 'deal.deleted'), { what: 'the deal.deleted' });
    expect(deleted.detail.data['deal']).toEqual({ system: 'salesforce', account: '00D5f000005KcCnEAK', id: opportunityId });
  });

  it('a change delivered twice is published with the same canonical id', async () => {
    const accountId = await create('Account', { Name: 'Vandelay Industries' });
    await waitFor(() => eventsAbout(`salesforce:account:${accountId}`)[0], { what: 'the account’s creation' });
    const change = { ChangeEventHeader: { entityName: 'Account', changeType: 'UPDATE', recordIds: [accountId], changeOrigin: '', transactionKey: 'tx-redelivered', sequenceNumber: 2, commitTimestamp: Date.now(), changedFields: ['Name'] }, Name: 'Vandelay Industries' };
    await emit(change);
    await emit(change);
    const ids = (await waitFor(() => {
      const found = salesforceEvents().filter((event) => event.detail.id.startsWith('salesforce:tx-redelivered:'));
      return found.length >= 2 ? found : undefined;
    }, { what: 'both deliveries archived' })).map((event) => event.detail.id);
    expect(ids).toEqual(['salesforce:tx-redelivered:2:account.upserted', 'salesforce:tx-redelivered:2:account.upserted']);
  });

  it('into Odoo: the Account becomes a company partner, its Opportunity a quotation, and once won a confirmed order with deal.won on the bus', async () => {
    const accountId = await create('Account', { Name: 'Hooli', Website: 'https://hooli.example' });
    const opportunityId = await create('Opportunity', { Name: 'Hooli - 3 seats', StageName: 'Prospecting', CloseDate: '2026-12-31', AccountId: accountId });
    await create('OpportunityLineItem', { OpportunityId: opportunityId, Name: 'Seat', ProductCode: 'SF-SEAT', Quantity: 3, UnitPrice: 120.5 });

    const partner = await waitFor(() => harness.odoo.partnerByExternalId(`saas_sync.salesforce_account_${accountId}`), { what: 'the account’s Odoo partner', timeoutMs: 60_000 });
    expect(partner).toMatchObject({ name: 'Hooli', is_company: true, active: true });
    const quotation = await waitFor(async () => {
      const [order] = await harness.odoo.searchRead<Record<string, unknown>>('sale.order', [['client_order_ref', '=', opportunityId]], ['partner_id', 'state', 'amount_untaxed']);
      return order?.['amount_untaxed'] === 361.5 ? order : undefined;
    }, { what: 'the quotation with its line', timeoutMs: 60_000 });
    expect(quotation).toMatchObject({ partner_id: [partner!.id, 'Hooli'], state: 'draft' });

    await rest('PATCH', `sobjects/Opportunity/${opportunityId}`, { StageName: 'Closed Won' });
    const won = await waitFor(() => eventsAbout(`salesforce:deal:${opportunityId}`).find((event) => event.detailType === 'deal.won'), { what: 'deal.won on the bus', timeoutMs: 60_000 });
    expect(canonicalEventSchema.safeParse(won.detail).error).toBeUndefined();
    expect(won.detail).toMatchObject({ data: { order: { partnerId: partner!.id }, amountUntaxed: 36_150 } });
    // deal.won starts the onboarding, which finds no billing price for SF-SEAT in the local stage and undoes itself:
    // the order deal-sync confirmed ends cancelled.
    expect((await onboardingEnded(harness.stack, { system: 'salesforce', id: opportunityId })).status).toBe('FAILED');
    const [order] = await harness.odoo.searchRead<Record<string, unknown>>('sale.order', [['client_order_ref', '=', opportunityId]], ['state']);
    expect(order).toMatchObject({ state: 'cancel' });
  });

  it('write-back: the Account’s Odoo partner id and customer id appear on it in Salesforce; the change that causes comes back naming our client and is dropped', async () => {
    const accountId = await create('Account', { Name: 'Pied Piper', Website: 'https://piedpiper.example' });
    const ownChangeIngested = new Promise<void>((resolve) => {
      const stop = harness.stack.activity.onInvocation((invocation) => {
        const header = (invocation.event as { detail?: { payload?: { ChangeEventHeader?: { recordIds?: string[]; changeOrigin?: string } } } }).detail?.payload?.ChangeEventHeader;
        if (header?.recordIds?.includes(accountId) && header.changeOrigin?.endsWith('client=odoo-saas-sync')) {
          stop();
          resolve();
        }
      });
    });
    const partner = await waitFor(() => harness.odoo.partnerByExternalId(`saas_sync.salesforce_account_${accountId}`), { what: 'the account’s Odoo partner', timeoutMs: 60_000 });
    const account = await waitFor(async () => {
      const record = await rest('GET', `sobjects/Account/${accountId}`);
      return record?.['Odoo_Partner_Id__c'] ? record : undefined;
    }, { what: 'Odoo_Partner_Id__c on the Account', timeoutMs: 60_000 });
    expect(account).toMatchObject({ Odoo_Partner_Id__c: partner!.id, Saas_Sync_Customer_Id__c: `salesforce_account_${accountId}`, Name: 'Pied Piper' });
    // The write's change event reached the ingest through the relay and the partner bus, and was dropped: the
    // account's only event is its creation.
    await ownChangeIngested;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(eventsAbout(`salesforce:account:${accountId}`).map((event) => event.detailType)).toEqual(['account.upserted']);
  });
});
