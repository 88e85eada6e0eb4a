import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { canonicalEventSchema } from '../../../../events/catalog';
import { HubspotUnavailableError } from '../../../../functions/providers/hubspot/hubspot-api-errors';
import type { HubspotAssociation, HubspotRecord } from '../../../../functions/providers/hubspot/hubspot-crm-api';
import type { HubspotReader } from '../../../../functions/providers/hubspot/hubspot-enrichment';
import { hubspotDedupeKey } from '../../../../functions/providers/hubspot/hubspot-events';
import { hubspotWebhook, type HubspotWebhookSettings } from '../../../../functions/providers/hubspot/hubspot-webhook';
import type { Translation } from '../../../../functions/platform/webhook-receiver';

const FIXTURES = join(__dirname, '../../../fixtures/hubspot');
const fixture = (name: string): Record<string, unknown> => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8'));

/** HubSpot's records as a CRM read returns them, by object type and id; associations by `<from>/<to>` and from id. */
function fakeReader(records: Record<string, Record<string, HubspotRecord>>, associations: Record<string, Record<string, HubspotAssociation[]>> = {}) {
  const calls: string[] = [];
  const reader: HubspotReader = {
    async batchRead(type, ids, properties) {
      calls.push(`read ${type} ${[...ids].join(',')} [${properties.length} properties]`);
      return new Map(ids.flatMap((id) => (records[type]?.[id] ? [[id, records[type][id]] as const] : [])));
    },
    async batchAssociations(from, to, ids) {
      calls.push(`associations ${from}/${to} ${[...ids].join(',')}`);
      return new Map(ids.flatMap((id) => (associations[`${from}/${to}`]?.[id] ? [[id, associations[`${from}/${to}`]![id]!] as const] : [])));
    },
  };
  return { reader, calls };
}

const record = (id: string, properties: Record<string, string | null>, updatedAt = '2026-06-25T07:19:30.000Z'): HubspotRecord => ({ id, properties, updatedAt });
const primaryCompany = (id: string, typeId: number): HubspotAssociation => ({ toObjectId: id, associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId, label: 'Primary' }] });
const link = (id: string): HubspotAssociation => ({ toObjectId: id, associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 3, label: null }] });

const COMPANY = record('6682673371', { name: 'Acme Analytics GmbH', domain: 'acme-analytics.example', website: 'https://acme-analytics.example', phone: '+49 30 1234567', industry: 'COMPUTER_SOFTWARE', lifecyclestage: 'customer', address: 'Friedrichstraße 68', address2: null, city: 'Berlin', zip: '10117', state: null, country: 'Germany', hubspot_owner_id: '75463201', stripe_customer_id: 'cus_QXg1o8vcGmoR32' });
const CONTACT = record('508369434347', { firstname: 'Maton', lastname: 'Tester', email: 'maton@example.com', phone: null, jobtitle: 'CFO', lifecyclestage: 'lead', hubspot_owner_id: null, associatedcompanyid: '6682673371' });
const DEAL = record('332507367156', { dealname: 'Annual plan', amount: '2000', deal_currency_code: 'EUR', pipeline: 'default', dealstage: 'qualifiedtobuy', hs_is_closed_won: 'false', hs_is_closed: 'false', closedate: '2026-07-31T00:00:00Z', hubspot_owner_id: '75463201' });
const LINES = {
  '9001': record('9001', { name: 'Seat', hs_sku: 'SEAT', hs_product_id: '1642736501', quantity: '10', price: '150.00', amount: '1500.00' }),
  '9002': record('9002', { name: 'Onboarding', hs_sku: 'ONBOARD', hs_product_id: null, quantity: '1.0', price: '500', amount: '500' }),
};

const RECORDS = { companies: { [COMPANY.id]: COMPANY }, contacts: { [CONTACT.id]: CONTACT, '1246965': record('1246965', { email: 'a@example.com' }), '1246978': record('1246978', { email: 'b@example.com' }) }, deals: { [DEAL.id]: DEAL }, line_items: LINES };
const ASSOCIATIONS = {
  'contacts/companies': { [CONTACT.id]: [link('7000000001'), primaryCompany(COMPANY.id, 1)] },
  'deals/companies': { [DEAL.id]: [primaryCompany(COMPANY.id, 5)] },
  'deals/contacts': { [DEAL.id]: [link(CONTACT.id)] },
  'deals/line_items': { [DEAL.id]: [link('9001'), link('9002')] },
};

function webhook(overrides: Partial<HubspotWebhookSettings> & { portalId: string }) {
  const fake = fakeReader(RECORDS, ASSOCIATIONS);
  const settings: HubspotWebhookSettings = { appSecret: async () => 'secret', webhookUrl: 'https://example.com/webhooks/hubspot', companyCurrency: 'usd', ownAppId: '1111', reader: fake.reader, ...overrides };
  return { webhook: hubspotWebhook(settings), calls: fake.calls };
}

async function translate(events: unknown[], overrides: Partial<HubspotWebhookSettings> = {}) {
  const portalId = String((events[0] as { portalId: number }).portalId);
  const { webhook: hook, calls } = webhook({ portalId, ...overrides });
  return { translation: await hook.translate(events), calls };
}

function mapped(translation: Translation) {
  if (translation.kind !== 'mapped') throw new Error(`expected mapped, got ${JSON.stringify(translation)}`);
  for (const event of translation.events) expect(canonicalEventSchema.safeParse(event).error).toBeUndefined();
  return translation;
}

describe('HubSpot webhook bodies → canonical events', () => {
  it('company.creation (captured) → account.upserted with the company as read, keyed by portal + subscription + event id + occurredAt', async () => {
    const event = fixture('company.creation.json');
    const { translation, calls } = await translate([event]);
    const { events } = mapped(translation);
    expect(calls).toEqual(['read companies 6682673371 [15 properties]']);
    expect(events).toEqual([
      {
        id: 'hubspot:26525078:1876045:475842865:1670945968441:account.upserted',
        type: 'account.upserted',
        source: 'hubspot',
        subject: 'hubspot:account:6682673371',
        time: '2022-12-13T15:39:28.441Z',
        correlationId: 'hubspot:26525078:1876045:475842865:1670945968441',
        causationId: '26525078:1876045:475842865:1670945968441',
        dataVersion: 2,
        data: {
          account: {
            system: 'hubspot', account: '26525078', id: '6682673371', ownerId: '75463201', updatedAt: '2026-06-25T07:19:30.000Z',
            name: 'Acme Analytics GmbH', domain: 'acme-analytics.example', website: 'https://acme-analytics.example', phone: '+49 30 1234567', industry: 'COMPUTER_SOFTWARE', lifecycleStage: 'customer',
            address: { line1: 'Friedrichstraße 68', line2: null, city: 'Berlin', postalCode: '10117', state: null, country: 'Germany' },
            // The portal's `stripe_customer_id` property: an explicit link for the one-customer resolution.
            links: [{ system: 'stripe', kind: 'customer', id: 'cus_QXg1o8vcGmoR32' }],
            taxId: null,
          },
        },
      },
    ]);
  });

  it('company.propertyChange by HubSpot itself (captured, HUBSPOT_INTERNAL) → account.upserted: only our app’s writes are dropped', async () => {
    const { events } = mapped((await translate([fixture('company.propertyChange.internal.json')])).translation);
    expect(events.map((event) => [event.type, event.subject])).toEqual([['account.upserted', 'hubspot:account:6682673371']]);
  });

  it('company.deletion, a 5th retry (captured) → account.deleted with no read, the same id as the first attempt’s', async () => {
    const retry = fixture('company.deletion.retry5.json');
    const { translation, calls } = await translate([retry]);
    const first = mapped((await translate([{ ...retry, attemptNumber: 0 }])).translation);
    const { events } = mapped(translation);
    expect(calls).toEqual([]);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'account.deleted', subject: 'hubspot:account:6674551525', data: { account: { system: 'hubspot', account: '26525078', id: '6674551525' } } });
    expect(events[0]!.id).toBe(first.events[0]!.id);
  });

  it('contact.creation and contact.propertyChange (captured) → contact.upserted each, linked to its companies, the primary first', async () => {
    const { translation, calls } = await translate([fixture('contact.creation.json'), fixture('contact.propertyChange.json')]);
    const { events } = mapped(translation);
    expect(calls).toEqual(['read contacts 508369434347 [9 properties]', 'associations contacts/companies 508369434347']);
    expect(events.map((event) => event.type)).toEqual(['contact.upserted', 'contact.upserted']);
    expect(new Set(events.map((event) => event.id)).size).toBe(2);
    expect(events[0]!.data).toEqual({
      contact: {
        system: 'hubspot', account: '48975575', id: '508369434347', ownerId: null, updatedAt: '2026-06-25T07:19:30.000Z',
        firstName: 'Maton', lastName: 'Tester', email: 'maton@example.com', phone: null, jobTitle: 'CFO', lifecycleStage: 'lead',
        accountIds: ['6682673371', '7000000001'], primaryAccountId: '6682673371',
      },
    });
  });

  it('contact.deletion (captured) → contact.deleted', async () => {
    const { events } = mapped((await translate([fixture('contact.deletion.json')])).translation);
    expect(events).toMatchObject([{ type: 'contact.deleted', subject: 'hubspot:contact:508369434347', data: { contact: { id: '508369434347', account: '48975575' } } }]);
  });

  it('deal.propertyChange of the amount and of the stage (captured) → deal.upserted with the amount in cents, the lines exact, the account and contacts', async () => {
    const { translation, calls } = await translate([fixture('deal.propertyChange.amount.json'), fixture('deal.propertyChange.dealstage.json')]);
    const { events } = mapped(translation);
    expect(calls).toEqual([
      'read deals 332507367156 [11 properties]',
      'associations deals/companies 332507367156',
      'associations deals/contacts 332507367156',
      'associations deals/line_items 332507367156',
      'read line_items 9001,9002 [6 properties]',
    ]);
    expect(events.map((event) => event.type)).toEqual(['deal.upserted', 'deal.upserted']);
    expect(events[1]!.data).toEqual({
      deal: {
        system: 'hubspot', account: '48975575', id: '332507367156', ownerId: '75463201', updatedAt: '2026-06-25T07:19:30.000Z',
        name: 'Annual plan', pipeline: 'default', stage: 'qualifiedtobuy', isClosedWon: false, isClosedLost: false,
        amount: 200000, currency: 'eur', closeDate: '2026-07-31T00:00:00.000Z',
        accountIds: ['6682673371'], primaryAccountId: '6682673371', contactIds: ['508369434347'],
        lines: [
          { id: '9001', name: 'Seat', sku: 'SEAT', productId: '1642736501', quantity: '10', unitAmount: 15000, amount: 150000 },
          { id: '9002', name: 'Onboarding', sku: 'ONBOARD', productId: null, quantity: '1', unitAmount: 50000, amount: 50000 },
        ],
      },
    });
  });

  it('closed-won comes from hs_is_closed_won, never from the stage id: `closedwon` with the flag false is not won, a custom stage with it true is', async () => {
    const closedwon = fixture('deal.propertyChange.closedwon.DERIVED.json');
    const notWon = { ...RECORDS, deals: { [DEAL.id]: record(DEAL.id, { ...DEAL.properties, dealstage: 'closedwon', hs_is_closed_won: 'false', hs_is_closed: 'true' }) } };
    const wonInCustomStage = { ...RECORDS, deals: { [DEAL.id]: record(DEAL.id, { ...DEAL.properties, dealstage: '1049832', hs_is_closed_won: 'true', hs_is_closed: 'true' }) } };
    const dealOf = async (records: typeof RECORDS) => {
      const hook = hubspotWebhook({ appSecret: async () => 's', webhookUrl: 'https://example.com/w', portalId: '48975575', companyCurrency: 'usd', ownAppId: undefined, reader: fakeReader(records, ASSOCIATIONS).reader });
      const [event] = mapped(await hook.translate([closedwon])).events;
      return event?.type === 'deal.upserted' ? event.data.deal : undefined;
    };
    expect(await dealOf(notWon)).toMatchObject({ stage: 'closedwon', isClosedWon: false, isClosedLost: true });
    expect(await dealOf(wonInCustomStage)).toMatchObject({ stage: '1049832', isClosedWon: true, isClosedLost: false });
  });

  it('the docs’ batch of two contact events → two contact.upserted, one batch read for both', async () => {
    const { translation, calls } = await translate(fixture('docs_batch_contact.propertyChange+contact.creation.json') as unknown as unknown[]);
    const { events } = mapped(translation);
    expect(calls[0]).toBe('read contacts 1246965,1246978 [9 properties]');
    expect(events.map((event) => event.subject)).toEqual(['hubspot:contact:1246965', 'hubspot:contact:1246978']);
  });

  it('the docs’ signature example body (contact.creation, changeFlag NEW) → contact.upserted; a contact HubSpot no longer has → skipped', async () => {
    const body = fixture('docs_signature_v1_body.contact.creation.json') as unknown as unknown[];
    const withRecord = { ...RECORDS, contacts: { ...RECORDS.contacts, '123': record('123', { email: 'docs@example.com' }) } };
    const hook = hubspotWebhook({ appSecret: async () => 's', webhookUrl: 'https://example.com/w', portalId: '62515', companyCurrency: 'usd', ownAppId: undefined, reader: fakeReader(withRecord, ASSOCIATIONS).reader });
    expect(mapped(await hook.translate(body)).events).toMatchObject([{ type: 'contact.upserted', id: 'hubspot:62515:12345:1:1564113600000:contact.upserted', data: { contact: { id: '123', email: 'docs@example.com' } } }]);
    const gone = mapped((await translate(body)).translation);
    expect(gone.events).toEqual([]);
    expect(gone.skipped).toMatchObject([{ outcome: 'Ignored', reason: 'contact 123 is no longer at HubSpot (deleted since the event)' }]);
  });

    it('a merge → the survivor read again and the merged-away ids; a deal merge → the surviving deal upserted', async () => {
    const base = fixture('company.creation.json');
    const merge = { ...base, subscriptionType: 'company.merge', eventId: 1, objectId: 6682673371, primaryObjectId: 6682673371, mergedObjectIds: [6674551525], newObjectId: 6682673371 };
    const { events } = mapped((await translate([merge])).translation);
    expect(events).toMatchObject([{ type: 'account.merged', subject: 'hubspot:account:6682673371', data: { account: { id: '6682673371', name: 'Acme Analytics GmbH' }, mergedIds: ['6674551525'] } }]);

    const dealMerge = { ...fixture('deal.propertyChange.amount.json'), subscriptionType: 'deal.merge', primaryObjectId: 332507367156, mergedObjectIds: [332507367999] };
    const deal = mapped((await translate([dealMerge])).translation);
    expect(deal.events).toMatchObject([{ type: 'deal.upserted', subject: 'hubspot:deal:332507367156' }]);
  });

  it('a merge that minted a new id: the primary is merged away too', async () => {
    const merge = { ...fixture('contact.creation.json'), subscriptionType: 'contact.merge', primaryObjectId: 111, mergedObjectIds: [222], newObjectId: 508369434347 };
    const { events } = mapped((await translate([merge])).translation);
    expect(events).toMatchObject([{ type: 'contact.merged', subject: 'hubspot:contact:508369434347', data: { mergedIds: ['222', '111'] } }]);
  });

  it('a record restored from the recycle bin (company.restore, contact.restore: the same id back) → the record read and upserted, newer than its deletion', async () => {
    const deletion = fixture('company.deletion.retry5.json');
    const restore = { ...fixture('company.creation.json'), subscriptionType: 'company.restore', eventId: 4242, occurredAt: Number(deletion['occurredAt']) + 60_000, objectId: Number(COMPANY.id), portalId: 48975575 };
    const contactRestore = { ...fixture('contact.creation.json'), subscriptionType: 'contact.restore', eventId: 4243 };
    const { translation, calls } = await translate([restore, contactRestore]);
    const { events } = mapped(translation);
    expect(calls).toEqual(expect.arrayContaining([`read companies ${COMPANY.id} [15 properties]`, 'read contacts 508369434347 [9 properties]']));
    expect(events.map((event) => [event.type, event.subject])).toEqual([['account.upserted', `hubspot:account:${COMPANY.id}`], ['contact.upserted', 'hubspot:contact:508369434347']]);
    expect(events[0]).toMatchObject({ time: new Date(restore.occurredAt).toISOString(), data: { account: { name: 'Acme Analytics GmbH' } } });
  });

  it('an association change re-reads the record it was made from', async () => {
    const change = { ...fixture('contact.creation.json'), subscriptionType: 'contact.associationChange', objectId: undefined, fromObjectId: 508369434347, toObjectId: 6682673371, associationType: 'CONTACT_TO_COMPANY', associationRemoved: false };
    const { events } = mapped((await translate([change])).translation);
    expect(events).toMatchObject([{ type: 'contact.upserted', data: { contact: { id: '508369434347', primaryAccountId: '6682673371' } } }]);
  });
});

describe('HubSpot webhook bodies: what is left out, and why', () => {
  it('drops our own writes (sourceId = our app id) and counts them; the rest of the body is mapped', async () => {
    const ours = fixture('contact.propertyChange.json');
    const theirs = fixture('deal.propertyChange.closedwon.DERIVED.json');
    const { translation, calls } = await translate([ours, { ...theirs, sourceId: 'userId:47812075' }], { ownAppId: '39522895' });
    const result = mapped(translation);
    expect(result.events.map((event) => event.type)).toEqual(['deal.upserted']);
    expect(result.skipped).toEqual([{ about: { id: hubspotDedupeKey(ours as never), type: 'contact.propertyChange' }, outcome: 'DroppedOwnWrite', reason: 'written by our app 39522895 (INTEGRATION)' }]);
    expect(calls.some((call) => call.startsWith('read contacts'))).toBe(false);
  });

  it('a body made only of our own writes publishes nothing and reads nothing', async () => {
    const { translation, calls } = await translate([fixture('contact.creation.json'), fixture('contact.deletion.json')], { ownAppId: '39522895' });
    expect(mapped(translation).events).toEqual([]);
    expect(mapped(translation).skipped?.map((skip) => skip.outcome)).toEqual(['DroppedOwnWrite', 'DroppedOwnWrite']);
    expect(calls).toEqual([]);
  });

  it('skips another portal’s events, unhandled types, a repeat inside the body and a record deleted since — each with its reason', async () => {
    const creation = fixture('company.creation.json');
    const { translation } = await translate([
      creation,
      creation,
      { ...creation, eventId: 2, portalId: 999 },
      { ...creation, eventId: 3, subscriptionType: 'ticket.creation' },
      { ...creation, eventId: 4, objectId: 404 },
    ]);
    const { events, skipped } = mapped(translation);
    expect(events).toHaveLength(1);
    expect(skipped?.map((skip) => [skip.outcome, skip.reason])).toEqual([
      ['Ignored', 'the same event twice in one body'],
      ['Ignored', 'portal 999 is not the stage\'s portal 26525078'],
      ['Ignored', 'ticket.creation is not a company, contact or deal event'],
      ['Ignored', 'company 404 is no longer at HubSpot (deleted since the event)'],
    ]);
  });

  it('refuses what is not a HubSpot body: an object, an empty array, over 100 events', async () => {
    const { webhook: hook } = webhook({ portalId: '1' });
    const creation = fixture('company.creation.json');
    expect(await hook.translate(creation)).toMatchObject({ kind: 'not-an-event' });
    expect(await hook.translate([])).toMatchObject({ kind: 'not-an-event' });
    expect(await hook.translate(Array.from({ length: 101 }, (_, eventId) => ({ ...creation, eventId })))).toMatchObject({ kind: 'not-an-event' });
  });

  it('answers unavailable (503) when HubSpot cannot be read now, publishing nothing', async () => {
    const reader: HubspotReader = {
      batchRead: async () => {
        throw new HubspotUnavailableError({ operation: 'POST /crm/v3/objects/companies/batch/read', status: 429, category: 'TEN_SECONDLY_ROLLING' }, 'rate limited');
      },
      batchAssociations: async () => new Map(),
    };
    const { translation } = await translate([fixture('company.creation.json')], { reader });
    expect(translation).toMatchObject({ kind: 'unavailable', reason: expect.stringContaining('429 TEN_SECONDLY_ROLLING') });
  });

  it('sets the whole body aside when a record cannot be held exactly (an amount finer than its currency)', async () => {
    const finer = { ...RECORDS, deals: { [DEAL.id]: record(DEAL.id, { ...DEAL.properties, amount: '2000.005' }) } };
    const hook = hubspotWebhook({ appSecret: async () => 's', webhookUrl: 'https://example.com/w', portalId: '48975575', companyCurrency: 'usd', ownAppId: undefined, reader: fakeReader(finer, ASSOCIATIONS).reader });
    expect(await hook.translate([fixture('deal.propertyChange.amount.json')])).toMatchObject({ kind: 'set-aside', outcome: 'RejectedMalformed', reason: expect.stringContaining('more decimals than the currency') });
  });
});
