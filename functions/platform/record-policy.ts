import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { upcastCanonical } from '../../events/upcast';
import type { SQSRecord } from 'aws-lambda';
import type * as z from 'zod/mini';
import type { FlowQueue } from './flow-queue';
import { retryDelaySeconds, TRANSIENT_RETRY_WINDOW_SECONDS, transientRetriesExhausted } from './retry-backoff';
import { InvalidEventError, isRetryable } from './errors';
import { logger, metrics } from './powertools';
import { describeIssue } from './validation-issues';

export interface FlowRecordHandlerOptions<Event extends { id: string; correlationId: string }> {
  readonly flowName: string;
  /** The canonical events this flow accepts (a routing-table slice of the catalog). */
  readonly schema: z.ZodMiniType<Event>;
  /** Applies one event; idempotent on the event id (Powertools idempotency wraps it in the handler). */
  readonly apply: (event: Event) => Promise<{ outcome: string }>;
  readonly queue: FlowQueue;
  /** The queue's maxReceiveCount: the last delivery dead-letters with the reason instead of failing silently into the DLQ. */
  readonly maxReceiveCount: number;
  /** How long a transient failure is retried from the record's first delivery (default: an hour). */
  readonly retryWindowSeconds?: number;
  readonly now?: () => number;
}

/**
 * The per-record policy every flow shares (DESIGN.md, "Nothing is lost silently"):
 * - a record that is not a valid canonical event, or whose failure is permanent, goes to the DLQ at
 *   once with its reason, and counts as handled so it is deleted from the queue;
 * - a transient failure is retried after a backoff with jitter (never before the failure's own advice:
 *   `Retry-After`, the open breaker's next trial), for an hour from the record's first delivery, then
 *   dead-lettered with its reason like a permanent one — an Odoo restart or upgrade window never ends in a DLQ;
 * - an open breaker is counted (`OdooCircuitOpen`): its alarm says Odoo has been unreachable for minutes;
 * - every outcome is a metric (`Event<Outcome>`), every line carries the correlation id.
 */
export function createFlowRecordHandler<Event extends { id: string; correlationId: string }>(options: FlowRecordHandlerOptions<Event>) {
  return async function handleRecord(record: SQSRecord): Promise<void> {
    const receiveCount = Number(record.attributes.ApproximateReceiveCount) || 1;
    // The record's keys go on each line, not on the logger: the records of a batch run concurrently, and keys
    // appended to the shared logger would label one record's lines with another's ids.
    let keys: { correlationId?: string; canonicalEventId?: string } = {};
    try {
      const event = parseRecord(record, options.schema);
      keys = { correlationId: event.correlationId, canonicalEventId: event.id };
      const result = await options.apply(event);
      count(`Event${capitalized(result.outcome)}`);
      logger.info(`${options.flowName}: ${result.outcome}`, { ...keys, result });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const errorType = error instanceof Error ? error.name : typeof error;
      const exhausted =
        isRetryable(error) &&
        transientRetriesExhausted({
          receiveCount,
          maxReceiveCount: options.maxReceiveCount,
          firstReceivedAtMs: Number(record.attributes.ApproximateFirstReceiveTimestamp) || undefined,
          nowMs: (options.now ?? Date.now)(),
          windowSeconds: options.retryWindowSeconds ?? TRANSIENT_RETRY_WINDOW_SECONDS,
        });
      if (errorType === 'OdooCircuitOpenError') count('OdooCircuitOpen');
      if (!isRetryable(error) || exhausted) {
        await options.queue.deadLetter(record, { flow: options.flowName, errorType, reason, receiveCount, correlationId: keys.correlationId });
        count('EventDeadLettered');
        logger.error(`${options.flowName}: dead-lettered`, { ...keys, errorType, reason, receiveCount, messageId: record.messageId });
        return;
      }
      const delay = retryDelaySeconds(receiveCount, retryAfterMsOf(error));
      await options.queue.delayRetry(record, delay).catch((delayError: unknown) => {
        logger.warn('could not set the retry delay; the queue visibility timeout applies', { delayError });
      });
      count('EventRetried');
      logger.warn(`${options.flowName}: will retry in ${delay}s`, { ...keys, errorType, reason, receiveCount });
      throw error;
    }
  };
}

/** An SQS record from an EventBridge rule holds the EventBridge event; its `detail` is the canonical event. */
function parseRecord<Event>(record: SQSRecord, schema: z.ZodMiniType<Event>): Event {
  let envelope: unknown;
  try {
    envelope = JSON.parse(record.body);
  } catch {
    throw new InvalidEventError('message body is not JSON');
  }
  const detail = envelope !== null && typeof envelope === 'object' && 'detail' in envelope ? envelope.detail : undefined;
  // An event archived before its type's last schema change replays too: brought to the current version first.
  const parsed = schema.safeParse(upcastCanonical(detail));
  if (!parsed.success) throw new InvalidEventError(`not a canonical event this flow handles: ${describeIssue(parsed.error.issues[0])}`);
  return parsed.data;
}

/** A failure's own advice on when to try again (`Retry-After`, the breaker's next trial), when it has one. */
function retryAfterMsOf(error: unknown): number | undefined {
  const advice = error !== null && typeof error === 'object' && 'retryAfterMs' in error ? error.retryAfterMs : undefined;
  return typeof advice === 'number' && Number.isFinite(advice) ? advice : undefined;
}

function count(metric: string): void {
  metrics.addMetric(metric, MetricUnit.Count, 1);
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
