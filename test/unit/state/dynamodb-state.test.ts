import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IdentityMapTable } from '../../../functions/state/identity-map-table';
import { EntityBusyError, LeaseLostError, WatermarkTable } from '../../../functions/state/watermark-table';
import { startDynamoDb, STATE_TABLES } from '../../support/dynamodb-local';

let dynamo: Awaited<ReturnType<typeof startDynamoDb>>;
let now = 1_800_000_000_000;

beforeAll(async () => {
  dynamo = await startDynamoDb([STATE_TABLES.identityMap, STATE_TABLES.watermarks]);
});
afterAll(() => dynamo.stop());

describe('WatermarkTable (DynamoDB)', () => {
  const table = () => new WatermarkTable(dynamo.documents, 'watermarks', 60, () => now);

  it('lets one writer at a time hold an entity, and hands the watermark to the next', async () => {
    const watermarks = table();
    expect(await watermarks.acquire('stripe:customer:cus_1', 'evt_a')).toEqual({ watermark: undefined });
    await expect(watermarks.acquire('stripe:customer:cus_1', 'evt_b')).rejects.toBeInstanceOf(EntityBusyError);
    await watermarks.commit('stripe:customer:cus_1', 'evt_a', '2026-11-23T10:00:00.000Z|evt_a');
    expect(await watermarks.acquire('stripe:customer:cus_1', 'evt_b')).toEqual({ watermark: '2026-11-23T10:00:00.000Z|evt_a' });
  });

  it('frees an entity whose writer released it, or whose lease expired', async () => {
    const watermarks = table();
    await watermarks.acquire('stripe:customer:cus_2', 'evt_a');
    await watermarks.release('stripe:customer:cus_2', 'evt_a');
    await watermarks.acquire('stripe:customer:cus_2', 'evt_b');
    now += 61_000;
    await expect(watermarks.acquire('stripe:customer:cus_2', 'evt_c')).resolves.toEqual({ watermark: undefined });
  });

  it('refuses the commit of a writer that lost its lease, so it cannot overwrite the newer watermark', async () => {
    const watermarks = table();
    await watermarks.acquire('stripe:customer:cus_3', 'evt_slow');
    now += 61_000;
    await watermarks.acquire('stripe:customer:cus_3', 'evt_fast');
    await watermarks.commit('stripe:customer:cus_3', 'evt_fast', 'w2');
    await expect(watermarks.commit('stripe:customer:cus_3', 'evt_slow', 'w1')).rejects.toBeInstanceOf(LeaseLostError);
    expect(await watermarks.acquire('stripe:customer:cus_3', 'evt_next')).toEqual({ watermark: 'w2' });
  });
});

describe('IdentityMapTable (DynamoDB)', () => {
  it('links a canonical customer to its Odoo id, findable both ways', async () => {
    const identityMap = new IdentityMapTable(dynamo.documents, 'identity-map');
    expect(await identityMap.find('stripe:customer:cus_9', 'odoo', 'res.partner')).toBeUndefined();
    await identityMap.link('stripe:customer:cus_9', { system: 'odoo', kind: 'res.partner', id: '42' });
    expect(await identityMap.find('stripe:customer:cus_9', 'odoo', 'res.partner')).toBe('42');
    const { Items } = await dynamo.documents.send(
      new QueryCommand({ TableName: 'identity-map', IndexName: 'bySystemId', KeyConditionExpression: 'systemKey = :key', ExpressionAttributeValues: { ':key': 'odoo:res.partner:42' } }),
    );
    expect(Items?.map((item) => item.pk)).toEqual(['stripe:customer:cus_9']);
  });

  it('writes many links in batches, as one link after the other would: more than a batch holds, a repeated key the last one', async () => {
    const identityMap = new IdentityMapTable(dynamo.documents, 'identity-map');
    const links = Array.from({ length: 30 }, (_, index) => ({ entityKey: `stripe:customer:cus_batch${index}`, ref: { system: 'odoo', kind: 'res.partner', id: String(index) } }));
    await identityMap.linkAll([...links, { entityKey: 'stripe:customer:cus_batch3', ref: { system: 'odoo', kind: 'res.partner', id: '303' } }]);
    expect(await identityMap.find('stripe:customer:cus_batch29', 'odoo', 'res.partner')).toBe('29');
    expect(await identityMap.find('stripe:customer:cus_batch3', 'odoo', 'res.partner')).toBe('303');
  });
});
