import type { SQSBatchResponse, SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';
import type { InvokeFunction, LambdaInvocationResult } from '../lambda/function-pool';
import type { DurableQueue, ReceivedMessage } from './durable-queue';

/**
 * An SQS → Lambda event source mapping: a poller that receives batches, invokes the function with the
 * SQS event Lambda builds, and deletes what succeeded. Hand-written because this is Lambda-service
 * behaviour that no library emulates; the semantics follow the Lambda developer guide:
 *
 * - a batch closes at `batchSize` messages or when `maximumBatchingWindowInSeconds` runs out;
 * - at most `maximumConcurrency` batches are in flight (ScalingConfig);
 * - a function error leaves the whole batch to come back after the visibility timeout;
 * - with ReportBatchItemFailures, everything but the reported `itemIdentifier`s is deleted, and an
 *   invalid response (an identifier not in the batch, empty or missing) fails the whole batch.
 */

export interface SqsEventSourceMappingOptions {
  readonly queue: DurableQueue;
  readonly invoke: InvokeFunction;
  /** Lambda's default for SQS is 10. */
  readonly batchSize?: number;
  readonly maximumBatchingWindowInSeconds?: number;
  /**
   * `ScalingConfig.MaximumConcurrency`; AWS's minimum is 2. Unset, Lambda starts with 5 pollers and
   * scales further; locally 5 is the cap, enough for two cores.
   */
  readonly maximumConcurrency?: number;
  /** `FunctionResponseTypes: ['ReportBatchItemFailures']`. */
  readonly reportBatchItemFailures?: boolean;
  /** Told of every failed batch or item, so the developer sees why messages come back. */
  readonly onFailure?: (failure: { messageIds: readonly string[]; reason: string }) => void;
  /** Told when a batch is done with: the invocation returned and its messages were deleted or failed (tracing). */
  readonly onBatchSettled?: (batch: readonly ReceivedMessage[]) => void;
}

/** How long one poll waits for a first message before checking whether the mapping was stopped. */
const POLL_WAIT_SECONDS = 0.2;
const MAX_MESSAGES_PER_RECEIVE = 10;
/** The end of a batching window closer than this is waited by turns of the event loop, not by a timer. */
const WINDOW_END_PRECISION_MS = 2;

export class SqsEventSourceMapping {
  private running = false;
  private polling: Promise<void> | undefined;
  private readonly batchSize: number;
  private readonly maximumConcurrency: number;
  private readonly awsRegion: string;

  constructor(private readonly options: SqsEventSourceMappingOptions) {
    this.batchSize = options.batchSize ?? 10;
    this.maximumConcurrency = Math.max(2, options.maximumConcurrency ?? 5);
    this.awsRegion = options.queue.arn.split(':')[3] ?? '';
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.polling = this.poll();
  }

  /** Stops polling and waits for the batches in flight to finish. */
  async stop(): Promise<void> {
    this.running = false;
    await this.polling;
    this.polling = undefined;
  }

  /**
   * One batcher feeds up to `maximumConcurrency` invocations. A single batcher (rather than one per
   * slot) keeps the batching window meaningful: messages arriving during the window join one batch
   * instead of being split across competing pollers. It gathers the next batch only once a slot is
   * free, so no message sits received (invisible) while waiting for a slot.
   */
  private async poll(): Promise<void> {
    const inFlight = new Set<Promise<void>>();
    while (this.running) {
      if (inFlight.size >= this.maximumConcurrency) {
        await Promise.race(inFlight);
        continue;
      }
      const batch = await this.collectBatch();
      if (batch.length === 0) continue;
      const processing: Promise<void> = this.processBatch(batch).finally(() => inFlight.delete(processing));
      inFlight.add(processing);
    }
    await Promise.all(inFlight);
  }

  /**
   * Waits for a first message (the queue wakes the wait as soon as one is receivable: no polling delay),
   * then keeps the batch open for the batching window, measured on the monotonic clock from the first
   * receive, unless it fills first. It never closes before the window is over, and closes within a turn
   * of the event loop after: timers fire on whole milliseconds of the loop's clock, up to one or two
   * late, so the last `WINDOW_END_PRECISION_MS` are waited by turns of the event loop instead.
   */
  private async collectBatch(): Promise<ReceivedMessage[]> {
    const batch: ReceivedMessage[] = [];
    const windowMs = (this.options.maximumBatchingWindowInSeconds ?? 0) * 1000;
    let closesAt: number | undefined;
    while (this.running && batch.length < this.batchSize) {
      const maxMessages = Math.min(MAX_MESSAGES_PER_RECEIVE, this.batchSize - batch.length);
      let received: ReceivedMessage[];
      if (closesAt === undefined) {
        received = await this.options.queue.receiveWaiting({ maxMessages, waitTimeSeconds: POLL_WAIT_SECONDS });
      } else {
        const remainingWindowMs = closesAt - performance.now();
        if (remainingWindowMs <= 0) break;
        if (remainingWindowMs > WINDOW_END_PRECISION_MS) {
          const waitMs = Math.min(remainingWindowMs, POLL_WAIT_SECONDS * 1000) - WINDOW_END_PRECISION_MS;
          received = await this.options.queue.receiveWaiting({ maxMessages, waitTimeSeconds: waitMs / 1000 });
        } else {
          await new Promise<void>((resolve) => setImmediate(resolve));
          received = this.options.queue.receive({ maxMessages });
        }
      }
      if (received.length === 0 && batch.length === 0) continue;
      // The window opens with the first message; without a window, the first receive closes the batch.
      closesAt ??= performance.now() + windowMs;
      batch.push(...received);
      if (windowMs === 0) break;
    }
    return batch;
  }

  private async processBatch(batch: readonly ReceivedMessage[]): Promise<void> {
    try {
      await this.invokeAndSettle(batch);
    } finally {
      this.options.onBatchSettled?.(batch);
    }
  }

  private async invokeAndSettle(batch: readonly ReceivedMessage[]): Promise<void> {
    const event: SQSEvent = { Records: batch.map((message) => this.toSqsRecord(message)) };
    let result: LambdaInvocationResult;
    try {
      result = await this.options.invoke(event);
    } catch (error) {
      // A throttle or an invoke failure: like a function error, the batch returns after the visibility timeout.
      return this.failMessages(batch, `${(error as Error).name}: ${(error as Error).message}`);
    }
    if (result.status === 'failed') {
      return this.failMessages(batch, `${result.error.errorType}: ${result.error.errorMessage}`);
    }
    if (!this.options.reportBatchItemFailures) return this.deleteMessages(batch);

    const failedIds = readBatchItemFailures(result.payload, batch);
    if (failedIds === 'invalid') {
      return this.failMessages(batch, 'Invalid batchItemFailures response: the whole batch is retried');
    }
    this.deleteMessages(batch.filter((message) => !failedIds.has(message.messageId)));
    this.failMessages(
      batch.filter((message) => failedIds.has(message.messageId)),
      'Reported in batchItemFailures',
    );
  }

  private deleteMessages(messages: readonly ReceivedMessage[]): void {
    for (const message of messages) this.options.queue.delete(message.receiptHandle);
  }

  /** Failed messages stay in flight until their visibility timeout; the reason goes with them to the DLQ. */
  private failMessages(messages: readonly ReceivedMessage[], reason: string): void {
    if (messages.length === 0) return;
    for (const message of messages) this.options.queue.recordFailure(message.receiptHandle, reason);
    this.options.onFailure?.({ messageIds: messages.map((message) => message.messageId), reason });
  }

  /** The record exactly as Lambda builds it for an SQS event source. */
  private toSqsRecord(message: ReceivedMessage): SQSRecord {
    const messageAttributes: SQSMessageAttributes = {};
    for (const [name, attribute] of Object.entries(message.messageAttributes)) {
      messageAttributes[name] = {
        ...(attribute.StringValue !== undefined ? { stringValue: attribute.StringValue } : {}),
        ...(attribute.BinaryValue !== undefined ? { binaryValue: attribute.BinaryValue } : {}),
        stringListValues: [],
        binaryListValues: [],
        dataType: attribute.DataType,
      };
    }
    const { attributes } = message;
    return {
      messageId: message.messageId,
      receiptHandle: message.receiptHandle,
      body: message.body,
      attributes: {
        ApproximateReceiveCount: attributes['ApproximateReceiveCount'] ?? '1',
        SentTimestamp: attributes['SentTimestamp'] ?? '',
        SenderId: attributes['SenderId'] ?? '',
        ApproximateFirstReceiveTimestamp: attributes['ApproximateFirstReceiveTimestamp'] ?? '',
        ...pickDefined(attributes, ['SequenceNumber', 'MessageGroupId', 'MessageDeduplicationId', 'DeadLetterQueueSourceArn']),
      },
      messageAttributes,
      md5OfBody: message.md5OfBody,
      ...(message.md5OfMessageAttributes ? { md5OfMessageAttributes: message.md5OfMessageAttributes } : {}),
      eventSource: 'aws:sqs',
      eventSourceARN: this.options.queue.arn,
      awsRegion: this.awsRegion,
    };
  }
}

/**
 * The message ids a partial batch response reports; `'invalid'` when Lambda would reject the response.
 * A response without `batchItemFailures` (or with an empty list) means every item succeeded.
 */
function readBatchItemFailures(payload: unknown, batch: readonly ReceivedMessage[]): Set<string> | 'invalid' {
  const failures = (payload as Partial<SQSBatchResponse> | null)?.batchItemFailures;
  if (failures === undefined || failures === null) return new Set();
  if (!Array.isArray(failures)) return 'invalid';
  const batchIds = new Set(batch.map((message) => message.messageId));
  const failedIds = new Set<string>();
  for (const failure of failures) {
    const identifier: unknown = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof identifier !== 'string' || !batchIds.has(identifier)) return 'invalid';
    failedIds.add(identifier);
  }
  return failedIds;
}

function pickDefined(values: Readonly<Record<string, string>>, names: readonly string[]): Record<string, string> {
  return Object.fromEntries(names.flatMap((name) => (values[name] !== undefined ? [[name, values[name]]] : [])));
}
