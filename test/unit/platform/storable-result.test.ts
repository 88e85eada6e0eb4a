import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storableResult } from '../../../functions/platform/storable-result';
import { startDynamoDb } from '../../support/dynamodb-local';

/**
 * A flow's result with a field left undefined (deal-sync's `published` for a quotation) under Powertools
 * idempotency on DynamoDB, as flow-consumer.ts and saga-step.ts wire it: stored, and a redelivery gets it back
 * without the use case running twice — instead of a failed save that leaves the event "in progress" for minutes.
 */
describe('a use case result with undefined fields under idempotency', () => {
  let dynamo: Awaited<ReturnType<typeof startDynamoDb>>;
  beforeAll(async () => {
    dynamo = await startDynamoDb([
      { TableName: 'idempotency', BillingMode: 'PAY_PER_REQUEST', AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }] },
    ]);
  });
  afterAll(async () => {
    await dynamo.stop();
  });

  const quotationCreated = () => ({ outcome: 'created', orderId: 7, state: 'quotation', published: undefined as string | undefined });
  function once<Result>(useCase: (event: { id: string }) => Promise<Result>) {
    return makeIdempotent(useCase, {
      persistenceStore: new DynamoDBPersistenceLayer({ tableName: 'idempotency', awsSdkV3Client: dynamo.client }),
      config: new IdempotencyConfig({ eventKeyJmesPath: 'id' }),
    });
  }

  it('as the use case returns it, Powertools cannot save it after the use case ran', async () => {
    let runs = 0;
    const apply = once(async () => {
      runs++;
      return quotationCreated();
    });
    await expect(apply({ id: 'evt-raw' })).rejects.toThrow('Failed to update success record to idempotency store');
    expect(runs).toBe(1);
  });

  it('made storable, it is saved once and returned to the redelivery without running again', async () => {
    let runs = 0;
    const apply = once(async () => {
      runs++;
      return storableResult(quotationCreated());
    });
    expect(await apply({ id: 'evt-storable' })).toEqual({ outcome: 'created', orderId: 7, state: 'quotation' });
    expect(await apply({ id: 'evt-storable' })).toEqual({ outcome: 'created', orderId: 7, state: 'quotation' });
    expect(runs).toBe(1);
  });
});
