import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS } from '../../local/runtime/local-aws-identity';
import { stripeEvent, stripeObjects } from '../fixtures/stripe/stripe-events';
import { customerSyncQueues, type Harness, odooLabel, type OdooUnderTest, postStripeWebhook, queueDepth, REAL_ODOO_START_TIMEOUT_MS, startHarness, waitFor } from './local-stack-harness';

/**
 * The synthesized stack, end to end on the local runtime: Stripe webhook → API Gateway → ingest λ →
 * EventBridge → SQS → customer-sync λ → Odoo and DynamoDB, with the failure paths an operator relies on
 * (DLQ with its reason, redrive, replay). Run against the Odoo sandbox (stripe-customer-flow.test.ts) and real
 * Odoo 18 and 19 (stripe-customer-flow.real-odoo-*.test.ts).
 */

export function stripeCustomerFlow(target: OdooUnderTest): void {
  describe(`the Stripe customer flow on ${odooLabel(target)}`, () => {
    let harness: Harness;
    let eventBridge: EventBridgeClient;

    // Each its own company: the sample's email domain would make them one (the one-customer resolution matches domains).
    const customer = (id: string, overrides: Record<string, unknown> = {}) => ({ ...stripeObjects.customer, id, email: `billing@${id.replace(/_/g, '-')}.example`, ...overrides });
    const externalIdOf = (customerId: string) => `saas_sync.stripe_customer_${customerId}`;

    beforeAll(async () => {
      // Two deliveries of one customer at once: the second meets the first's lease and is retried after the
      // flow's backoff (10 s, then up to 20 s); its clock runs 10× faster here so the test waits seconds, not half a minute.
      harness = await startHarness({ retryDelayScale: 0.1, odoo: target });
      eventBridge = new EventBridgeClient({ endpoint: harness.stack.endpoints.eventBridge, region: harness.stack.identity.region, credentials: LOCAL_CREDENTIALS });
    }, REAL_ODOO_START_TIMEOUT_MS);

    afterAll(async () => {
      eventBridge?.destroy();
      await harness?.close();
    });

    describe('a signed Stripe customer webhook', () => {
      it('becomes an Odoo partner with the Stripe id as ref and external id, linked in the identity map', async () => {
        const response = await postStripeWebhook(harness.webhookUrl, stripeEvent('customer.created', customer('cus_e2e_created', { name: 'Created Ltd', email: 'billing@created.example' })));
        expect(response.status).toBe(200);

        const partner = await waitFor(() => harness.odoo.partnerByExternalId(externalIdOf('cus_e2e_created')), { what: 'the Odoo partner' });
        expect(partner).toMatchObject({ name: 'Created Ltd', ref: 'cus_e2e_created', email: 'billing@created.example', is_company: true });

        const identityMapTable = harness.stack.functions.get(consumerName())?.environment['IDENTITY_MAP_TABLE'];
        const dynamodb = new DynamoDBClient({ endpoint: harness.stack.endpoints.dynamodb, region: harness.stack.identity.region, credentials: LOCAL_CREDENTIALS });
        // The flow links the identity map just after Odoo answers: on a loaded machine the partner shows first.
        const linked = await waitFor(async () => {
          const { Item } = await dynamodb.send(new GetItemCommand({ TableName: identityMapTable, Key: { pk: { S: 'stripe:customer:cus_e2e_created' }, sk: { S: 'odoo#res.partner' } } }));
          return Item?.['id']?.S;
        }, { what: 'the identity map link' });
        dynamodb.destroy();
        expect(linked).toBe(String(partner.id));
      });

      it('is accepted under the stage path too, as API Gateway serves it', async () => {
        const response = await postStripeWebhook(harness.webhookUrl.replace('/webhooks/', `/${harness.stack.apis[0]?.stageName}/webhooks/`), stripeEvent('customer.created', customer('cus_e2e_stage')));
        expect(response.status).toBe(200);
        await waitFor(() => harness.odoo.partnerByExternalId(externalIdOf('cus_e2e_stage')), { what: 'the partner' });
      });

      it('with a bad signature is refused with 401 and puts nothing on the bus or the queues', async () => {
        await drained();
        const eventsBefore = harness.stack.activity.recentEvents().length;
        const response = await postStripeWebhook(harness.webhookUrl, stripeEvent('customer.created', customer('cus_e2e_forged')), { secret: 'whsec_not_the_right_one' });

        expect(response.status).toBe(401);
        expect(harness.stack.activity.recentEvents()).toHaveLength(eventsBefore);
        const { queue, deadLetterQueue } = customerSyncQueues(harness.stack);
        expect(queueDepth(harness.stack, queue)).toBe(0);
        expect(queueDepth(harness.stack, deadLetterQueue)).toBe(0);
        expect(await harness.odoo.partnerByExternalId(externalIdOf('cus_e2e_forged'))).toBeUndefined();
      });

      it('delivered twice and out of order leaves one partner with the newest data', async () => {
        const older = stripeEvent('customer.updated', customer('cus_e2e_order', { name: 'Old Name SARL' }), { created: 1_800_000_000 });
        const newer = stripeEvent('customer.updated', customer('cus_e2e_order', { name: 'New Name SARL' }), { created: 1_800_000_100 });

        for (const event of [newer, newer, older]) expect((await postStripeWebhook(harness.webhookUrl, event)).status).toBe(200);

        await drained();
        const partners = await harness.odoo.partnersWithRef('cus_e2e_order');
        expect(partners).toHaveLength(1);
        expect(partners[0]?.name).toBe('New Name SARL');
      });
    });

    describe('operations', () => {
      it('dead-letters a malformed canonical event with its reason, and a redrive sends it back through the flow', async () => {
        const { deadLetterQueue, queue } = customerSyncQueues(harness.stack);
        // The canonical bus: the one the customer flow's rule listens on (the stack has a partner bus too).
        const busName = harness.stack.rules.find((rule) => (rule.eventPattern as { 'detail-type'?: string[] })['detail-type']?.includes('customer.upserted'))?.busName;
        const put = await eventBridge.send(
          new PutEventsCommand({ Entries: [{ EventBusName: busName, Source: 'odoo-saas-sync', DetailType: 'customer.upserted', Detail: JSON.stringify({ id: 'poison-1', type: 'customer.upserted' }) }] }),
        );
        expect(put.FailedEntryCount).toBe(0);

        const deadLetter = await waitFor(() => harness.stack.queues.queueNamed(deadLetterQueue).storedMessages()[0], { what: 'the dead letter' });
        // The error's class name, as the minified bundle reports it: error classes carry literal names.
        expect(deadLetter.messageAttributes['ErrorType']?.StringValue).toBe('InvalidEventError');
        expect(deadLetter.messageAttributes['FailureReason']?.StringValue).toMatch(/not a canonical event/);
        // Dead-lettered at once (a permanent error), not after five deliveries: the flow queue is empty again.
        await drained();
        expect(harness.stack.queues.queueNamed(queue).storedMessages()).toHaveLength(0);

        const invocationsBefore = harness.stack.activity.activityOf(consumerName()).invocations;
        const redrive = await fetch(`${harness.stack.url}/_local/redrive`, { method: 'POST', body: JSON.stringify({ queue: deadLetterQueue }) });
        expect(await redrive.json()).toEqual({ queue: deadLetterQueue, moved: 1 });
        // Still malformed: the flow processes it again and dead-letters it again, with its reason.
        await waitFor(() => harness.stack.activity.activityOf(consumerName()).invocations > invocationsBefore || undefined, { what: 'the redriven message to be processed' });
        await waitFor(() => queueDepth(harness.stack, deadLetterQueue) === 1 || undefined, { what: 'the message back in the DLQ' });
      });

      it('replays an archive window: events are re-delivered and no partner is duplicated', async () => {
        const from = new Date(Date.now() - 1000);
        expect((await postStripeWebhook(harness.webhookUrl, stripeEvent('customer.created', customer('cus_e2e_replay', { name: 'Replay GmbH' })))).status).toBe(200);
        await waitFor(() => harness.odoo.partnerByExternalId(externalIdOf('cus_e2e_replay')), { what: 'the partner' });
        const invocationsBefore = harness.stack.activity.activityOf(consumerName()).invocations;

        const replay = await fetch(`${harness.stack.url}/_local/replay`, { method: 'POST', body: JSON.stringify({ from: from.toISOString(), to: new Date().toISOString() }) });
        expect(((await replay.json()) as { replayed: number }).replayed).toBeGreaterThanOrEqual(1);

        await waitFor(() => harness.stack.activity.activityOf(consumerName()).invocations > invocationsBefore || undefined, { what: 'the replayed event to be consumed' });
        await drained();
        expect(await harness.odoo.partnersWithRef('cus_e2e_replay')).toHaveLength(1);
      });

      it('keeps queues, tables and the archive across a restart', async () => {
        await harness.restart();
        const replay = await fetch(`${harness.stack.url}/_local/replay`, { method: 'POST', body: JSON.stringify({ from: new Date(0).toISOString(), to: new Date().toISOString() }) });
        expect(((await replay.json()) as { replayed: number }).replayed).toBeGreaterThanOrEqual(5);
        await drained();
        // The replayed poison event is dead-lettered again beside the first one; every good event is applied once.
        expect(queueDepth(harness.stack, customerSyncQueues(harness.stack).deadLetterQueue)).toBe(2);
        for (const ref of ['cus_e2e_created', 'cus_e2e_stage', 'cus_e2e_order', 'cus_e2e_replay']) expect(await harness.odoo.partnersWithRef(ref)).toHaveLength(1);
      });
    });

    /** Until the flow queue is empty: every message delivered so far has been processed and deleted. */
    async function drained(): Promise<void> {
      await waitFor(() => queueDepth(harness.stack, customerSyncQueues(harness.stack).queue) === 0 || undefined, { what: 'the flow queue to drain' });
    }

    function consumerName(): string {
      return harness.stack.eventSourceMappings[0]?.functionName ?? '';
    }
  });
}
