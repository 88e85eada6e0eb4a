import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { NO_TICKET_EFFECTS, type TicketEffects, type TicketEffectsStore } from '../domain/ticket-effects';
import { LeaseLostError } from './watermark-table';

/**
 * A ticket's effects in the watermark table, on the item of the ticket's own lease and watermark (`pk` the ticket's
 * key): written only by the lease holder, so two events of one ticket never both post the same note.
 */
export class TicketEffectsTable implements TicketEffectsStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async load(ticketKey: string): Promise<TicketEffects> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: { pk: ticketKey }, ConsistentRead: true }));
    return typeof Item?.ticketEffects === 'string' ? { ...NO_TICKET_EFFECTS, ...(JSON.parse(Item.ticketEffects) as Partial<TicketEffects>) } : NO_TICKET_EFFECTS;
  }

  async save(ticketKey: string, leaseOwner: string, effects: TicketEffects): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: ticketKey },
          UpdateExpression: 'SET ticketEffects = :effects',
          ConditionExpression: 'leaseOwner = :owner',
          ExpressionAttributeValues: { ':effects': JSON.stringify(effects), ':owner': leaseOwner },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new LeaseLostError(`${ticketKey}: write lease lost before its effects were saved`);
      throw error;
    }
  }
}
