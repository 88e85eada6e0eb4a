import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { canonicalEventSchema } from '../../../../events/catalog';
import { sample, sampleStripeEvents, signedHeader, stripeEvent, stripeObjects, TEST_SIGNING_SECRET } from '../../../fixtures/stripe/stripe-events';

const eventBridge = mockClient(EventBridgeClient);
const secrets = mockClient(SecretsManagerClient);
const sqs = mockClient(SQSClient);
const REJECTED_QUEUE_URL = 'https://sqs.eu-central-1.amazonaws.com/123456789012/sync-rejected-events';

Object.assign(process.env, {
  EVENT_BUS_NAME: 'sync-bus',
  STRIPE_WEBHOOK_SECRET_NAME: 'test/stripe-webhook-secret',
  MAX_BODY_BYTES: '65536',
  REJECTED_EVENTS_QUEUE_URL: REJECTED_QUEUE_URL,
  POWERTOOLS_METRICS_NAMESPACE: 'OdooSaasSync',
  POWERTOOLS_SERVICE_NAME: 'stripe-ingest',
});
const { handler } = await import('../../../../functions/providers/stripe/webhook-handler');
const { metrics } = await import('../../../../functions/platform/powertools');

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
function canonicalOnBus() {
  return putEntries().map((entry) => canonicalEventSchema.parse(JSON.parse(entry.Detail!)));
}
function rejectedMessages() {
  return sqs.commandCalls(SendMessageCommand).map((call) => call.args[0].input);
}

beforeAll(() => {
  vi.spyOn(metrics, 'publishStoredMetrics').mockReturnValue(metrics);
});
beforeEach(() => {
  eventBridge.reset();
  secrets.reset();
  sqs.reset();
  sqs.on(SendMessageCommand).resolves({ MessageId: 'm1' });
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
    const big = JSON.stringify(stripeEvent('customer.created', { ...stripeObjects.customer, description: 'x'.repeat(70_000) }));
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

  it.each(Object.entries(sampleStripeEvents()))('puts a signed Stripe event on the bus as one canonical %s', async (canonicalType, event) => {
    // Act
    const response = await handler(signed(event), context);
    // Assess
    expect(response.statusCode).toBe(200);
    expect(putEntries().map((entry) => [entry.Source, entry.DetailType])).toEqual([['odoo-saas-sync', canonicalType]]);
    expect(canonicalOnBus()[0]).toMatchObject({ type: canonicalType, causationId: event.id, source: 'stripe' });
    expect(rejectedMessages()).toHaveLength(0);
  });

  it('puts an invoice with more lines than its webhook carries on the bus, marked incomplete, without asking Stripe for the rest', async () => {
    // Prepare
    const cut = { ...sample('invoice'), lines: { ...(sample('invoice').lines as object), has_more: true } };
    // Act
    const response = await handler(signed(stripeEvent('invoice.finalized', cut)), context);
    // Assess
    expect(response.statusCode).toBe(200);
    expect(canonicalOnBus()[0]).toMatchObject({ type: 'invoice.finalized', data: { invoice: { linesIncomplete: true, lines: [{ id: 'il_1Pgc6sB7WZ01zgkWFnxLrLCq' }] } } });
    expect(rejectedMessages()).toHaveLength(0);
  });

  it.each([
    ['customer.subscription.created', 'subscription', 'subscription.updated', 'stripe:subscription:sub_1Pgc6rB7WZ01zgkWNy0Cn5nw'],
    ['customer.subscription.deleted', 'subscription', 'subscription.updated', 'stripe:subscription:sub_1Pgc6rB7WZ01zgkWNy0Cn5nw'],
    ['charge.dispute.updated', 'dispute', 'dispute.updated', 'stripe:charge:ch_1PgafuB7WZ01zgkWXYmPNZs8'],
    ['charge.dispute.closed', 'dispute', 'dispute.updated', 'stripe:charge:ch_1PgafuB7WZ01zgkWXYmPNZs8'],
    ['charge.refunded', 'charge', 'refund.created', 'stripe:charge:ch_1PgafuB7WZ01zgkWXYmPNZs8'],
    ['refund.updated', 'refund', 'refund.updated', 'stripe:charge:ch_1PgafuB7WZ01zgkWXYmPNZs8'],
    ['refund.failed', 'refund', 'refund.updated', 'stripe:charge:ch_1PgafuB7WZ01zgkWXYmPNZs8'],
  ] as const)('maps %s (a %s) to %s about %s', async (stripeType, object, canonicalType, subject) => {
    const response = await handler(signed(stripeEvent(stripeType, sample(object))), context);
    expect(response.statusCode).toBe(200);
    expect(canonicalOnBus().map((event) => [event.type, event.subject])).toEqual([[canonicalType, subject]]);
  });

  it('tells a refund that failed after its creation as refund.updated with its status, one canonical event per Stripe event', async () => {
    const failed = stripeEvent('refund.failed', { ...sample('refund'), status: 'failed', failure_reason: 'expired_or_canceled_card' });
    await handler(signed(failed), context);
    expect(canonicalOnBus()).toEqual([
      expect.objectContaining({ id: `stripe:${failed.id}:refund.updated`, type: 'refund.updated', data: { refund: expect.objectContaining({ id: 're_1Pgc72B7WZ01zgkWqPvrRrPE', status: 'failed' }) } }),
    ]);
  });

  it('cancels the Odoo subscription on customer.subscription.deleted and closes a dispute on charge.dispute.closed', async () => {
    await handler(signed(stripeEvent('customer.subscription.deleted', sample('subscription'), { created: 1_790_500_000 })), context);
    await handler(signed(stripeEvent('charge.dispute.closed', { ...sample('dispute'), status: 'lost' })), context);
    const [subscription, dispute] = canonicalOnBus();
    expect(subscription).toMatchObject({ data: { subscription: { status: 'canceled', endedAt: new Date(1_790_500_000_000).toISOString() } } });
    expect(dispute).toMatchObject({ data: { dispute: { status: 'lost', closed: true } } });
  });

  it('turns the same refund told by refund.created and by charge.refunded into the same canonical event id', async () => {
    // Prepare
    const refundCreated = stripeEvent('refund.created', sample('refund'));
    const chargeRefunded = stripeEvent('charge.refunded', sample('charge'));
    // Act
    await handler(signed(refundCreated), context);
    await handler(signed(chargeRefunded), context);
    // Assess
    const [first, second] = canonicalOnBus();
    expect(first?.id).toBe('stripe:refund:re_1Pgc72B7WZ01zgkWqPvrRrPE:refund.created');
    expect(second?.id).toBe(first?.id);
    expect(second?.data).toEqual(first?.data);
    expect([first?.causationId, second?.causationId]).toEqual([refundCreated.id, chargeRefunded.id]);
  });

  it('puts one refund.created per refund a refunded charge embeds', async () => {
    const charge = sample('charge') as unknown as { refunds: { data: Record<string, unknown>[] } } & Record<string, unknown>;
    const second = { ...charge.refunds.data[0], id: 're_second', amount: 500 };
    await handler(signed(stripeEvent('charge.refunded', { ...charge, refunds: { ...charge.refunds, data: [...charge.refunds.data, second] } })), context);
    expect(canonicalOnBus().map((event) => event.id)).toEqual(['stripe:refund:re_1Pgc72B7WZ01zgkWqPvrRrPE:refund.created', 'stripe:refund:re_second:refund.created']);
  });

  it('acknowledges a charge.refunded that does not embed its refunds and puts nothing on the bus (refund.created carries them)', async () => {
    const { refunds: _, ...charge } = sample('charge');
    const response = await handler(signed(stripeEvent('charge.refunded', charge)), context);
    expect(response.statusCode).toBe(200);
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(0);
  });

  it('registers one payment per real payment: invoice_payment.paid is mapped, invoice.paid and invoice.payment_succeeded are acknowledged and counted', async () => {
    // Prepare
    const addMetric = vi.spyOn(metrics, 'addMetric');
    addMetric.mockClear();
    const paidInvoice = { ...sample('invoice'), status: 'paid', amount_paid: 7140, amount_remaining: 0 };
    // Act
    const responses = [
      await handler(signed(stripeEvent('invoice_payment.paid', sample('invoice_payment'))), context),
      await handler(signed(stripeEvent('invoice.paid', paidInvoice)), context),
      await handler(signed(stripeEvent('invoice.payment_succeeded', paidInvoice)), context),
    ];
    // Assess
    expect(responses.map((response) => response.statusCode)).toEqual([200, 200, 200]);
    expect(canonicalOnBus()).toEqual([
      expect.objectContaining({ type: 'payment.succeeded', id: 'stripe:invoice_payment:inpay_1Pgc7CB7WZ01zgkWq0Tb5A2v:payment.succeeded', data: { payment: expect.objectContaining({ amount: 7140 }) } }),
    ]);
    expect(addMetric.mock.calls.filter(([name]) => name === 'StripeWebhookIgnored')).toHaveLength(2);
  });

  it('names the connected account of a Connect event in the canonical data', async () => {
    await handler(signed(stripeEvent('invoice.finalized', sample('invoice'), { account: 'acct_1Nv0FGQ9RKHgCVdK' })), context);
    expect(canonicalOnBus()[0]).toMatchObject({ data: { invoice: { account: 'acct_1Nv0FGQ9RKHgCVdK' } } });
  });

  it.each([
    ['an older API version', '2025-03-31.basil'],
    ['no API version', null],
  ])('acknowledges an event of %s with 200, publishes nothing, counts it and sets it aside with the reason', async (_, apiVersion) => {
    // Prepare
    const addMetric = vi.spyOn(metrics, 'addMetric');
    const event = stripeEvent('invoice.finalized', sample('invoice'), { api_version: apiVersion });
    const request = signed(event);
    // Act
    const response = await handler(request, context);
    // Assess
    expect(response.statusCode).toBe(200);
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(0);
    expect(addMetric).toHaveBeenCalledWith('StripeWebhookRejectedApiVersion', 'Count', 1);
    const messages = rejectedMessages();
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({
      QueueUrl: REJECTED_QUEUE_URL,
      MessageBody: request.body,
      MessageAttributes: {
        FailureReason: { DataType: 'String', StringValue: `api_version ${apiVersion ?? 'null'} is not 2026-10-28.endive` },
        StripeEventId: { DataType: 'String', StringValue: event.id },
        StripeEventType: { DataType: 'String', StringValue: 'invoice.finalized' },
      },
    });
  });

  it('does not set aside an event type it ignores anyway, whatever its API version', async () => {
    const response = await handler(signed(stripeEvent('plan.created', { id: 'price_1', object: 'plan' }, { api_version: '2024-06-20' })), context);
    expect(response.statusCode).toBe(200);
    expect(rejectedMessages()).toHaveLength(0);
  });

  it.each([
    ['an invoice with a decimal amount', 'invoice.finalized', () => ({ ...sample('invoice'), total: '71.40' }), /total: invalid_type/],
    ['a credit note whose lines are cut short', 'credit_note.created', () => ({ ...sample('credit_note'), lines: { ...(sample('credit_note').lines as object), has_more: true } }), /has_more/],
    ['a customer event about something else', 'customer.created', () => ({ id: 'sub_1', object: 'subscription' }), /not a customer \(id: /],
  ])('acknowledges a signed event carrying %s with 200 and sets it aside with the reason, instead of a 400 Stripe would retry', async (_, type, object, reason) => {
    const addMetric = vi.spyOn(metrics, 'addMetric');
    const response = await handler(signed(stripeEvent(type, object())), context);
    expect(response.statusCode).toBe(200);
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(0);
    expect(addMetric).toHaveBeenCalledWith('StripeWebhookRejectedMalformed', 'Count', 1);
    expect(rejectedMessages()[0]?.MessageAttributes?.FailureReason?.StringValue).toMatch(reason);
  });

  it('answers 503 when the rejected events queue cannot take the event, so Stripe delivers it again', async () => {
    sqs.on(SendMessageCommand).rejects(new Error('throttled'));
    const response = await handler(signed(stripeEvent('invoice.finalized', sample('invoice'), { api_version: '2025-03-31.basil' })), context);
    expect(response.statusCode).toBe(503);
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(0);
  });

  it('never writes invoice amounts’ owner data or the body to the log when it sets an event aside', async () => {
    await handler(signed(stripeEvent('invoice.finalized', { ...sample('invoice'), total: 'x' })), context);
    const log = stdout.join('');
    expect(log).toContain('stripe webhook rejected: invoice.finalized');
    expect(log).not.toContain('billing@acme-analytics.example');
    expect(log).not.toContain('Acme Analytics GmbH');
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
