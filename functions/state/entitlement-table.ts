import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { BillingCustomerRef } from '../domain/entitlement';
import { EMPTY_ENTITLEMENT_STATE, entitlementKey, type EntitlementState, type EntitlementStore, type InvoiceRef } from '../domain/entitlement-store';
import { sourceSystemSchema } from '../../events/envelope';
import { LeaseLostError } from './watermark-table';

const invoiceKey = (invoice: InvoiceRef) => `entitlement-invoice:${invoice.system}:${invoice.id}`;

/**
 * The entitlement inputs in the watermark table, beside the lease that guards them: a customer's state is one JSON
 * attribute of its lease item (a few facts per subscription and invoice: far below DynamoDB's 400 KB item), written
 * only by the lease holder; an invoice's owner and payment are an item of their own, written atomically. No table of
 * its own: the same keys, capacity and recovery as every other per-entity state.
 */
export class EntitlementTable implements EntitlementStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async load(customer: string): Promise<EntitlementState> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: { pk: entitlementKey(customer) }, ConsistentRead: true }));
    if (typeof Item?.entitlementState !== 'string') return EMPTY_ENTITLEMENT_STATE;
    const stored = JSON.parse(Item.entitlementState) as { inputs: EntitlementState['inputs']; published: EntitlementState['published'] | null; organizationName: string | null };
    return { inputs: stored.inputs, published: stored.published ?? undefined, organizationName: stored.organizationName ?? undefined };
  }

  async save(customer: string, leaseOwner: string, state: EntitlementState): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: entitlementKey(customer) },
          UpdateExpression: 'SET entitlementState = :state',
          ConditionExpression: 'leaseOwner = :owner',
          ExpressionAttributeValues: {
            ':state': JSON.stringify({ inputs: state.inputs, published: state.published ?? null, organizationName: state.organizationName ?? null }),
            ':owner': leaseOwner,
          },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new LeaseLostError(`${entitlementKey(customer)}: write lease lost before the inputs were saved`);
      throw error;
    }
  }

  async claimInvoice(invoice: InvoiceRef, owner: BillingCustomerRef): Promise<{ paidAt: string | null }> {
    const { Attributes } = await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: invoiceKey(invoice) },
        UpdateExpression: 'SET ownerSystem = :system, ownerCustomerId = :customer',
        ExpressionAttributeValues: { ':system': owner.system, ':customer': owner.customerId },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return { paidAt: typeof Attributes?.paidAt === 'string' ? Attributes.paidAt : null };
  }

  async recordInvoicePayment(invoice: InvoiceRef, paidAt: string): Promise<{ owner: BillingCustomerRef | undefined }> {
    const { Attributes } = await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: invoiceKey(invoice) },
        // The first payment recorded stays: any payment settles the invoice, the customer's facts keep the latest.
        UpdateExpression: 'SET paidAt = if_not_exists(paidAt, :paidAt)',
        ExpressionAttributeValues: { ':paidAt': paidAt },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return { owner: ownerOf(Attributes) };
  }

  async invoiceOwner(invoice: InvoiceRef): Promise<BillingCustomerRef | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: { pk: invoiceKey(invoice) }, ConsistentRead: true }));
    return ownerOf(Item);
  }
}

function ownerOf(item: Record<string, unknown> | undefined): BillingCustomerRef | undefined {
  const system = sourceSystemSchema.safeParse(item?.['ownerSystem']);
  const customerId = item?.['ownerCustomerId'];
  return system.success && typeof customerId === 'string' ? { system: system.data, customerId } : undefined;
}
