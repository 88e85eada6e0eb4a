import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_IDENTITY_CONFIG } from '../../../functions/domain/identity-config';
import { canonicalCustomer, resolveCustomer } from '../../../functions/flows/customer-identity';
import { CustomerDirectoryTable } from '../../../functions/state/customer-directory-table';
import { IdentityMapTable } from '../../../functions/state/identity-map-table';
import { startDynamoDb, STATE_TABLES } from '../../support/dynamodb-local';

let dynamo: Awaited<ReturnType<typeof startDynamoDb>>;

beforeAll(async () => {
  dynamo = await startDynamoDb([STATE_TABLES.identityMap]);
});
afterAll(() => dynamo.stop());

describe('CustomerDirectoryTable (DynamoDB)', () => {
  const table = () => new CustomerDirectoryTable(dynamo.documents, 'identity-map');

  it('lets the first claim of a key win and tells a later claimant who holds it; lists a customer’s keys by the GSI', async () => {
    const directory = table();
    expect(await directory.claim('match:domain:first.example', 'c_a')).toBe('c_a');
    expect(await directory.claim('match:domain:first.example', 'c_b')).toBe('c_a');
    expect(await directory.claim('match:domain:first.example', 'c_a')).toBe('c_a');
    await directory.claim('hubspot:account:1', 'c_a');
    expect(await directory.holderOf('match:domain:first.example')).toBe('c_a');
    expect((await directory.keysOf('c_a')).sort()).toEqual(['hubspot:account:1', 'match:domain:first.example']);
  });

  it('lives beside the identity links of the same keys: a claim is the record’s `saas_sync#customer` link', async () => {
    await table().claim('stripe:customer:cus_link', 'c_link');
    expect(await new IdentityMapTable(dynamo.documents, 'identity-map').find('stripe:customer:cus_link', 'saas_sync', 'customer')).toBe('c_link');
  });

  it('resolves racing records of one company to ONE customer through conditional writes', async () => {
    const ports = { directory: table(), identity: DEFAULT_IDENTITY_CONFIG };
    const records = Array.from({ length: 6 }, (_, index) => ({
      entityKey: index % 2 === 0 ? `hubspot:account:race${index}` : `stripe:customer:cus_race${index}`,
      links: [],
      taxId: index === 5 ? 'DE999' : null,
      emails: index % 2 === 1 ? [`billing${index}@race.example`] : [],
      websites: index % 2 === 0 ? ['https://race.example'] : [],
    }));
    const resolved = await Promise.all(records.map((record) => resolveCustomer(ports, record)));
    const canonical = new Set(await Promise.all(resolved.map((resolution) => canonicalCustomer(ports.directory, resolution.customerId))));
    expect(canonical.size).toBe(1);
  });
});
