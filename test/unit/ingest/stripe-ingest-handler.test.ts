import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { canonicalEventSchema } from '../../../events/catalog';
import { signedHeader, stripeEvent, stripeObjects, TEST_SIGNING_SECRET } from '../../fixtures/stripe/stripe-events';

const eventBridge = mockClient(EventBridgeClient);
const secrets = mockClient(SecretsManagerClient);

Object.assign(process.env, {
  EVENT_BUS_NAME: 'sync-bus',
  STRIPE_WEBHOOK_SECRET_NAME: 'test/stripe-webhook-secret',
  MAX_BODY_BYTES: '4096',
  POWERTOOLS_METRICS_NAMESPACE: 'OdooSaasSync',
  POWERTOOLS_SERVICE_NAME: 'stripe-ingest',
});
const { handler } = await import('../../../functions/ingest/stripe/handler');
const { metrics } = await import('../../../functions/shared/powertools');

const context = { functionName: 'stripe-ingest', awsRequestId: 'req-1' } as Context;
let stdout: string[];

function request(body: string, headers: Record<string, string> = {}, isBase64Encoded = false): APIGatewayProxyEvent {
  return { body, headers, isBase64Encoded, requestContext: { requestId: 'api-1' } } as unknown as APIGatewayProxyEvent;
}
function signed(payload: unknown, options: { timestamp?: number; secret?: string } = {}) {
  const body = JSON.stringify(payload);
  return request(body, { 'Stripe-Signature': signedHeader(body, options) });
}
function putEntries() {
  return eventBridge.commandCalls(PutEventsCommand).flatMap((call) => call.args[0].input.Entries ?? []);
}

beforeAll(() => {
  vi.spyOn(metrics, 'publishStoredMetrics').mockReturnValue(metrics);
});
beforeEach(() => {
  eventBridge.reset();
  secrets.reset();
  secrets.on(GetSecretValueCommand).resolves({ SecretString: TEST_SIGNING_SECRET });
  eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e1' }] });
  stdout = [];
  // The function logs to stdout (info) and stderr (warn, error), as in Lambda.
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stdout.push(String(chunk));
      return true;
    });
  }
});
afterEach(() => {
  vi.mocked(process.stdout.write).mockRestore();
  vi.mocked(process.stderr.write).mockRestore();
});

describe('POST /webhooks/stripe', () => {
  it('turns a signed customer.created into one canonical customer.upserted on the bus', async () => {
    // Prepare
    const event = stripeEvent('customer.created', stripeObjects.customer);
    // Act
    const response = await handler(signed(event), context);
    // Assess
    expect(response.statusCode).toBe(200);
    const entries = putEntries();
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ EventBusName: 'sync-bus', Source: 'odoo-saas-sync', DetailType: 'customer.upserted' });
    const canonical = canonicalEventSchema.parse(JSON.parse(entries[0]!.Detail!));
    expect(canonical).toMatchObject({
      id: `stripe:${event.id}:customer.upserted`,
      subject: `stripe:customer:${stripeObjects.customer.id}`,
      causationId: event.id,
      data: { customer: { id: stripeObjects.customer.id, name: 'Acme Analytics GmbH', email: 'billing@acme-analytics.example' } },
    });
    expect(canonical.time).toBe(new Date(event.created * 1000).toISOString());
  });

  it('maps customer.deleted to customer.deleted', async () => {
    const response = await handler(signed(stripeEvent('customer.deleted', stripeObjects.customer)), context);
    expect(response.statusCode).toBe(200);
    expect(putEntries().map((entry) => entry.DetailType)).toEqual(['customer.deleted']);
  });

  it('gives the same canonical id to a redelivered event', async () => {
    const event = stripeEvent('customer.updated', stripeObjects.customer);
    await handler(signed(event), context);
    await handler(signed(event, { timestamp: Math.floor(Date.now() / 1000) - 60 }), context);
    const ids = putEntries().map((entry) => JSON.parse(entry.Detail!).id);
    expect(ids).toHaveLength(2);
    expect(ids[0]).toBe(ids[1]);
  });

  it.each([
    ['a wrong signature', (body: string) => request(body, { 'stripe-signature': signedHeader(body, { secret: 'whsec_wrong' }) })],
    ['no signature', (body: string) => request(body, {})],
    ['a timestamp outside the 300 s window', (body: string) => request(body, { 'Stripe-Signature': signedHeader(body, { timestamp: Math.floor(Date.now() / 1000) - 301 }) })],
  ])('answers 401 to %s and puts nothing on the bus', async (_, make) => {
    const response = await handler(make(JSON.stringify(stripeEvent('customer.created', stripeObjects.customer))), context);
    expect(response.statusCode).toBe(401);
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(0);
  });

  it('answers 400 to a correctly signed body that is not JSON, and 400 to JSON that is not a Stripe event', async () => {
    const notJson = 'customer=cus_1';
    expect((await handler(request(notJson, { 'Stripe-Signature': signedHeader(notJson) }), context)).statusCode).toBe(400);
    expect((await handler(signed({ hello: 'world' }), context)).statusCode).toBe(400);
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(0);
  });

  it('answers 413 to a body over the limit, before anything else', async () => {
    const big = JSON.stringify(stripeEvent('customer.created', { ...stripeObjects.customer, description: 'x'.repeat(5000) }));
    const response = await handler(request(big, { 'Stripe-Signature': signedHeader(big) }), context);
    expect(response.statusCode).toBe(413);
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(0);
  });

  it('acknowledges an event type it does not handle with 200, counts it, and enqueues nothing', async () => {
    const addMetric = vi.spyOn(metrics, 'addMetric');
    const response = await handler(signed(stripeEvent('plan.created', { id: 'price_1', object: 'plan' })), context);
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ received: true, ignored: 'plan.created' });
    expect(addMetric).toHaveBeenCalledWith('StripeWebhookIgnored', 'Count', 1);
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(0);
  });

  it('reads a base64-encoded body', async () => {
    const body = JSON.stringify(stripeEvent('customer.created', stripeObjects.customer));
    const response = await handler(request(Buffer.from(body).toString('base64'), { 'Stripe-Signature': signedHeader(body) }, true), context);
    expect(response.statusCode).toBe(200);
  });

  it('answers 503 when EventBridge keeps refusing the event, so Stripe retries', async () => {
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' }] });
    const response = await handler(signed(stripeEvent('customer.created', stripeObjects.customer)), context);
    expect(response.statusCode).toBe(503);
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(3);
  });

  it('never writes the body or the customer’s personal data to the log', async () => {
    await handler(signed(stripeEvent('customer.created', stripeObjects.customer)), context);
    await handler(request(JSON.stringify(stripeEvent('customer.created', stripeObjects.customer)), { 'Stripe-Signature': 'bad' }), context);
    const log = stdout.join('');
    expect(log).toContain('stripe webhook accepted');
    expect(log).toContain('stripe webhook rejected: malformed-header');
    expect(log).not.toContain('billing@acme-analytics.example');
    expect(log).not.toContain('Acme Analytics');
  });

  // Last: it leaves the function's cached secret rolled to the new value.
  it('picks up a rolled signing secret without a deploy', async () => {
    // The cached secret is the old one; the webhook is signed with the new one.
    secrets.on(GetSecretValueCommand).resolves({ SecretString: 'whsec_rolled_new' });
    vi.useFakeTimers({ now: Date.now() + 10 * 60_000, toFake: ['Date'] });
    try {
      const response = await handler(signed(stripeEvent('customer.created', stripeObjects.customer), { secret: 'whsec_rolled_new' }), context);
      expect(response.statusCode).toBe(200);
    } finally {
      vi.useRealTimers();
    }
  });
});
