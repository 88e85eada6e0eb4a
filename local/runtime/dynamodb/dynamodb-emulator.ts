import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DeleteItemCommand,
  DynamoDBClient,
  ListTablesCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { LOCAL_CREDENTIALS } from '../local-aws-identity';

/**
 * DynamoDB for the local runtime: dynalite (DynamoDB's API on LevelDB, in process) persisted under the
 * data directory, with the template's tables created on first start and kept on the next ones.
 *
 * dynalite has no UpdateTimeToLive, so the TTL of a table is applied here by a sweeper that deletes
 * expired items. DynamoDB itself deletes them "within a few days" and readers must not rely on it, which
 * the Powertools idempotency layer does not (it checks `expiration` itself): the sweeper only keeps the
 * local tables from growing.
 */

export interface LocalTableDefinition {
  readonly tableName: string;
  readonly attributeDefinitions: CreateTableCommandInput['AttributeDefinitions'];
  readonly keySchema: CreateTableCommandInput['KeySchema'];
  readonly globalSecondaryIndexes?: CreateTableCommandInput['GlobalSecondaryIndexes'];
  readonly localSecondaryIndexes?: CreateTableCommandInput['LocalSecondaryIndexes'];
  readonly timeToLiveAttribute?: string;
}

export interface RunningDynamoDb {
  readonly url: string;
  readonly client: DynamoDBClient;
  readonly tables: readonly LocalTableDefinition[];
  /** Deletes expired items now (the sweeper runs this periodically). */
  sweepExpiredItems(): Promise<number>;
  close(): Promise<void>;
}

export async function startDynamoDb(options: {
  /** LevelDB directory; created when missing. */
  readonly dataDirectory: string;
  readonly tables: readonly LocalTableDefinition[];
  readonly region: string;
  readonly port?: number;
  readonly ttlSweepIntervalMs?: number;
}): Promise<RunningDynamoDb> {
  mkdirSync(options.dataDirectory, { recursive: true });
  const server = dynalite({ path: options.dataDirectory, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({ endpoint: url, region: options.region, credentials: LOCAL_CREDENTIALS });

  const existing = new Set((await client.send(new ListTablesCommand({}))).TableNames ?? []);
  for (const table of options.tables) {
    if (existing.has(table.tableName)) continue;
    await client.send(
      new CreateTableCommand({
        TableName: table.tableName,
        AttributeDefinitions: table.attributeDefinitions,
        KeySchema: table.keySchema,
        BillingMode: 'PAY_PER_REQUEST',
        ...(table.globalSecondaryIndexes?.length ? { GlobalSecondaryIndexes: table.globalSecondaryIndexes } : {}),
        ...(table.localSecondaryIndexes?.length ? { LocalSecondaryIndexes: table.localSecondaryIndexes } : {}),
      }),
    );
  }

  const sweepExpiredItems = () => deleteExpiredItems(client, options.tables);
  const sweeper = setInterval(() => void sweepExpiredItems().catch(() => undefined), options.ttlSweepIntervalMs ?? 60_000);
  sweeper.unref();

  return {
    url,
    client,
    tables: options.tables,
    sweepExpiredItems,
    close: async () => {
      clearInterval(sweeper);
      client.destroy();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/** A table definition from an `AWS::DynamoDB::Table` or `AWS::DynamoDB::GlobalTable`'s resolved properties. */
export function tableDefinitionFromTemplate(tableName: string, properties: Record<string, unknown>): LocalTableDefinition {
  const ttl = properties['TimeToLiveSpecification'] as { AttributeName?: string; Enabled?: boolean } | undefined;
  // Billing and throughput are per-replica or per-index settings dynalite does not need.
  const withoutThroughput = (indexes: unknown) =>
    (indexes as Record<string, unknown>[] | undefined)?.map(({ ProvisionedThroughput: _p, WriteProvisionedThroughputSettings: _w, ReadProvisionedThroughputSettings: _r, ...index }) => index);
  return {
    tableName,
    attributeDefinitions: properties['AttributeDefinitions'] as LocalTableDefinition['attributeDefinitions'],
    keySchema: properties['KeySchema'] as LocalTableDefinition['keySchema'],
    globalSecondaryIndexes: withoutThroughput(properties['GlobalSecondaryIndexes']) as LocalTableDefinition['globalSecondaryIndexes'],
    localSecondaryIndexes: withoutThroughput(properties['LocalSecondaryIndexes']) as LocalTableDefinition['localSecondaryIndexes'],
    ...(ttl?.Enabled && ttl.AttributeName ? { timeToLiveAttribute: ttl.AttributeName } : {}),
  };
}

async function deleteExpiredItems(client: DynamoDBClient, tables: readonly LocalTableDefinition[]): Promise<number> {
  const nowSeconds = Math.floor(Date.now() / 1000);
  let deleted = 0;
  for (const table of tables) {
    if (!table.timeToLiveAttribute) continue;
    const keyNames = (table.keySchema ?? []).map((key) => key.AttributeName ?? '');
    let exclusiveStartKey: Record<string, never> | undefined;
    do {
      const page = await client.send(
        new ScanCommand({
          TableName: table.tableName,
          // As DynamoDB: only a Number attribute holding epoch seconds in the past expires the item.
          FilterExpression: '#ttl < :now',
          ExpressionAttributeNames: { '#ttl': table.timeToLiveAttribute },
          ExpressionAttributeValues: { ':now': { N: String(nowSeconds) } },
          ...(exclusiveStartKey ? { ExclusiveStartKey: exclusiveStartKey } : {}),
        }),
      );
      for (const item of page.Items ?? []) {
        const key = Object.fromEntries(keyNames.map((name) => [name, item[name]]));
        await client.send(new DeleteItemCommand({ TableName: table.tableName, Key: key as never }));
        deleted += 1;
      }
      exclusiveStartKey = page.LastEvaluatedKey as Record<string, never> | undefined;
    } while (exclusiveStartKey);
  }
  return deleted;
}
