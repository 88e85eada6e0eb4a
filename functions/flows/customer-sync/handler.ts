import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import * as z from 'zod/mini';
import { customerDeletedSchema } from '../../../events/customer-deleted';
import { customerUpsertedSchema } from '../../../events/customer-upserted';
import { FlowQueue } from '../../adapters/aws/flow-queue';
import { IdentityMapTable } from '../../adapters/aws/identity-map-table';
import { secretApiKeyProvider } from '../../adapters/aws/secret-api-key';
import { WatermarkTable } from '../../adapters/aws/watermark-table';
import { OdooClient } from '../../adapters/odoo/odoo-client';
import { OdooPartnerGateway } from '../../adapters/odoo/partner-gateway';
import { readEnv } from '../../shared/env';
import { createFlowRecordHandler } from '../../shared/flow-record-handler';
import { logger, metrics } from '../../shared/powertools';
import { syncCustomer } from './sync-customer';

const text = () => z.string().check(z.minLength(1));
const env = readEnv({
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
});

const dynamoClient = new DynamoDBClient({});
const dynamo = DynamoDBDocumentClient.from(dynamoClient);
const sqs = new SQSClient({});
const odoo = new OdooClient({
  connection: { url: env.ODOO_URL, database: env.ODOO_DB, login: env.ODOO_LOGIN, transport: env.ODOO_TRANSPORT },
  apiKey: secretApiKeyProvider(env.ODOO_API_KEY_SECRET_NAME),
  // One datapoint per Odoo request, dimensioned by operation (`res.partner.load`): the calls-per-event figure.
  onCall: ({ operation }) => metrics.singleMetric().addDimension('operation', operation).addMetric('OdooCalls', MetricUnit.Count, 1),
});
const ports = {
  partners: new OdooPartnerGateway(odoo),
  identityMap: new IdentityMapTable(dynamo, env.IDENTITY_MAP_TABLE),
  watermarks: new WatermarkTable(dynamo, env.WATERMARK_TABLE, env.LEASE_SECONDS),
};

// Stripe retries for up to 3 days; a week of idempotency records covers every redelivery and a replay soon after.
const idempotency = new IdempotencyConfig({ eventKeyJmesPath: 'id', expiresAfterSeconds: 7 * 24 * 3600 });
const applyOnce = makeIdempotent((event: z.infer<typeof customerEventSchema>) => syncCustomer(event, ports), {
  persistenceStore: new DynamoDBPersistenceLayer({ tableName: env.IDEMPOTENCY_TABLE, awsSdkV3Client: dynamoClient }),
  config: idempotency,
});

const customerEventSchema = z.discriminatedUnion('type', [customerUpsertedSchema, customerDeletedSchema]);
const processor = new BatchProcessor(EventType.SQS);
const handleRecord = createFlowRecordHandler({
  flowName: 'customer-sync',
  schema: customerEventSchema,
  apply: applyOnce,
  queue: new FlowQueue(sqs, env.QUEUE_URL, env.DLQ_URL),
  maxReceiveCount: env.MAX_RECEIVE_COUNT,
});

/** customer-sync consumer: Stripe customers (canonical customer events) → Odoo partners. Wiring only. */
export async function handler(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  logger.addContext(context);
  idempotency.registerLambdaContext(context);
  try {
    return await processPartialResponse(event, handleRecord, processor, { context });
  } finally {
    metrics.publishStoredMetrics();
  }
}
