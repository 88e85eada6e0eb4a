import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import * as z from 'zod/mini';
import { publishCanonicalEvents } from '../../platform/event-publisher';
import { readSecret } from '../../platform/secrets';
import { readEnv } from '../../platform/env';
import { logger, metrics } from '../../platform/powertools';
import { createStripeWebhookReceiver, type Rejection } from '../../platform/webhook-receiver';

const env = readEnv({
  EVENT_BUS_NAME: z.string().check(z.minLength(1)),
  STRIPE_WEBHOOK_SECRET_NAME: z.string().check(z.minLength(1)),
  MAX_BODY_BYTES: z.coerce.number().check(z.int(), z.positive()),
  REJECTED_EVENTS_QUEUE_URL: z.string().check(z.minLength(1)),
});
const eventBridge = new EventBridgeClient({});
const sqs = new SQSClient({});

/** The raw signed body, as Stripe sent it, so that it can be inspected and replayed; the reason travels as attributes. */
async function sendToRejectedEvents(rawBody: string, rejection: Rejection): Promise<void> {
  const text = (value: string) => ({ DataType: 'String', StringValue: value });
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: env.REJECTED_EVENTS_QUEUE_URL,
      MessageBody: rawBody,
      MessageAttributes: {
        FailureReason: text(rejection.reason),
        StripeEventId: text(rejection.stripeEventId),
        StripeEventType: text(rejection.stripeEventType),
      },
    }),
  );
}

const receive = createStripeWebhookReceiver({
  signingSecret: (refresh) => readSecret(env.STRIPE_WEBHOOK_SECRET_NAME, { forceFetch: refresh }),
  publish: (events) => publishCanonicalEvents(eventBridge, env.EVENT_BUS_NAME, events),
  reject: sendToRejectedEvents,
  nowSeconds: () => Math.floor(Date.now() / 1000),
  maxBodyBytes: env.MAX_BODY_BYTES,
  record: (outcome, detail) => {
    metrics.addMetric(`StripeWebhook${outcome}`, MetricUnit.Count, 1);
    if (outcome === 'Accepted' || outcome === 'Ignored') logger.info(`stripe webhook ${outcome.toLowerCase()}`, detail);
    else if (outcome === 'PublishFailed') logger.error('stripe webhook not published', detail);
    else if (outcome === 'RejectFailed') logger.error('stripe webhook not set aside in the rejected events queue', detail);
    else logger.warn(`stripe webhook rejected: ${String(detail.reason)}`, detail);
  },
});

/** POST /webhooks/stripe (API Gateway proxy integration). Wiring only: the logic is in receive-stripe-webhook.ts. */
export async function handler(event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> {
  logger.addContext(context);
  logger.appendKeys({ apiRequestId: event.requestContext?.requestId });
  try {
    return await receive({ body: event.body, isBase64Encoded: event.isBase64Encoded, headers: event.headers ?? {} });
  } finally {
    metrics.publishStoredMetrics();
    logger.resetKeys();
  }
}
