/**
 * Batch-first Odoo writes against the Odoo sandbox (Odoo 18 over JSON-RPC, Odoo 19 over JSON-2): an SQS batch
 * of records goes through the flows' own record policy (Powertools' BatchProcessor, records in parallel), the use
 * cases and the Odoo ledgers over the call coalescer and the real Odoo client. What is checked is what Odoo
 * holds and how many calls reached it.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { DocumentLine } from '../../../events/billing-parts';
import type { CustomerSnapshot, CustomerUpserted } from '../../../events/customer-upserted';
import type { InvoiceFinalized, InvoiceSnapshot } from '../../../events/invoice-finalized';
import type { BillingConfig } from '../../../functions/domain/billing-config';
import { type OdooClient, odooAmountToMinor, searchRead } from '../../../functions/erp/odoo';
import { OdooBillingLedger } from '../../../functions/erp/odoo/billing-ledger';
import { CoalescingOdooCaller } from '../../../functions/erp/odoo/call-coalescer';
import { OdooPartnerGateway } from '../../../functions/erp/odoo/partner-gateway';
import { syncBilling } from '../../../functions/flows/billing-sync/sync-billing';
import { syncCustomer } from '../../../functions/flows/customer-sync/sync-customer';
import { flowEventSchema } from '../../../functions/platform/flow-events';
import { FlowQueue } from '../../../functions/platform/flow-queue';
import { createFlowRecordHandler } from '../../../functions/platform/record-policy';
import { canonicalEnvelopes } from '../../support/canonical-envelopes';
import { InMemoryBillingSource } from '../../support/in-memory-billing';
import { InMemoryIdentityMap, InMemoryWatermarks } from '../../support/in-memory-ports';
import { SANDBOX_TARGETS, sandboxForSuite } from './sandbox-fixture';

const API_KEY = 'batched-writes-key';
/** Wider than the stage default: the sandbox answers the records' earlier calls one after the other, and on a loaded machine (CI runs two test files at once) 50 ms split a batch over three windows. */
const BATCHING = { windowMs: 150, maxBatchSize: 20 };
const sqs = mockClient(SQSClient);

const customer = (id: string, name = `Customer ${id}`): CustomerSnapshot => ({ system: 'stripe', id, name, email: `${id}@example.com`, phone: null, address: null, currency: 'usd', livemode: false });

/** An SQS record as the event source delivers it: the EventBridge event around the canonical event. */
function sqsRecord(index: number, detail: { id: string; type: string }): SQSRecord {
  return {
    messageId: `m-${index}`,
    receiptHandle: `rh-${index}`,
    body: JSON.stringify({ version: '0', id: `eb-${index}`, 'detail-type': detail.type, source: 'odoo-saas-sync', detail }),
    attributes: { ApproximateReceiveCount: '1', ApproximateFirstReceiveTimestamp: String(Date.now()) },
    messageAttributes: {},
  } as unknown as SQSRecord;
}

describe.each(SANDBOX_TARGETS)('batch-first writes against the Odoo $version sandbox over $transport', (target) => {
  const sandbox = sandboxForSuite(target, API_KEY);
  let client: OdooClient;
  let calls: string[];
  const envelope = canonicalEnvelopes({ start: '2026-11-01T10:00:00Z' });

  beforeEach(() => {
    calls = [];
    client = sandbox.freshClient((operation) => calls.push(operation));
    envelope.reset();
    sqs.reset();
    sqs.on(SendMessageCommand).resolves({ MessageId: 'dlq-1' });
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  const count = (operation: string) => calls.filter((call) => call === operation).length;

  describe('the sandbox answers multi-record calls as Odoo does', () => {
    it('load() of rows one of which Odoo refuses keeps nothing and names every refused row', async () => {
      const [productId] = await client.call<number[]>('product.product', 'create', { vals_list: [{ name: 'Not a partner' }] });
      await client.call('ir.model.data', 'create', { vals_list: [{ module: 'saas_sync', name: 'taken_1', model: 'product.product', res_id: productId }] });
      await client.call('ir.model.data', 'create', { vals_list: [{ module: 'saas_sync', name: 'taken_3', model: 'product.product', res_id: productId }] });
      const result = await client.call<{ ids: unknown; messages: Array<Record<string, unknown>> }>('res.partner', 'load', {
        fields: ['id', 'name'],
        data: [['saas_sync.fine_0', 'Fine 0'], ['saas_sync.taken_1', 'Taken 1'], ['saas_sync.fine_2', 'Fine 2'], ['saas_sync.taken_3', 'Taken 3']],
      });
      expect(result.ids).toBe(false);
      expect(result.messages).toEqual([1, 3].map((row) => expect.objectContaining({ type: 'error', record: row, rows: { from: row, to: row }, message: expect.stringMatching(/taken_\d when trying to create\/update a record of model res.partner found record of different model product.product/) })));
      expect(await searchRead(client, 'res.partner', [['name', 'in', ['Fine 0', 'Fine 2']]], ['name'])).toEqual([]);
    });

    it('create of several moves answers their ids in order; action_post posts them all; read answers them in the ids’ order', async () => {
      const [partnerId] = await client.call<number[]>('res.partner', 'create', { vals_list: [{ name: 'Buyer' }] });
      const line = { name: 'Plan', quantity: 1, price_unit: 10, tax_ids: [[6, 0, []]] };
      const ids = await client.call<number[]>('account.move', 'create', {
        vals_list: ['first', 'second'].map((ref) => ({ move_type: 'out_invoice', partner_id: partnerId, ref, invoice_line_ids: [[0, 0, line]] })),
      });
      expect(await client.call('account.move', 'action_post', { ids })).toBe(false);
      const read = await client.call<Array<Record<string, unknown>>>('account.move', 'read', { ids: [...ids].reverse(), fields: ['ref', 'state'] });
      expect(read.map((move) => [move.id, move.ref, move.state])).toEqual([
        [ids[1], 'second', 'posted'],
        [ids[0], 'first', 'posted'],
      ]);
    });
  });

  describe('a consumer batch of customers', () => {
    function customerBatch(customers: CustomerSnapshot[]) {
      const ports = { partners: new OdooPartnerGateway(new CoalescingOdooCaller(client, BATCHING)), identityMap: new InMemoryIdentityMap(), watermarks: new InMemoryWatermarks() };
      const handleRecord = createFlowRecordHandler({
        flowName: 'customer-sync',
        schema: flowEventSchema('customer-sync'),
        apply: (event) => syncCustomer(event, ports),
        queue: new FlowQueue(new SQSClient({ region: 'eu-west-1' }), 'https://sqs/queue', 'https://sqs/dlq'),
        maxReceiveCount: 20,
      });
      const events: CustomerUpserted[] = customers.map((snapshot) => ({ ...envelope('customer.upserted', `stripe:customer:${snapshot.id}`), type: 'customer.upserted', data: { customer: snapshot } }));
      const batch: SQSEvent = { Records: events.map((event, index) => sqsRecord(index, event)) };
      calls = [];
      return processPartialResponse(batch, handleRecord, new BatchProcessor(EventType.SQS), { context: {} as Context, processInParallel: true });
    }

    it('of 10 new customers is written with one Odoo load, each partner once', async () => {
      const customers = Array.from({ length: 10 }, (_, n) => customer(`cus_batch_${n}`));
      const response = await customerBatch(customers);
      expect(response.batchItemFailures).toEqual([]);
      expect(calls.filter((call) => call.startsWith('res.partner.'))).toEqual(['res.partner.load']);
      for (const { id } of customers) expect(await searchRead(client, 'res.partner', [['ref', '=', id]], ['name'])).toEqual([expect.objectContaining({ name: `Customer ${id}` })]);
    });

    it('mixing good customers with one Odoo refuses: every good one is written once, only the refused one is dead-lettered with Odoo’s reason', async () => {
      // Another tool bound this customer's external id to a product: Odoo refuses to load a partner under it.
      const [productId] = await client.call<number[]>('product.product', 'create', { vals_list: [{ name: 'Clashing product' }] });
      await client.call('ir.model.data', 'create', { vals_list: [{ module: 'saas_sync', name: 'stripe_customer_cus_clash', model: 'product.product', res_id: productId }] });
      const customers = ['cus_ok_1', 'cus_ok_2', 'cus_ok_3', 'cus_clash', 'cus_ok_4', 'cus_ok_5', 'cus_ok_6', 'cus_ok_7'].map((id) => customer(id));

      const response = await customerBatch(customers);

      // Dead-lettered is handled: no record is left for SQS to redeliver.
      expect(response.batchItemFailures).toEqual([]);
      const deadLetters = sqs.commandCalls(SendMessageCommand).map((call) => call.args[0].input);
      expect(deadLetters).toHaveLength(1);
      expect(JSON.parse(deadLetters[0]!.MessageBody!).detail.data.customer.id).toBe('cus_clash');
      expect(deadLetters[0]!.MessageAttributes?.['ErrorType']?.StringValue).toBe('OdooValidationError');
      expect(deadLetters[0]!.MessageAttributes?.['FailureReason']?.StringValue).toMatch(/stripe_customer_cus_clash .*found record of different model product.product/);
      for (const { id } of customers.filter(({ id }) => id !== 'cus_clash')) {
        expect(await searchRead(client, 'ir.model.data', [['module', '=', 'saas_sync'], ['name', '=', `stripe_customer_${id}`]], ['model']), id).toEqual([expect.objectContaining({ model: 'res.partner' })]);
      }
      expect(await searchRead(client, 'res.partner', [['ref', '=', 'cus_clash']], ['name'])).toEqual([]);
      // The merged load (refused, naming the clash), the 7 good rows together, the clash alone.
      expect(count('res.partner.load')).toBe(3);
    });
  });

  describe('a consumer batch of invoices', () => {
    it('of 8 customers’ invoices is created, posted and read back in one or two Odoo calls per step, not 8, totals exact', async () => {
      const source = new InMemoryBillingSource();
      const odoo = new CoalescingOdooCaller(client, BATCHING);
      const config: BillingConfig = {
        companies: [{ account: null, currency: '*', companyId: 1, salesJournalId: 1, bankJournalId: 6 }],
        taxes: [],
        writeOffUncollectible: false,
        standingTags: { pastDue: 'Past due', disputed: 'Disputed', uncollectible: 'Uncollectible' },
      };
      const ports = { ledger: new OdooBillingLedger(odoo), source, partners: new OdooPartnerGateway(odoo), identityMap: new InMemoryIdentityMap(), watermarks: new InMemoryWatermarks(), config };
      const invoices = Array.from({ length: 8 }, (_, n): InvoiceSnapshot => {
        const customerId = `cus_inv_${n}`;
        source.customers.set(customerId, customer(customerId));
        const line: DocumentLine = { id: `il_${n}`, description: 'Plan', priceId: 'price_plan', productId: null, quantity: 1, amount: 1000 + n, discountAmount: 0, taxes: [], periodStart: '2026-11-01T00:00:00Z', periodEnd: '2026-12-01T00:00:00Z', proration: false };
        return {
          system: 'stripe', account: null, customerId, id: `in_batch_${n}`, number: `N-${n}`, subscriptionId: null, currency: 'usd',
          issuedAt: '2026-11-01T10:00:00Z', dueAt: '2026-11-15T10:00:00Z', billingReason: 'subscription_cycle', lines: [line],
          subtotal: line.amount, totalDiscount: 0, totalTax: 0, total: line.amount, amountPaid: 0, amountRemaining: line.amount, livemode: false,
        };
      });
      const events: InvoiceFinalized[] = invoices.map((snapshot) => ({ ...envelope('invoice.finalized', `stripe:invoice:${snapshot.id}`), type: 'invoice.finalized', data: { invoice: snapshot } }));
      calls = [];

      const outcomes = await Promise.all(events.map((event) => syncBilling(event, ports)));

      expect(outcomes.map((outcome) => outcome.outcome)).toEqual(invoices.map(() => 'posted'));
      // One call each when the records' earlier calls end within the window of each other (they do on an idle
      // machine); a loaded one may spread them over two windows: still a quarter of one call per invoice.
      for (const operation of ['res.partner.load', 'account.move.create', 'account.move.action_post', 'account.move.read']) expect(count(operation), operation).toBeLessThanOrEqual(2);
      for (const snapshot of invoices) {
        const moves = await searchRead(client, 'account.move', [['ref', '=', snapshot.id]], ['state', 'amount_total', 'partner_id']);
        expect(moves.map((move) => [move.state, odooAmountToMinor(Number(move.amount_total), 2)]), snapshot.id).toEqual([['posted', snapshot.total]]);
      }
    });
  });
});
