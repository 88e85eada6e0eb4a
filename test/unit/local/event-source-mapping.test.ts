import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SQSEvent } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LambdaFunctionPool, type InvokeFunction, type LambdaInvocationResult } from '../../../local/runtime/lambda/function-pool';
import { SqsEventSourceMapping, type SqsEventSourceMappingOptions } from '../../../local/runtime/sqs/event-source-mapping';
import type { ReceivedMessage } from '../../../local/runtime/sqs/durable-queue';
import { QueueRegistry } from '../../../local/runtime/sqs/queue-registry';

let dataDirectory: string;
let registry: QueueRegistry;
let mapping: SqsEventSourceMapping | undefined;

beforeEach(() => {
  dataDirectory = mkdtempSync(join(tmpdir(), 'event-source-mapping-'));
  registry = new QueueRegistry({ dataDirectory });
});
afterEach(async () => {
  await mapping?.stop();
  mapping = undefined;
  registry.close();
  rmSync(dataDirectory, { recursive: true, force: true });
});

const succeeded = (payload: unknown = null): LambdaInvocationResult => ({ status: 'succeeded', payload, requestId: 'r' });

/** A function double that records each event and answers with `respond`. */
function recordingFunction(respond: (event: SQSEvent) => LambdaInvocationResult | Promise<LambdaInvocationResult>) {
  const events: SQSEvent[] = [];
  const invoke: InvokeFunction = async (event) => {
    events.push(event as SQSEvent);
    return respond(event as SQSEvent);
  };
  return { events, invoke };
}

function startMapping(options: SqsEventSourceMappingOptions): void {
  mapping = new SqsEventSourceMapping(options);
  mapping.start();
}

async function eventually(assertion: () => void, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return assertion();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

describe('SQS event source mapping', () => {
  it('invokes the function with the SQS event Lambda builds', async () => {
    const queue = registry.createQueue({ name: 'customers.fifo' });
    await queue.send({
      body: '{"customer":"cus_1"}',
      messageGroupId: 'cus_1',
      messageDeduplicationId: 'evt_1',
      messageAttributes: { correlationId: { DataType: 'String', StringValue: 'corr-1' } },
    });
    const fn = recordingFunction(() => succeeded());

    startMapping({ queue, invoke: fn.invoke });
    await eventually(() => expect(fn.events).toHaveLength(1));

    const [record] = fn.events[0]?.Records ?? [];
    expect(record).toEqual({
      messageId: expect.any(String),
      receiptHandle: expect.any(String),
      body: '{"customer":"cus_1"}',
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: expect.stringMatching(/^\d{13}$/),
        SenderId: '000000000000',
        ApproximateFirstReceiveTimestamp: expect.stringMatching(/^\d{13}$/),
        SequenceNumber: expect.stringMatching(/^\d{20}$/),
        MessageGroupId: 'cus_1',
        MessageDeduplicationId: 'evt_1',
      },
      messageAttributes: { correlationId: { stringValue: 'corr-1', stringListValues: [], binaryListValues: [], dataType: 'String' } },
      md5OfBody: createHash('md5').update('{"customer":"cus_1"}').digest('hex'),
      md5OfMessageAttributes: expect.stringMatching(/^[0-9a-f]{32}$/),
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:customers.fifo',
      awsRegion: 'us-east-1',
    });
    await eventually(() => expect(queue.attributes()['ApproximateNumberOfMessagesNotVisible']).toBe('0'));
    expect(queue.storedMessages()).toEqual([]);
  });

  it('never puts more than BatchSize messages in one event', async () => {
    const queue = registry.createQueue({ name: 'invoices' });
    for (let index = 0; index < 12; index += 1) await queue.send({ body: String(index) });
    const fn = recordingFunction(() => succeeded());

    startMapping({ queue, invoke: fn.invoke, batchSize: 5 });
    await eventually(() => expect(fn.events.flatMap((event) => event.Records)).toHaveLength(12));

    expect(Math.max(...fn.events.map((event) => event.Records.length))).toBeLessThanOrEqual(5);
  });

  it('gathers messages for the batching window into one batch beyond ten', async () => {
    const queue = registry.createQueue({ name: 'invoices' });
    for (let index = 0; index < 15; index += 1) await queue.send({ body: String(index) });
    const fn = recordingFunction(() => succeeded());

    startMapping({ queue, invoke: fn.invoke, batchSize: 100, maximumBatchingWindowInSeconds: 0.3, maximumConcurrency: 2 });
    await eventually(() => expect(fn.events.flatMap((event) => event.Records)).toHaveLength(15));

    expect(fn.events.map((event) => event.Records.length)).toEqual([15]);
  });

  it('deletes all but the items reported in batchItemFailures, and records why those failed', async () => {
    const queue = registry.createQueue({ name: 'invoices', visibilityTimeoutSeconds: 60 });
    for (const body of ['ok-1', 'bad', 'ok-2']) await queue.send({ body });
    const fn = recordingFunction((event) =>
      succeeded({ batchItemFailures: event.Records.filter((record) => record.body === 'bad').map((record) => ({ itemIdentifier: record.messageId })) }),
    );

    startMapping({ queue, invoke: fn.invoke, reportBatchItemFailures: true, batchSize: 10, maximumBatchingWindowInSeconds: 0.2 });
    await eventually(() => expect(queue.storedMessages().map((message) => message.body)).toEqual(['bad']));

    expect(queue.storedMessages()[0]?.lastError).toBe('Reported in batchItemFailures');
  });

  it('fails the whole batch on an invalid partial response', async () => {
    const queue = registry.createQueue({ name: 'invoices', visibilityTimeoutSeconds: 60 });
    for (const body of ['a', 'b']) await queue.send({ body });
    const fn = recordingFunction(() => succeeded({ batchItemFailures: [{ itemIdentifier: 'not-in-this-batch' }] }));

    startMapping({ queue, invoke: fn.invoke, reportBatchItemFailures: true, maximumBatchingWindowInSeconds: 0.2 });
    await eventually(() => expect(fn.events).toHaveLength(1));

    await eventually(() => expect(queue.attributes()['ApproximateNumberOfMessagesNotVisible']).toBe('2'));
    expect(queue.storedMessages().every((message) => message.lastError?.startsWith('Invalid batchItemFailures'))).toBe(true);
  });

  it('returns a batch whose function threw after the visibility timeout, then moves it to the DLQ with the error', async () => {
    const deadLetterQueue = registry.createQueue({ name: 'invoices-dlq' });
    const queue = registry.createQueue({
      name: 'invoices',
      visibilityTimeoutSeconds: 0.2,
      redrivePolicy: { deadLetterTargetArn: deadLetterQueue.arn, maxReceiveCount: 2 },
    });
    await queue.send({ body: 'poison' });
    const fn = recordingFunction(() => ({
      status: 'failed',
      requestId: 'r',
      error: { errorType: 'OdooValidationError', errorMessage: 'partner has no country' },
    }));

    startMapping({ queue, invoke: fn.invoke });
    await eventually(() => expect(deadLetterQueue.storedMessages()).toHaveLength(1));

    expect(fn.events.map((event) => event.Records[0]?.attributes.ApproximateReceiveCount)).toEqual(['1', '2']);
    expect(deadLetterQueue.storedMessages()[0]).toMatchObject({ body: 'poison', lastError: 'OdooValidationError: partner has no country' });
  });

  it('keeps at most MaximumConcurrency batches in flight', async () => {
    const queue = registry.createQueue({ name: 'invoices' });
    for (let index = 0; index < 8; index += 1) await queue.send({ body: String(index) });
    let inFlight = 0;
    let mostInFlight = 0;
    const fn = recordingFunction(async () => {
      inFlight += 1;
      mostInFlight = Math.max(mostInFlight, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 50));
      inFlight -= 1;
      return succeeded();
    });

    startMapping({ queue, invoke: fn.invoke, batchSize: 1, maximumConcurrency: 3 });
    await eventually(() => expect(fn.events).toHaveLength(8));

    expect(mostInFlight).toBe(3);
  });

  it('drives a real bundle in the function pool end to end', async () => {
    const codeDirectory = join(dataDirectory, 'asset.flow');
    mkdirSync(codeDirectory);
    writeFileSync(
      join(codeDirectory, 'index.mjs'),
      `export const handler = async (event) => ({
         batchItemFailures: event.Records.filter((r) => JSON.parse(r.body).fail).map((r) => ({ itemIdentifier: r.messageId })),
       });`,
    );
    const pool = new LambdaFunctionPool({ functionName: 'invoice-flow', codeDirectory, handler: 'index.handler' });
    const queue = registry.createQueue({ name: 'invoices', visibilityTimeoutSeconds: 60 });
    await queue.send({ body: '{"fail":false}' });
    await queue.send({ body: '{"fail":true}' });

    try {
      startMapping({ queue, invoke: pool.invoke, reportBatchItemFailures: true, maximumBatchingWindowInSeconds: 0.2 });
      await eventually(() => expect(queue.storedMessages().map((message) => message.body)).toEqual(['{"fail":true}']));
    } finally {
      await mapping?.stop();
      await pool.close();
    }
  });
});

describe('SQS event source mapping: when it invokes', () => {
  it('is woken by a send: an idle mapping invokes without any of its poll timers firing', async () => {
    const queue = registry.createQueue({ name: 'invoices' });
    let invoked!: (event: SQSEvent) => void;
    const invocation = new Promise<SQSEvent>((resolve) => {
      invoked = resolve;
    });
    // Timers (and the clock they run on) only move when told: only the send can end the mapping's long poll.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    try {
      startMapping({
        queue,
        invoke: async (event) => {
          invoked(event as SQSEvent);
          return succeeded();
        },
      });
      // Let the mapping settle into its (timer-bound, here frozen) long poll.
      for (let turn = 0; turn < 5; turn += 1) await new Promise((resolve) => setImmediate(resolve));
      const { messageId } = await queue.send({ body: 'now' });
      expect((await invocation).Records.map((record) => record.messageId)).toEqual([messageId]);
      const stopping = mapping?.stop();
      await vi.advanceTimersByTimeAsync(1_000);
      await stopping;
      mapping = undefined;
    } finally {
      vi.useRealTimers();
    }
  });

  it('keeps the batching window open for the whole window from the first message, never less', async () => {
    const visibleAt = new Map<string, number>();
    registry.close();
    registry = new QueueRegistry({ dataDirectory, onMessageVisible: (_queue, message) => visibleAt.set(message.messageId, performance.now()) });
    const queue = registry.createQueue({ name: 'invoices' });
    const invokedAt: number[] = [];
    const fn = recordingFunction(() => {
      invokedAt.push(performance.now());
      return succeeded();
    });
    startMapping({ queue, invoke: fn.invoke, maximumBatchingWindowInSeconds: 0.1 });

    for (let round = 0; round < 3; round += 1) {
      const { messageId } = await queue.send({ body: `round ${round}` });
      await eventually(() => expect(fn.events).toHaveLength(round + 1));
      const waitedMs = (invokedAt[round] ?? 0) - (visibleAt.get(messageId) ?? Number.NaN);
      expect(waitedMs).toBeGreaterThanOrEqual(100);
      // Closed on time, not on the next timer tick or poll: generous bound for a busy machine.
      expect(waitedMs).toBeLessThan(150);
    }
  });

  it('reports a batch settled after its messages are deleted', async () => {
    const queue = registry.createQueue({ name: 'invoices' });
    await queue.send({ body: 'done' });
    const settled = new Promise<{ batch: readonly ReceivedMessage[]; left: number }>((resolve) => {
      startMapping({ queue, invoke: async () => succeeded(), onBatchSettled: (batch) => resolve({ batch, left: queue.storedMessages().length }) });
    });
    const { batch, left } = await settled;
    expect(batch.map((message) => message.body)).toEqual(['done']);
    expect(left).toBe(0);
  });
});
