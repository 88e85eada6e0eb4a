import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { canonicalEventSchema } from '../../../../events/catalog';
import { metrics } from '../../../../functions/platform/powertools';
import type { SalesforceReader } from '../../../../functions/providers/salesforce/salesforce-change-ingest';
import { salesforceIngestHandler } from '../../../../functions/providers/salesforce/salesforce-ingest-handler';
import { SalesforceUnavailableError, type SalesforceRecord } from '../../../../functions/providers/salesforce/salesforce-rest-api';
import { FIXTURE_ORG_ID, fixture, relayed } from '../../../fixtures/salesforce/relay';

const eventBridge = mockClient(EventBridgeClient);
const sqs = mockClient(SQSClient);
const REJECTED_QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/sync-rejected-events';

const contacts = new Map<string, SalesforceRecord>();
let failReads: Error | undefined;
const reader: SalesforceReader = {
  retrieve: async (_type, ids) => {
    if (failReads) throw failReads;
    return new Map(ids.flatMap((id) => (contacts.has(id) ? [[id, contacts.get(id)!] as const] : [])));
  },
  query: async () => [],
};

const handler = salesforceIngestHandler({
  settings: { orgId: FIXTURE_ORG_ID, corporateCurrency: 'usd', multiCurrency: false, ownClientName: 'odoo-saas-sync', reader },
  eventBridge: new EventBridgeClient({ region: 'eu-west-1' }),
  eventBusName: 'sync-bus',
  sqs: new SQSClient({ region: 'eu-west-1' }),
  rejectedEventsQueueUrl: REJECTED_QUEUE_URL,
});

const canonicalOnBus = () =>
  eventBridge
    .commandCalls(PutEventsCommand)
    .flatMap((call) => call.args[0].input.Entries ?? [])
    .map((entry) => ({ bus: entry.EventBusName, source: entry.Source, event: canonicalEventSchema.parse(JSON.parse(entry.Detail!)) }));
const counted = (addMetric: { mock: { calls: unknown[][] } }) => addMetric.mock.calls.map(([name, , value]) => `${String(name)}=${String(value)}`);

describe('Salesforce ingest handler', () => {
  beforeEach(() => {
    eventBridge.reset();
    sqs.reset();
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: '1' }] });
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
    contacts.clear();
    contacts.set('003ak00000IiFInAAN', { Id: '003ak00000IiFInAAN', FirstName: 'Ada', LastName: 'Youngest' });
    failReads = undefined;
  });

  it('publishes the canonical events of a change on the canonical bus and counts them', async () => {
    const addMetric = vi.spyOn(metrics, 'addMetric');
    addMetric.mockClear();
    expect(await handler(fixture('eventbridge_event_relay_account_create.mock.json'))).toEqual({ published: 2 });
    expect(canonicalOnBus().map(({ bus, source, event }) => [bus, source, event.type, event.subject])).toEqual([
      ['sync-bus', 'odoo-saas-sync', 'account.upserted', 'salesforce:account:0015f00002J9YYEAA3'],
      ['sync-bus', 'odoo-saas-sync', 'account.upserted', 'salesforce:account:0015f00002J9YYFAA3'],
    ]);
    expect(counted(addMetric)).toEqual(['SalesforceChangeAccepted=2']);
  });

  it('drops our own write and counts it, publishing nothing', async () => {
    const addMetric = vi.spyOn(metrics, 'addMetric');
    addMetric.mockClear();
    const payload = fixture<{ ChangeEventHeader: Record<string, unknown> }>('cdc_contact_update.json');
    payload.ChangeEventHeader['changeOrigin'] = 'com/salesforce/api/rest/62.0;client=odoo-saas-sync';
    expect(await handler(relayed(payload))).toEqual({ published: 0 });
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(0);
    expect(counted(addMetric)).toEqual(['SalesforceChangeDroppedOwnWrite=1']);
  });

  it('fails the invocation when Salesforce cannot be read now (Lambda retries it, then the dead-letter queue), publishing nothing', async () => {
    const addMetric = vi.spyOn(metrics, 'addMetric');
    addMetric.mockClear();
    failReads = new SalesforceUnavailableError({ operation: 'GET composite/sobjects/Contact', status: 503 }, 'unavailable');
    await expect(handler(relayed(fixture('cdc_contact_update.json')))).rejects.toThrow(SalesforceUnavailableError);
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(0);
    expect(counted(addMetric)).toEqual(['SalesforceChangeSourceUnavailable=1']);
  });

  it('sets a change no snapshot can hold aside at once, whole, with the reason (no retry can fix it)', async () => {
    contacts.clear();
    const opportunity = relayed(fixture('cdc_opportunity_create.pubsub.docs.json'));
    ((opportunity['detail'] as { payload: Record<string, unknown> }).payload)['Amount'] = 10.999;
    expect(await handler(opportunity)).toEqual({ published: 0 });
    const [message] = sqs.commandCalls(SendMessageCommand).map((call) => call.args[0].input);
    expect(message!.QueueUrl).toBe(REJECTED_QUEUE_URL);
    expect(JSON.parse(message!.MessageBody!)).toEqual(opportunity);
    expect(message!.MessageAttributes!['FailureReason']!.StringValue).toMatch(/more decimals than the currency/);
    expect(message!.MessageAttributes!['SalesforceEventId']!.StringValue).toBe('00000466-3d4f-bbe3-9c2b-5ab0fb45cc02:1');
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(0);
  });

  it('fails the invocation when the bus refuses the events, so the change is retried rather than lost', async () => {
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }] });
    await expect(handler(relayed(fixture('cdc_contact_update.json')))).rejects.toThrow(/EventBridge refused/);
  });
});
