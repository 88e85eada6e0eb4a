import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import * as z from 'zod/mini';
import { FlowQueue } from './flow-queue';
import { IdentityMapTable } from '../state/identity-map-table';
import { secretApiKeyProvider } from './secret-api-key';
import { WatermarkTable } from '../state/watermark-table';
import { OdooClient } from '../erp/odoo/odoo-client';
import type { FlowName } from '../../lib/routing';
import { readEnv } from './env';
import { type FlowEvent, flowEventSchema } from './flow-events';
import { createFlowRecordHandler } from './record-policy';
import { ODOO_BATCHING_ENV, ODOO_PROTECTION_ENV, odooBatchingSettings, odooProtectionSettings } from '../erp/odoo/odoo-protection-env';
import { CoalescingOdooCaller } from '../erp/odoo/call-coalescer';
import type { OdooCaller } from '../erp/odoo/odoo-caller';
import { logger, metrics } from './powertools';
import { storableResult } from './storable-result';

/**
 * The wiring every flow consumer shares (SQS batch → canonical event → idempotent use case → Odoo), so
 * that a flow's handler.ts only names its events and its use case. Built once per container.
 */

export const text = () => z.string().check(z.minLength(1));

/** The environment the stack gives every flow consumer (lib/sync-stack.ts, lib/constructs/sync-flow.ts). */
const FLOW_ENV = {
  IDENTITY_MAP_TABLE: text(),
  IDEMPOTENCY_TABLE: text(),
  WATERMARK_TABLE: text(),
  QUEUE_URL: text(),
  DLQ_URL: text(),
  MAX_RECEIVE_COUNT: z.coerce.number().check(z.int(), z.positive()),
  LEASE_SECONDS: z.coerce.number().check(z.int(), z.positive()),
  ODOO_URL: text(),
  ODOO_DB: text(),
  ODOO_LOGIN: text(),
  ODOO_TRANSPORT: z.enum(['auto', 'jsonrpc', 'json2']),
  ODOO_API_KEY_SECRET_NAME: text(),
  ...ODOO_PROTECTION_ENV,
  ...ODOO_BATCHING_ENV,
};

export interface FlowInfrastructure {
  readonly env: z.infer<z.ZodMiniObject<typeof FLOW_ENV>>;
  /**
   * The container's Odoo client behind the coalescer: the records of a batch are applied concurrently
   * (BatchProcessor's default), and their calls of the same kind within the stage's window share one Odoo call.
   */
  readonly odoo: OdooCaller;
  readonly identityMap: IdentityMapTable;
  readonly watermarks: WatermarkTable;
}

const dynamoClient = new DynamoDBClient({});

/** The Odoo variables every function that writes to Odoo reads (flow consumers, saga steps). */
export const ODOO_WRITER_ENV = {
  IDENTITY_MAP_TABLE: text(),
  WATERMARK_TABLE: text(),
  LEASE_SECONDS: FLOW_ENV.LEASE_SECONDS,
  ODOO_URL: text(),
  ODOO_DB: text(),
  ODOO_LOGIN: text(),
  ODOO_TRANSPORT: FLOW_ENV.ODOO_TRANSPORT,
  ODOO_API_KEY_SECRET_NAME: text(),
  ...ODOO_PROTECTION_ENV,
  ...ODOO_BATCHING_ENV,
};

/** The container's Odoo client (behind the coalescer), identity map and watermarks, from the writer variables. */
export function odooWriterInfrastructure(env: z.infer<z.ZodMiniObject<typeof ODOO_WRITER_ENV>>): Omit<FlowInfrastructure, 'env'> {
  const dynamo = DynamoDBDocumentClient.from(dynamoClient);
  const client = new OdooClient({
    connection: { url: env.ODOO_URL, database: env.ODOO_DB, login: env.ODOO_LOGIN, transport: env.ODOO_TRANSPORT, ...odooProtectionSettings(env) },
    apiKey: secretApiKeyProvider(env.ODOO_API_KEY_SECRET_NAME),
    // One datapoint per Odoo request, dimensioned by operation (`res.partner.load`): the calls-per-event figure.
    onCall: ({ operation }) => metrics.singleMetric().addDimension('operation', operation).addMetric('OdooCalls', MetricUnit.Count, 1),
  });
  return {
    odoo: new CoalescingOdooCaller(client, odooBatchingSettings(env)),
    identityMap: new IdentityMapTable(dynamo, env.IDENTITY_MAP_TABLE),
    watermarks: new WatermarkTable(dynamo, env.WATERMARK_TABLE, env.LEASE_SECONDS),
  };
}

export function flowInfrastructure(): FlowInfrastructure {
  const env = readEnv(FLOW_ENV);
  return { env, ...odooWriterInfrastructure(env) };
}


export interface FlowConsumerOptions<Flow extends FlowName> {
  /** The flow's name in the routing table: its events (and so the schema its records are parsed with) follow from it. */
  readonly flowName: Flow;
  /** The use case: one event, applied once in effect. */
  readonly apply: (event: FlowEvent<Flow>) => Promise<{ outcome: string }>;
}

/**
 * The Lambda handler of a flow: partial batch responses, the flow's failure policy per record, and
 * Powertools idempotency keyed on the canonical event id (the provider's event id), kept 7 days: providers
 * retry for days, and a replay soon after still applies nothing twice.
 */
export function flowConsumer<Flow extends FlowName>(infrastructure: FlowInfrastructure, options: FlowConsumerOptions<Flow>) {
  const { env } = infrastructure;
  const idempotency = new IdempotencyConfig({ eventKeyJmesPath: 'id', expiresAfterSeconds: 7 * 24 * 3600 });
  const applyOnce = makeIdempotent(async (event: FlowEvent<Flow>) => storableResult(await options.apply(event)), {
    persistenceStore: new DynamoDBPersistenceLayer({ tableName: env.IDEMPOTENCY_TABLE, awsSdkV3Client: dynamoClient }),
    config: idempotency,
  });
  const processor = new BatchProcessor(EventType.SQS);
  const handleRecord = createFlowRecordHandler({
    flowName: options.flowName,
    schema: flowEventSchema(options.flowName),
    apply: applyOnce,
    queue: new FlowQueue(new SQSClient({}), env.QUEUE_URL, env.DLQ_URL),
    maxReceiveCount: env.MAX_RECEIVE_COUNT,
  });
  return async function handler(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
    logger.addContext(context);
    idempotency.registerLambdaContext(context);
    try {
      // In parallel (Powertools' default, said here because batch-first Odoo writes depend on it): the records'
      // Odoo calls meet in the coalescer, while each record keeps its own idempotency, lease and outcome.
      return await processPartialResponse(event, handleRecord, processor, { context, processInParallel: true });
    } finally {
      metrics.publishStoredMetrics();
    }
  };
}
