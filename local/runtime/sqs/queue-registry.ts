import { join } from 'node:path';
import { DEFAULT_LOCAL_IDENTITY, resourceNameOfArn, type LocalAwsIdentity } from '../local-aws-identity';
import { DurableQueue, withoutDeliveryState, type DurableQueueOptions, type QueueSettings } from './durable-queue';
import { SqsError } from './sqs-error';

/**
 * Every queue of the local runtime, so a queue can find its DLQ by ARN and an operator can redrive a DLQ.
 * Queue journals live in `<dataDirectory>/sqs/<queue name>.jsonl`.
 */
export class QueueRegistry {
  readonly identity: LocalAwsIdentity;
  private readonly queues = new Map<string, DurableQueue>();

  constructor(
    private readonly options: {
      dataDirectory: string;
      identity?: LocalAwsIdentity;
      now?: () => number;
      /** Told when a message becomes receivable in any queue (tracing). */
      onMessageVisible?: DurableQueueOptions['onMessageVisible'];
    },
  ) {
    this.identity = options.identity ?? DEFAULT_LOCAL_IDENTITY;
  }

  /** Opens (restoring its journal) or returns the queue; create DLQs before or after, lookups are lazy. */
  createQueue(settings: QueueSettings): DurableQueue {
    const existing = this.queues.get(settings.name);
    if (existing) return existing;
    const queue = new DurableQueue({
      settings,
      dataDirectory: join(this.options.dataDirectory, 'sqs'),
      identity: this.identity,
      findQueueByArn: (arn) => this.queues.get(resourceNameOfArn(arn)),
      ...(this.options.now ? { now: this.options.now } : {}),
      ...(this.options.onMessageVisible ? { onMessageVisible: this.options.onMessageVisible } : {}),
    });
    this.queues.set(settings.name, queue);
    return queue;
  }

  queueNamed(name: string): DurableQueue {
    const queue = this.queues.get(name);
    if (!queue) throw new SqsError('QueueDoesNotExist', 'The specified queue does not exist.');
    return queue;
  }

  queueByArn(arn: string): DurableQueue {
    return this.queueNamed(resourceNameOfArn(arn));
  }

  /** Any queue URL form (`http://host/<account>/<name>`, SQS's own host): the name is the last segment. */
  queueByUrl(queueUrl: string): DurableQueue {
    const name = new URL(queueUrl).pathname.split('/').filter(Boolean).pop() ?? '';
    return this.queueNamed(name);
  }

  /**
   * Moves every DLQ message back to the queue it came from (or to `destinationQueueName`), with its
   * receive count and last error reset, like the console's "Start DLQ redrive". Returns how many moved.
   */
  redrive(request: { deadLetterQueueName: string; destinationQueueName?: string }): number {
    const deadLetterQueue = this.queueNamed(request.deadLetterQueueName);
    let moved = 0;
    for (const message of deadLetterQueue.storedMessages()) {
      const destination = request.destinationQueueName
        ? this.queueNamed(request.destinationQueueName)
        : message.deadLetterQueueSourceArn
          ? this.queueByArn(message.deadLetterQueueSourceArn)
          : undefined;
      if (!destination) continue;
      const { lastError: _lastError, deadLetterQueueSourceArn: _source, ...original } = withoutDeliveryState(message);
      destination.acceptTransferred(original);
      deadLetterQueue.remove(message.messageId);
      moved += 1;
    }
    return moved;
  }

  close(): void {
    for (const queue of this.queues.values()) queue.close();
    this.queues.clear();
  }
}
