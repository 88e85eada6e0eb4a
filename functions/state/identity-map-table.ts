import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { IdentityMap, SystemRef } from '../domain/identity-map';

/**
 * The identity map in DynamoDB: one item per (entity, system) link — `pk` the canonical entity key,
 * `sk` `<system>#<kind>`, `systemKey` `<system>:<kind>:<id>` (indexed by the `bySystemId` GSI, so any
 * system's id leads back to the entity).
 */
export class IdentityMapTable implements IdentityMap {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async find(entityKey: string, system: string, kind: string): Promise<string | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: entityKey, sk: `${system}#${kind}` }, ConsistentRead: true }),
    );
    return typeof Item?.id === 'string' ? Item.id : undefined;
  }

  async link(entityKey: string, ref: SystemRef): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: entityKey,
          sk: `${ref.system}#${ref.kind}`,
          systemKey: `${ref.system}:${ref.kind}:${ref.id}`,
          id: ref.id,
          linkedAt: new Date().toISOString(),
        },
      }),
    );
  }
}
