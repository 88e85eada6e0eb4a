import { ChangeMessageVisibilityCommand, type SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';

/** What an operator sees on a dead-lettered message, beside the untouched original body. */
export interface FailureReport {
  readonly flow: string;
  readonly errorType: string;
  readonly reason: string;
  readonly receiveCount: number;
  readonly correlationId?: string;
}

/** SQS caps a message attribute value far above this; a reason this long is already unreadable. */
const MAX_REASON_LENGTH = 1000;

/**
 * The flow's own queue and its DLQ, for the two things the event source mapping cannot do:
 * dead-letter a record at once with the reason it failed, and delay a retry with backoff.
 */
export class FlowQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
    private readonly dlqUrl: string,
  ) {}

  /** Copies the record to the DLQ with the failure as message attributes; the body stays as it came, so a redrive replays it. */
  async deadLetter(record: SQSRecord, failure: FailureReport): Promise<void> {
    const text = (value: string) => ({ DataType: 'String', StringValue: value });
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.dlqUrl,
        MessageBody: record.body,
        MessageAttributes: {
          Flow: text(failure.flow),
          ErrorType: text(failure.errorType),
          FailureReason: text(failure.reason.slice(0, MAX_REASON_LENGTH) || '(no message)'),
          ReceiveCount: { DataType: 'Number', StringValue: String(failure.receiveCount) },
          FailedAt: text(new Date().toISOString()),
          SourceMessageId: text(record.messageId),
          ...(failure.correlationId ? { CorrelationId: text(failure.correlationId) } : {}),
        },
      }),
    );
  }

  /** Makes the record visible again after `seconds` instead of the queue's fixed visibility timeout. */
  async delayRetry(record: SQSRecord, seconds: number): Promise<void> {
    await this.client.send(
      new ChangeMessageVisibilityCommand({ QueueUrl: this.queueUrl, ReceiptHandle: record.receiptHandle, VisibilityTimeout: seconds }),
    );
  }
}
