import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import * as z from 'zod/mini';
import { readEnv } from './env';
import { publishCanonicalEvents } from './event-publisher';
import { logger, metrics } from './powertools';
import { createWebhookReceiver, type ProviderWebhook, type Rejection } from './webhook-receiver';

/** The environment the stack gives every provider's ingest function (lib/constructs/provider-ingest.ts). */
const INGEST_ENV = {
  EVENT_BUS_NAME: z.string().check(z.minLength(1)),
  MAX_BODY_BYTES: z.coerce.number().check(z.int(), z.positive()),
  REJECTED_EVENTS_QUEUE_URL: z.string().check(z.minLength(1)),
};

/**
 * The Lambda handler of `POST /webhooks/<provider>` (API Gateway proxy integration) for one provider's
 * webhooks: the bus, the rejected events queue, metrics and logs wired once, so that a provider's
 * handler.ts only names its `ProviderWebhook`. Built once per container.
 */
export function webhookHandler(provider: ProviderWebhook) {
  const env = readEnv(INGEST_ENV);
  const eventBridge = new EventBridgeClient({});
  const sqs = new SQSClient({});
  const lowerName = provider.name.toLowerCase();

  /** The raw signed body, as the provider sent it, so that it can be inspected and replayed; the reason travels as attributes. */
  async function sendToRejectedEvents(rawBody: string, rejection: Rejection): Promise<void> {
    const text = (value: string) => ({ DataType: 'String', StringValue: value });
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: env.REJECTED_EVENTS_QUEUE_URL,
        MessageBody: rawBody,
        MessageAttributes: {
          FailureReason: text(rejection.reason),
          [`${provider.name}EventId`]: text(rejection.about.id),
          [`${provider.name}EventType`]: text(rejection.about.type),
        },
      }),
    );
  }

  const receive = createWebhookReceiver(provider, {
    publish: (events) => publishCanonicalEvents(eventBridge, env.EVENT_BUS_NAME, events),
    reject: sendToRejectedEvents,
    nowSeconds: () => Math.floor(Date.now() / 1000),
    maxBodyBytes: env.MAX_BODY_BYTES,
    record: (outcome, detail) => {
      metrics.addMetric(`${provider.name}Webhook${outcome}`, MetricUnit.Count, 1);
      if (outcome === 'Accepted' || outcome === 'Ignored') logger.info(`${lowerName} webhook ${outcome.toLowerCase()}`, detail);
      else if (outcome === 'DroppedOwnWrite') logger.info(`${lowerName} webhook event dropped: our own write`, detail);
      else if (outcome === 'SourceUnavailable') logger.warn(`${lowerName} webhook not accepted now: ${String(detail.reason)}`, detail);
      else if (outcome === 'PublishFailed') logger.error(`${lowerName} webhook not published`, detail);
      else if (outcome === 'RejectFailed') logger.error(`${lowerName} webhook not set aside in the rejected events queue`, detail);
      else logger.warn(`${lowerName} webhook rejected: ${String(detail.reason)}`, detail);
    },
  });

  return async function handler(event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> {
    logger.addContext(context);
    logger.appendKeys({ apiRequestId: event.requestContext?.requestId });
    try {
      return await receive({ body: event.body, isBase64Encoded: event.isBase64Encoded, headers: event.headers ?? {} });
    } finally {
      metrics.publishStoredMetrics();
      logger.resetKeys();
    }
  };
}
