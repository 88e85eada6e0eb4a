import type { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, Billing, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';

export interface StateTablesProps {
  readonly removalPolicy: RemovalPolicy;
}

/** Name of the identity map's index for lookup by any system's id. */
export const IDENTITY_BY_SYSTEM_ID_INDEX = 'bySystemId';

/**
 * The stack's state, in three tables with on-demand billing, point-in-time recovery and encryption:
 * - identity map: one item per (canonical entity, system) link — `pk` the canonical entity key,
 *   `sk` the system and kind, `systemKey` the system's own id — with a GSI on `systemKey` so any
 *   system's id finds its canonical entity;
 * - idempotency: Powertools idempotency records (`id`), expired by TTL on `expiration`;
 * - watermarks: per-entity last applied change (`pk` the entity key) and its short write lease.
 */
export class StateTables extends Construct {
  readonly identityMap: TableV2;
  readonly idempotency: TableV2;
  readonly watermarks: TableV2;

  constructor(scope: Construct, id: string, props: StateTablesProps) {
    super(scope, id);
    const common = {
      billing: Billing.onDemand(),
      encryption: TableEncryptionV2.awsManagedKey(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: props.removalPolicy,
    };
    this.identityMap = new TableV2(this, 'IdentityMap', {
      ...common,
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      globalSecondaryIndexes: [
        { indexName: IDENTITY_BY_SYSTEM_ID_INDEX, partitionKey: { name: 'systemKey', type: AttributeType.STRING } },
      ],
    });
    this.idempotency = new TableV2(this, 'Idempotency', {
      ...common,
      partitionKey: { name: 'id', type: AttributeType.STRING },
      timeToLiveAttribute: 'expiration',
    });
    this.watermarks = new TableV2(this, 'Watermarks', {
      ...common,
      partitionKey: { name: 'pk', type: AttributeType.STRING },
    });
  }
}
