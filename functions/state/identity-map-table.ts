import { BatchWriteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { EntityLink, IdentityMap, SystemRef } from '../domain/identity-map';

/** BatchWriteItem's limit per request. */
const MAX_BATCH_WRITE = 25;
/** Rounds of retrying what DynamoDB left unprocessed (throttled) before the caller's retry takes over. */
const UNPROCESSED_ATTEMPTS = 5;

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
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: linkItem({ entityKey, ref }) }));
  }

  /** BatchWriteItem, 25 at a time; what DynamoDB leaves unprocessed is sent again, with a short growing pause. */
  async linkAll(links: readonly EntityLink[]): Promise<void> {
    // One write per item key, the last one winning as with `link` one after the other (a batch refuses duplicates).
    const items = [...new Map(links.map((link) => [`${link.entityKey}|${link.ref.system}#${link.ref.kind}`, linkItem(link)])).values()];
    for (let start = 0; start < items.length; start += MAX_BATCH_WRITE) {
      let requests = items.slice(start, start + MAX_BATCH_WRITE).map((Item) => ({ PutRequest: { Item } }));
      for (let attempt = 1; requests.length > 0; attempt++) {
        if (attempt > UNPROCESSED_ATTEMPTS) throw new Error(`identity map: ${requests.length} link(s) still unprocessed after ${UNPROCESSED_ATTEMPTS} attempts`);
        if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** attempt));
        const { UnprocessedItems } = await this.client.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: requests } }));
        requests = (UnprocessedItems?.[this.tableName] ?? []).flatMap(({ PutRequest }) => (PutRequest?.Item === undefined ? [] : [{ PutRequest: { Item: PutRequest.Item } }]));
      }
    }
  }
}

function linkItem({ entityKey, ref }: EntityLink): Record<string, string> {
  return { pk: entityKey, sk: `${ref.system}#${ref.kind}`, systemKey: `${ref.system}:${ref.kind}:${ref.id}`, id: ref.id, linkedAt: new Date().toISOString() };
}
