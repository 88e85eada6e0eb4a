import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { publishCanonicalEvents } from '../../platform/event-publisher';
import { logger, metrics } from '../../platform/powertools';
import { type SalesforceIngestSettings, translateSalesforceChange } from './salesforce-change-ingest';

export interface SalesforceIngestPorts {
  readonly settings: SalesforceIngestSettings;
  readonly eventBridge: EventBridgeClient;
  readonly eventBusName: string;
  readonly sqs: SQSClient;
  readonly rejectedEventsQueueUrl: string;
}

/**
 * The Lambda handler of the rule on the org's partner event bus: one Event Relay delivery (one change event) per
 * invocation → its canonical events on the canonical bus. Metrics `SalesforceChange<Outcome>`: Accepted (per
 * canonical event), Ignored, DroppedOwnWrite, Unreadable (per record or change), RejectedMalformed, SourceUnavailable.
 *
 * Failures, and why: EventBridge invokes the function asynchronously. A read or a publish that fails for now throws,
 * so the invocation fails and Lambda retries it (twice, with backoff, within the event's maximum age), then puts it in
 * the ingest's dead-letter queue with the error, from which it is redriven — and Event Relay can replay the channel
 * for 3 days besides. Every retry is safe: the canonical ids are the change's own, so a consumer sees the same ids
 * again. A change no retry can fix (a record no snapshot can hold, something that is not a change event) is not
 * retried: it goes to the rejected events queue at once, whole, with the reason.
 */
export function salesforceIngestHandler(ports: SalesforceIngestPorts) {
  async function setAside(event: unknown, reason: string, about: Record<string, unknown>): Promise<void> {
    const text = (value: string) => ({ DataType: 'String', StringValue: value.slice(0, 1000) });
    await ports.sqs.send(
      new SendMessageCommand({
        QueueUrl: ports.rejectedEventsQueueUrl,
        MessageBody: JSON.stringify(event),
        MessageAttributes: { FailureReason: text(reason), SalesforceEventId: text(String(about['id'] ?? 'unknown')), SalesforceEventType: text(String(about['type'] ?? 'unknown')) },
      }),
    );
  }
  const count = (outcome: string, value = 1) => metrics.addMetric(`SalesforceChange${outcome}`, MetricUnit.Count, value);

  return async function handler(event: unknown, context?: Context): Promise<{ published: number }> {
    if (context) logger.addContext(context);
    try {
      let translation: Awaited<ReturnType<typeof translateSalesforceChange>>;
      try {
        translation = await translateSalesforceChange(event, ports.settings);
      } catch (error) {
        count('SourceUnavailable');
        logger.warn('salesforce change not ingested now: reading the records failed; the invocation fails and is retried', { error: error as Error });
        throw error;
      }
      if (translation.kind === 'not-a-change') {
        count('RejectedMalformed');
        logger.error(`salesforce ingest: not a change event (${translation.issue})`);
        await setAside(event, `not a change event: ${translation.issue}`, {});
        return { published: 0 };
      }
      const about = { ...translation.about };
      if (translation.kind === 'set-aside') {
        count('RejectedMalformed');
        logger.warn(`salesforce change set aside: ${translation.reason}`, about);
        await setAside(event, translation.reason, about);
        return { published: 0 };
      }
      for (const skipped of translation.skipped) {
        count(skipped.outcome);
        const log = skipped.outcome === 'Unreadable' ? logger.warn.bind(logger) : logger.info.bind(logger);
        log(skipped.outcome === 'DroppedOwnWrite' ? 'salesforce change dropped: our own write' : `salesforce change ${skipped.outcome.toLowerCase()}`, { ...about, reason: skipped.reason });
      }
      if (translation.events.length > 0) {
        await publishCanonicalEvents(ports.eventBridge, ports.eventBusName, translation.events);
        count('Accepted', translation.events.length);
        logger.info('salesforce change accepted', { ...about, events: translation.events.map((canonical) => canonical.id) });
      }
      return { published: translation.events.length };
    } finally {
      metrics.publishStoredMetrics();
    }
  };
}
