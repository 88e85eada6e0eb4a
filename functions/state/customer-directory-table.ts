import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { CustomerDirectory } from '../domain/customer-directory';
import { CANONICAL_CUSTOMER } from '../domain/customer-resolution';

const SK = `${CANONICAL_CUSTOMER.system}#${CANONICAL_CUSTOMER.kind}`;

/**
 * The customer directory in the identity-map table, as identity links like any other: `pk` the key (a record's
 * `<system>:<kind>:<id>`, `match:vat:<id>`, `match:domain:<domain>`, `saas_sync:customer:<absorbed>`), `sk`
 * `saas_sync#customer`, `id` the customer, `systemKey` `saas_sync:customer:<id>` (the `bySystemId` GSI lists a
 * customer's keys). A claim is a conditional put (`attribute_not_exists(pk)`), so of two racing claims one wins and
 * the other reads the winner — a consistent read, the claim having just been refused.
 */
export class CustomerDirectoryTable implements CustomerDirectory {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly systemIdIndex = 'bySystemId',
  ) {}

  async holderOf(key: string): Promise<string | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: { pk: key, sk: SK }, ConsistentRead: true }));
    return typeof Item?.id === 'string' ? Item.id : undefined;
  }

  async claim(key: string, customerId: string): Promise<string> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: key, sk: SK, id: customerId, systemKey: `${CANONICAL_CUSTOMER.system}:${CANONICAL_CUSTOMER.kind}:${customerId}`, linkedAt: new Date().toISOString() },
          ConditionExpression: 'attribute_not_exists(pk) OR id = :customer',
          ExpressionAttributeValues: { ':customer': customerId },
        }),
      );
      return customerId;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const holder = await this.holderOf(key);
      if (holder === undefined) throw new Error(`claim of ${key} refused, yet nobody holds it`);
      return holder;
    }
  }

  async keysOf(customerId: string): Promise<string[]> {
    const keys: string[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: this.systemIdIndex,
          KeyConditionExpression: 'systemKey = :key',
          ExpressionAttributeValues: { ':key': `${CANONICAL_CUSTOMER.system}:${CANONICAL_CUSTOMER.kind}:${customerId}` },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) if (item.sk === SK && typeof item.pk === 'string') keys.push(item.pk);
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return keys;
  }
}
