import { startAwsJsonProtocolServer, type RunningAwsJsonServer } from '../http/aws-json-protocol-server';
import type { DurableQueue, ReceivedMessage, SendMessageRequest } from './durable-queue';
import type { MessageAttributes } from './message-digest';
import type { QueueRegistry } from './queue-registry';
import { SqsError } from './sqs-error';

/**
 * The SQS JSON protocol (`x-amz-target: AmazonSQS.<Operation>`, `application/x-amz-json-1.0`) over the
 * durable queues, so that the bundles' unmodified SDK v3 SQS client works with `endpoint` set here.
 */

export interface RunningSqsServer extends RunningAwsJsonServer {
  /** The QueueUrl a client uses for the queue: `<url>/<account>/<name>`. */
  queueUrl(queueName: string): string;
}

export async function startSqsServer(options: { registry: QueueRegistry; port?: number; host?: string }): Promise<RunningSqsServer> {
  const { registry } = options;
  let baseUrl = '';
  const queueUrl = (queueName: string) => `${baseUrl}/${registry.identity.accountId}/${queueName}`;
  const queueOf = (input: Record<string, unknown>): DurableQueue => registry.queueByUrl(requiredString(input, 'QueueUrl'));

  const server = await startAwsJsonProtocolServer({
    targetPrefix: 'AmazonSQS',
    errorNamespace: 'com.amazonaws.sqs',
    jsonVersion: '1.0',
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.host !== undefined ? { host: options.host } : {}),
    operations: {
      GetQueueUrl: (input) => ({ QueueUrl: queueUrl(registry.queueNamed(requiredString(input, 'QueueName')).name) }),
      SendMessage: async (input) => toSendMessageOutput(await queueOf(input).send(toSendMessageRequest(input))),
      SendMessageBatch: async (input) => {
        const queue = queueOf(input);
        const entries = (input['Entries'] as Record<string, unknown>[] | undefined) ?? [];
        if (entries.length === 0) throw new SqsError('EmptyBatchRequest', 'There should be at least one SendMessageBatchRequestEntry in the request.');
        // Sent in entry order (each send is written before the next starts); the entries share one fsync.
        const outcomes = await Promise.allSettled(entries.map((entry) => queue.send(toSendMessageRequest(entry))));
        const Successful: Record<string, unknown>[] = [];
        const Failed: Record<string, unknown>[] = [];
        outcomes.forEach((outcome, index) => {
          const id = entries[index]?.['Id'];
          if (outcome.status === 'fulfilled') {
            Successful.push({ Id: id, ...toSendMessageOutput(outcome.value) });
            return;
          }
          const error: unknown = outcome.reason;
          const sqsError = error instanceof SqsError ? error : new SqsError('InternalError', String(error));
          Failed.push({ Id: id, SenderFault: sqsError.queryErrorCode !== 'InternalError', Code: sqsError.queryErrorCode, Message: sqsError.message });
        });
        return { Successful, Failed };
      },
      ReceiveMessage: async (input) => {
        const queue = queueOf(input);
        const request = {
          maxMessages: numberOr(input['MaxNumberOfMessages'], 1),
          ...(input['VisibilityTimeout'] !== undefined ? { visibilityTimeoutSeconds: Number(input['VisibilityTimeout']) } : {}),
        };
        const waitTimeSeconds = numberOr(input['WaitTimeSeconds'], 0);
        const received = waitTimeSeconds > 0 ? await queue.receiveWaiting({ ...request, waitTimeSeconds }) : queue.receive(request);
        const systemAttributeNames = [
          ...((input['AttributeNames'] as string[] | undefined) ?? []),
          ...((input['MessageSystemAttributeNames'] as string[] | undefined) ?? []),
        ];
        const messageAttributeNames = (input['MessageAttributeNames'] as string[] | undefined) ?? [];
        return { Messages: received.map((message) => toWireMessage(message, systemAttributeNames, messageAttributeNames)) };
      },
      DeleteMessage: (input) => {
        queueOf(input).delete(requiredString(input, 'ReceiptHandle'));
        return {};
      },
      DeleteMessageBatch: (input) => {
        const queue = queueOf(input);
        const entries = (input['Entries'] as Record<string, unknown>[] | undefined) ?? [];
        for (const entry of entries) queue.delete(requiredString(entry, 'ReceiptHandle'));
        return { Successful: entries.map((entry) => ({ Id: entry['Id'] })), Failed: [] };
      },
      ChangeMessageVisibility: (input) => {
        queueOf(input).changeVisibility(requiredString(input, 'ReceiptHandle'), numberOr(input['VisibilityTimeout'], 0));
        return {};
      },
      GetQueueAttributes: (input) => {
        const attributes = queueOf(input).attributes();
        const requested = (input['AttributeNames'] as string[] | undefined) ?? ['All'];
        return { Attributes: pickNamed(attributes, requested) };
      },
      PurgeQueue: (input) => {
        queueOf(input).purge();
        return {};
      },
    },
  });
  baseUrl = server.url;
  return { ...server, queueUrl };
}

function toSendMessageRequest(input: Record<string, unknown>): SendMessageRequest {
  return {
    body: requiredString(input, 'MessageBody'),
    ...(input['DelaySeconds'] !== undefined ? { delaySeconds: Number(input['DelaySeconds']) } : {}),
    ...(input['MessageAttributes'] !== undefined ? { messageAttributes: input['MessageAttributes'] as MessageAttributes } : {}),
    ...(typeof input['MessageGroupId'] === 'string' ? { messageGroupId: input['MessageGroupId'] } : {}),
    ...(typeof input['MessageDeduplicationId'] === 'string' ? { messageDeduplicationId: input['MessageDeduplicationId'] } : {}),
  };
}

function toSendMessageOutput(result: Awaited<ReturnType<DurableQueue['send']>>): Record<string, unknown> {
  return {
    MessageId: result.messageId,
    MD5OfMessageBody: result.md5OfBody,
    ...(result.md5OfMessageAttributes ? { MD5OfMessageAttributes: result.md5OfMessageAttributes } : {}),
    ...(result.sequenceNumber ? { SequenceNumber: result.sequenceNumber } : {}),
  };
}

/** Only the attributes the caller asked for, as SQS does (`All`, exact names, `prefix.*` for message attributes). */
function toWireMessage(message: ReceivedMessage, systemAttributeNames: readonly string[], messageAttributeNames: readonly string[]): Record<string, unknown> {
  const attributes = pickNamed(message.attributes, systemAttributeNames);
  const messageAttributes = pickNamed(message.messageAttributes, messageAttributeNames);
  return {
    MessageId: message.messageId,
    ReceiptHandle: message.receiptHandle,
    MD5OfBody: message.md5OfBody,
    Body: message.body,
    ...(Object.keys(attributes).length > 0 ? { Attributes: attributes } : {}),
    ...(Object.keys(messageAttributes).length > 0
      ? { MessageAttributes: messageAttributes, MD5OfMessageAttributes: message.md5OfMessageAttributes }
      : {}),
  };
}

function pickNamed<T>(values: Readonly<Record<string, T>>, names: readonly string[]): Record<string, T> {
  const wantsAll = names.includes('All') || names.includes('.*');
  const prefixes = names.filter((name) => name.endsWith('.*')).map((name) => name.slice(0, -1));
  return Object.fromEntries(
    Object.entries(values).filter(([name]) => wantsAll || names.includes(name) || prefixes.some((prefix) => name.startsWith(prefix))),
  );
}

function requiredString(input: Record<string, unknown>, name: string): string {
  const value = input[name];
  if (typeof value !== 'string') throw new SqsError('MissingParameter', `The request must contain the parameter ${name}.`);
  return value;
}

function numberOr(value: unknown, fallback: number): number {
  return value === undefined ? fallback : Number(value);
}
