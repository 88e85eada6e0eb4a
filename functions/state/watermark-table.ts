import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Watermark, WatermarkStore } from '../domain/watermark';
import { RetryableSyncError } from '../platform/errors';

/** Another event about the same entity is being applied right now: try again shortly. */
export class EntityBusyError extends RetryableSyncError {
  override name = 'EntityBusyError';
}

/** The lease expired and another writer took it before this one committed. */
export class LeaseLostError extends RetryableSyncError {
  override name = 'LeaseLostError';
}

/**
 * Watermarks and write leases in DynamoDB, one item per entity (`pk`). Each method is one
 * conditional UpdateItem, so taking the lease also reads the watermark.
 */
export class WatermarkTable implements WatermarkStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    /** Longer than the consumer's timeout, so a live writer never loses its lease. */
    private readonly leaseSeconds: number,
    private readonly nowMs: () => number = Date.now,
  ) {}

  async acquire(entityKey: string, owner: string): Promise<{ watermark: Watermark | undefined }> {
    const now = this.nowMs();
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: entityKey },
          UpdateExpression: 'SET leaseOwner = :owner, leaseExpiresAt = :expires',
          ConditionExpression: 'attribute_not_exists(leaseOwner) OR leaseExpiresAt < :now OR leaseOwner = :owner',
          ExpressionAttributeValues: { ':owner': owner, ':expires': now + this.leaseSeconds * 1000, ':now': now },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { watermark: typeof Attributes?.watermark === 'string' ? Attributes.watermark : undefined };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new EntityBusyError(`${entityKey} is being written by another event`);
      throw error;
    }
  }

  async commit(entityKey: string, owner: string, watermark: Watermark): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: entityKey },
          UpdateExpression: 'SET watermark = :watermark, updatedAt = :now REMOVE leaseOwner, leaseExpiresAt',
          ConditionExpression: 'leaseOwner = :owner',
          ExpressionAttributeValues: { ':owner': owner, ':watermark': watermark, ':now': new Date(this.nowMs()).toISOString() },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new LeaseLostError(`${entityKey}: write lease lost before commit`);
      throw error;
    }
  }

  async release(entityKey: string, owner: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: entityKey },
          UpdateExpression: 'REMOVE leaseOwner, leaseExpiresAt',
          ConditionExpression: 'leaseOwner = :owner',
          ExpressionAttributeValues: { ':owner': owner },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}
