import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueRegistry } from '../../../local/runtime/sqs/queue-registry';
import { startSqsServer, type RunningSqsServer } from '../../../local/runtime/sqs/sqs-json-server';

let dataDirectory: string;
let registry: QueueRegistry;
let server: RunningSqsServer;
let sqs: SQSClient;

beforeAll(async () => {
  dataDirectory = mkdtempSync(join(tmpdir(), 'sqs-server-'));
  registry = new QueueRegistry({ dataDirectory });
  registry.createQueue({ name: 'invoices', visibilityTimeoutSeconds: 30 });
  registry.createQueue({ name: 'customers.fifo', contentBasedDeduplication: true });
  server = await startSqsServer({ registry });
  sqs = new SQSClient({ endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
});
afterAll(async () => {
  sqs.destroy();
  await server.close();
  registry.close();
  rmSync(dataDirectory, { recursive: true, force: true });
});

describe('SQS JSON protocol endpoint, driven by the unmodified AWS SDK v3', () => {
  it('resolves a queue URL and round-trips a message with attributes (the SDK checks the MD5s)', async () => {
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: 'invoices' }));
    expect(QueueUrl).toBe(`${server.url}/000000000000/invoices`);

    const sent = await sqs.send(
      new SendMessageCommand({
        QueueUrl,
        MessageBody: '{"invoice":"in_1","amount":1999}',
        MessageAttributes: { correlationId: { DataType: 'String', StringValue: 'corr-1' } },
      }),
    );
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['All'], MessageAttributeNames: ['All'] }),
    );

    expect(Messages).toHaveLength(1);
    const [message] = Messages ?? [];
    expect(message).toMatchObject({
      MessageId: sent.MessageId,
      Body: '{"invoice":"in_1","amount":1999}',
      MessageAttributes: { correlationId: { DataType: 'String', StringValue: 'corr-1' } },
      MD5OfMessageAttributes: sent.MD5OfMessageAttributes,
      Attributes: { ApproximateReceiveCount: '1' },
    });

    await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: message?.ReceiptHandle }));
    const attributes = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }));
    expect(attributes.Attributes).toMatchObject({ ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' });
  });

  it('sends a batch to a FIFO queue and receives it in order with group and sequence number', async () => {
    const QueueUrl = server.queueUrl('customers.fifo');
    const batch = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl,
        Entries: ['first', 'second', 'third'].map((body, index) => ({ Id: String(index), MessageBody: body, MessageGroupId: 'cus_1' })),
      }),
    );
    expect(batch.Successful?.map((entry) => entry.Id)).toEqual(['0', '1', '2']);
    expect(batch.Successful?.[0]?.SequenceNumber).toMatch(/^\d{20}$/);

    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['MessageGroupId'] }));
    expect(Messages?.map((message) => message.Body)).toEqual(['first', 'second', 'third']);
    expect(Messages?.[0]?.Attributes).toEqual({ MessageGroupId: 'cus_1' });
  });

  it('makes a message visible again through ChangeMessageVisibility', async () => {
    const QueueUrl = server.queueUrl('invoices');
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'retry' }));
    const first = await sqs.send(new ReceiveMessageCommand({ QueueUrl }));
    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: first.Messages?.[0]?.ReceiptHandle, VisibilityTimeout: 0 }));
    const second = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }));
    expect(second.Messages?.[0]?.Attributes?.ApproximateReceiveCount).toBe('2');
    await sqs.send(new PurgeQueueCommand({ QueueUrl }));
  });

  it('long-polls: a ReceiveMessage with WaitTimeSeconds returns the message sent while it waits', async () => {
    const QueueUrl = server.queueUrl('invoices');
    const waiting = sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 5 }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'arrived while polling' }));
    const { Messages } = await waiting;
    expect(Messages?.[0]?.Body).toBe('arrived while polling');
    await sqs.send(new PurgeQueueCommand({ QueueUrl }));
  });

  it('answers an unknown queue with the QueueDoesNotExist error the SDK maps', async () => {
    const error = await sqs.send(new GetQueueUrlCommand({ QueueName: 'nope' })).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'QueueDoesNotExist', $metadata: { httpStatusCode: 400 } });
  });
});
