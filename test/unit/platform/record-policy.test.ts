import { ChangeMessageVisibilityCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { canonicalEventSchema } from '../../../events/catalog';
import { FlowQueue } from '../../../functions/platform/flow-queue';
import { BACKOFF_BASE_SECONDS } from '../../../functions/platform/retry-backoff';
import { PermanentSyncError, RetryableSyncError } from '../../../functions/platform/errors';
import { createFlowRecordHandler } from '../../../functions/platform/record-policy';
import { metrics } from '../../../functions/platform/powertools';

const sqs = mockClient(SQSClient);
const sample = JSON.parse(readFileSync(new URL('../../../events/samples/customer.upserted.v2.json', import.meta.url), 'utf8'));

const NOW = Date.parse('2026-12-02T12:00:00Z');

function record(detail: unknown, receiveCount = 1, body?: string, firstReceivedAt = NOW): SQSRecord {
  return {
    messageId: 'm-1',
    receiptHandle: 'rh-1',
    body: body ?? JSON.stringify({ version: '0', id: 'eb-1', 'detail-type': 'customer.upserted', source: 'odoo-saas-sync', detail }),
    attributes: { ApproximateReceiveCount: String(receiveCount), ApproximateFirstReceiveTimestamp: String(firstReceivedAt) },
    messageAttributes: {},
  } as unknown as SQSRecord;
}
function handlerWith(apply: () => Promise<{ outcome: string }>) {
  return createFlowRecordHandler({
    flowName: 'customer-sync',
    schema: canonicalEventSchema,
    apply,
    queue: new FlowQueue(new SQSClient({ region: 'eu-west-1' }), 'https://sqs/queue', 'https://sqs/dlq'),
    maxReceiveCount: 20,
    now: () => NOW,
  });
}
function deadLettered() {
  return sqs.commandCalls(SendMessageCommand).map((call) => call.args[0].input);
}

beforeEach(() => {
  sqs.reset();
  sqs.on(SendMessageCommand).resolves({ MessageId: 'dlq-1' });
  sqs.on(ChangeMessageVisibilityCommand).resolves({});
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
});

describe('flow record policy', () => {
  it('applies a valid canonical event and counts its outcome', async () => {
    const addMetric = vi.spyOn(metrics, 'addMetric');
    const apply = vi.fn(async () => ({ outcome: 'upserted' }));
    await handlerWith(apply)(record(sample));
    expect(apply).toHaveBeenCalledWith(canonicalEventSchema.parse(sample));
    expect(addMetric).toHaveBeenCalledWith('EventUpserted', 'Count', 1);
    expect(deadLettered()).toEqual([]);
  });

  it('applies an archived event of an older version, upcast to the current one', async () => {
    const older = JSON.parse(readFileSync(new URL('../../../events/samples/customer.upserted.v1.json', import.meta.url), 'utf8'));
    const apply = vi.fn(async () => ({ outcome: 'upserted' }));
    await handlerWith(apply)(record(older));
    expect(apply).toHaveBeenCalledWith(canonicalEventSchema.parse(sample));
    expect(deadLettered()).toEqual([]);
  });

  it('dead-letters a record that is not a canonical event at once, with the reason, and does not fail the batch', async () => {
    const apply = vi.fn(async () => ({ outcome: 'upserted' }));
    await expect(handlerWith(apply)(record({ ...sample, dataVersion: 9 }))).resolves.toBeUndefined();
    await expect(handlerWith(apply)(record(undefined, 1, 'not json'))).resolves.toBeUndefined();
    expect(apply).not.toHaveBeenCalled();
    const [first, second] = deadLettered();
    expect(first?.QueueUrl).toBe('https://sqs/dlq');
    expect(first?.MessageAttributes?.ErrorType?.StringValue).toBe('InvalidEventError');
    expect(first?.MessageAttributes?.FailureReason?.StringValue).toMatch(/not a canonical event this flow handles: dataVersion/);
    expect(second?.MessageAttributes?.FailureReason?.StringValue).toBe('message body is not JSON');
    expect(second?.MessageBody).toBe('not json');
  });

  it('dead-letters a permanent failure on its first delivery, keeping the body and the correlation id', async () => {
    const body = record(sample).body;
    await handlerWith(async () => {
      throw new PermanentSyncError('Odoo: The VAT number is invalid');
    })(record(sample));
    const [message] = deadLettered();
    expect(message?.MessageBody).toBe(body);
    expect(message?.MessageAttributes).toMatchObject({
      Flow: { StringValue: 'customer-sync' },
      ErrorType: { StringValue: 'PermanentSyncError' },
      FailureReason: { StringValue: 'Odoo: The VAT number is invalid' },
      ReceiveCount: { StringValue: '1' },
      CorrelationId: { StringValue: sample.correlationId },
    });
  });

  it('retries a transient failure after a backoff and fails the record so it comes back', async () => {
    const failing = handlerWith(async () => {
      throw new RetryableSyncError('Odoo timed out');
    });
    await expect(failing(record(sample, 1))).rejects.toThrow('Odoo timed out');
    const [visibility] = sqs.commandCalls(ChangeMessageVisibilityCommand).map((call) => call.args[0].input);
    expect(visibility).toMatchObject({ QueueUrl: 'https://sqs/queue', ReceiptHandle: 'rh-1' });
    expect(visibility?.VisibilityTimeout).toBeGreaterThanOrEqual(BACKOFF_BASE_SECONDS / 2);
    expect(visibility?.VisibilityTimeout).toBeLessThanOrEqual(BACKOFF_BASE_SECONDS);
    expect(deadLettered()).toEqual([]);
  });

  it('keeps retrying a transient failure for an hour after its first delivery, whatever the receive count below the limit', async () => {
    const failing = handlerWith(async () => {
      throw new RetryableSyncError('Odoo is restarting');
    });
    // 59 minutes of failures on the 12th delivery: still retried.
    await expect(failing(record(sample, 12, undefined, NOW - 59 * 60_000))).rejects.toThrow('Odoo is restarting');
    expect(deadLettered()).toEqual([]);
    // An hour: dead-lettered with the reason.
    await expect(failing(record(sample, 13, undefined, NOW - 60 * 60_000))).resolves.toBeUndefined();
    expect(deadLettered()[0]?.MessageAttributes).toMatchObject({ FailureReason: { StringValue: 'Odoo is restarting' }, ReceiveCount: { StringValue: '13' } });
  });

  it('waits for an open breaker’s next trial before the retry, and counts the refused call', async () => {
    const addMetric = vi.spyOn(metrics, 'addMetric');
    const breakerOpen = Object.assign(new Error('Odoo circuit open after 5 consecutive failures; next trial in 120000 ms'), {
      name: 'OdooCircuitOpenError',
      retryable: true,
      retryAfterMs: 120_000,
    });
    await expect(
      handlerWith(async () => {
        throw breakerOpen;
      })(record(sample, 1)),
    ).rejects.toThrow('circuit open');
    const [visibility] = sqs.commandCalls(ChangeMessageVisibilityCommand).map((call) => call.args[0].input);
    // Not the 5–10 s of a first backoff: it would fail fast again and burn a receive.
    expect(visibility?.VisibilityTimeout).toBeGreaterThanOrEqual(120);
    expect(addMetric).toHaveBeenCalledWith('OdooCircuitOpen', 'Count', 1);
    addMetric.mockRestore();
  });

  it('dead-letters a transient failure on its last delivery with the reason, instead of losing the reason to the redrive policy', async () => {
    await expect(
      handlerWith(async () => {
        throw new RetryableSyncError('Odoo timed out');
      })(record(sample, 20)),
    ).resolves.toBeUndefined();
    expect(deadLettered()[0]?.MessageAttributes).toMatchObject({ FailureReason: { StringValue: 'Odoo timed out' }, ReceiveCount: { StringValue: '20' } });
  });
});
