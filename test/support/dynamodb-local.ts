import { CreateTableCommand, type CreateTableCommandInput, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import type { AddressInfo } from 'node:net';

/** An in-memory DynamoDB (dynalite) for adapter tests: real conditional-write semantics, no AWS. */
export async function startDynamoDb(tables: CreateTableCommandInput[]) {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  for (const table of tables) await client.send(new CreateTableCommand(table));
  return {
    client,
    documents: DynamoDBDocumentClient.from(client),
    async stop() {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The state tables as lib/constructs/state-tables.ts defines them. */
export const STATE_TABLES = {
  identityMap: {
    TableName: 'identity-map',
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
      { AttributeName: 'systemKey', AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [{ IndexName: 'bySystemId', KeySchema: [{ AttributeName: 'systemKey', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } }],
  },
  watermarks: {
    TableName: 'watermarks',
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
  },
} satisfies Record<string, CreateTableCommandInput>;
