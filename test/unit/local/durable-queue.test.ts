import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { QueueRegistry } from '../../../local/runtime/sqs/queue-registry';

const REPOSITORY_ROOT = resolve(import.meta.dirname, '../../..');

let dataDirectory: string;
let clock: number;
let registry: QueueRegistry;

const openRegistry = () => new QueueRegistry({ dataDirectory, now: () => clock });
const advanceSeconds = (seconds: number) => {
  clock += seconds * 1000;
};

beforeEach(() => {
  dataDirectory = mkdtempSync(join(tmpdir(), 'durable-queue-'));
  clock = Date.parse('2026-03-01T10:00:00Z');
  registry = openRegistry();
});
afterEach(() => {
  registry.close();
  rmSync(dataDirectory, { recursive: true, force: true });
});

describe('standard queue', () => {
  it('hides a received message for the visibility timeout, then redelivers it with a higher receive count', () => {
    const queue = registry.createQueue({ name: 'invoices', visibilityTimeoutSeconds: 30 });
    const { messageId } = queue.send({ body: 'invoice 1' });

    const [first] = queue.receive();
    expect(first).toMatchObject({ messageId, body: 'invoice 1', attributes: { ApproximateReceiveCount: '1' } });
    expect(queue.receive()).toEqual([]);

    advanceSeconds(31);
    const [second] = queue.receive();
    expect(second?.attributes['ApproximateReceiveCount']).toBe('2');
    expect(second?.receiptHandle).not.toBe(first?.receiptHandle);
  });

  it('deletes with the latest receipt handle only; an older one succeeds without deleting, as in SQS', () => {
    const queue = registry.createQueue({ name: 'invoices', visibilityTimeoutSeconds: 1 });
    queue.send({ body: 'invoice 1' });
    const [first] = queue.receive();
    advanceSeconds(2);
    const [second] = queue.receive();

    queue.delete(first?.receiptHandle ?? '');
    advanceSeconds(2);
    const [third] = queue.receive();
    expect(third?.messageId).toBe(second?.messageId);

    queue.delete(third?.receiptHandle ?? '');
    advanceSeconds(2);
    expect(queue.receive()).toEqual([]);
  });

  it('holds a message back for its DelaySeconds', () => {
    const queue = registry.createQueue({ name: 'invoices' });
    queue.send({ body: 'later', delaySeconds: 10 });
    expect(queue.receive()).toEqual([]);
    expect(queue.attributes()['ApproximateNumberOfMessagesDelayed']).toBe('1');
    advanceSeconds(10);
    expect(queue.receive().map((message) => message.body)).toEqual(['later']);
  });

  it('drops messages older than the retention period', () => {
    const queue = registry.createQueue({ name: 'invoices', messageRetentionSeconds: 60 });
    queue.send({ body: 'stale' });
    advanceSeconds(61);
    expect(queue.receive()).toEqual([]);
    expect(queue.attributes()['ApproximateNumberOfMessages']).toBe('0');
  });

  it('changes the visibility of an in-flight message', () => {
    const queue = registry.createQueue({ name: 'invoices', visibilityTimeoutSeconds: 300 });
    queue.send({ body: 'retry me soon' });
    const [message] = queue.receive();
    queue.changeVisibility(message?.receiptHandle ?? '', 5);
    advanceSeconds(5);
    expect(queue.receive()).toHaveLength(1);
  });
});

describe('dead-letter queue and redrive', () => {
  it('moves a message to the DLQ after maxReceiveCount receives, with its last error, and redrives it back', () => {
    const deadLetterQueue = registry.createQueue({ name: 'invoices-dlq' });
    const queue = registry.createQueue({
      name: 'invoices',
      visibilityTimeoutSeconds: 10,
      redrivePolicy: { deadLetterTargetArn: deadLetterQueue.arn, maxReceiveCount: 2 },
    });
    const { messageId } = queue.send({ body: 'poison' });
    for (let attempt = 1; attempt <= 2; attempt += 1) {
      const [received] = queue.receive();
      queue.recordFailure(received?.receiptHandle ?? '', `Odoo rejected the invoice (attempt ${attempt})`);
      advanceSeconds(11);
    }

    expect(queue.receive()).toEqual([]);
    const [dead] = deadLetterQueue.storedMessages();
    expect(dead).toMatchObject({
      messageId,
      body: 'poison',
      lastError: 'Odoo rejected the invoice (attempt 2)',
      deadLetterQueueSourceArn: queue.arn,
    });
    expect(deadLetterQueue.receive()[0]?.attributes['DeadLetterQueueSourceArn']).toBe(queue.arn);

    expect(registry.redrive({ deadLetterQueueName: 'invoices-dlq' })).toBe(1);
    expect(deadLetterQueue.storedMessages()).toEqual([]);
    const [redriven] = queue.receive();
    expect(redriven).toMatchObject({ messageId, body: 'poison', attributes: { ApproximateReceiveCount: '1' } });
  });
});

describe('FIFO queue', () => {
  it('delivers a group in order and holds the group while one of its messages is in flight', () => {
    const queue = registry.createQueue({ name: 'customers.fifo', visibilityTimeoutSeconds: 30 });
    queue.send({ body: 'a1', messageGroupId: 'a', messageDeduplicationId: 'a1' });
    queue.send({ body: 'a2', messageGroupId: 'a', messageDeduplicationId: 'a2' });
    queue.send({ body: 'b1', messageGroupId: 'b', messageDeduplicationId: 'b1' });

    const [a1] = queue.receive();
    expect(a1?.body).toBe('a1');
    expect(a1?.attributes).toMatchObject({ MessageGroupId: 'a', MessageDeduplicationId: 'a1', SequenceNumber: expect.stringMatching(/^\d{20}$/) });
    // a2 waits behind the in-flight a1; group b is free.
    expect(queue.receive({ maxMessages: 10 }).map((message) => message.body)).toEqual(['b1']);

    queue.delete(a1?.receiptHandle ?? '');
    expect(queue.receive({ maxMessages: 10 }).map((message) => message.body)).toEqual(['a2']);
  });

  it('returns several messages of one group in order in one batch', () => {
    const queue = registry.createQueue({ name: 'customers.fifo', contentBasedDeduplication: true });
    for (const body of ['1', '2', '3']) queue.send({ body, messageGroupId: 'g' });
    expect(queue.receive({ maxMessages: 10 }).map((message) => message.body)).toEqual(['1', '2', '3']);
  });

  it('drops a duplicate within five minutes and answers with the original message id', () => {
    const queue = registry.createQueue({ name: 'customers.fifo' });
    const original = queue.send({ body: 'created', messageGroupId: 'c', messageDeduplicationId: 'evt_1' });
    const duplicate = queue.send({ body: 'created', messageGroupId: 'c', messageDeduplicationId: 'evt_1' });
    expect(duplicate.messageId).toBe(original.messageId);
    const received = queue.receive({ maxMessages: 10 });
    expect(received).toHaveLength(1);
    queue.delete(received[0]?.receiptHandle ?? '');

    advanceSeconds(301);
    queue.send({ body: 'created again', messageGroupId: 'c', messageDeduplicationId: 'evt_1' });
    expect(queue.attributes()['ApproximateNumberOfMessages']).toBe('1');
  });

  it('requires a group id and a deduplication id (or content-based deduplication)', () => {
    const queue = registry.createQueue({ name: 'customers.fifo' });
    expect(() => queue.send({ body: 'x' })).toThrow(/MessageGroupId/);
    expect(() => queue.send({ body: 'x', messageGroupId: 'g' })).toThrow(/ContentBasedDeduplication/);
  });
});

describe('durability', () => {
  it('restores messages, their receive counts and FIFO deduplication after a restart', () => {
    const queue = registry.createQueue({ name: 'customers.fifo', visibilityTimeoutSeconds: 30 });
    const { messageId } = queue.send({ body: 'kept', messageGroupId: 'g', messageDeduplicationId: 'd1' });
    queue.receive();
    registry.close();

    registry = openRegistry();
    const reopened = registry.createQueue({ name: 'customers.fifo', visibilityTimeoutSeconds: 30 });
    expect(reopened.receive()).toEqual([]);
    expect(reopened.send({ body: 'kept', messageGroupId: 'g', messageDeduplicationId: 'd1' }).messageId).toBe(messageId);
    advanceSeconds(31);
    expect(reopened.receive()[0]).toMatchObject({ messageId, attributes: { ApproximateReceiveCount: '2' } });
    // Compacted on open: one record per live message.
    expect(readFileSync(join(dataDirectory, 'sqs', 'customers.fifo.jsonl'), 'utf8').trim().split('\n')[0]).toContain('"type":"sent"');
  });

  it('keeps a message accepted by a process that is then killed with SIGKILL', async () => {
    const childScript = join(dataDirectory, 'accept-then-hang.ts');
    writeFileSync(
      childScript,
      [
        `import { QueueRegistry } from ${JSON.stringify(join(REPOSITORY_ROOT, 'local/runtime/sqs/queue-registry.ts'))};`,
        `const registry = new QueueRegistry({ dataDirectory: process.argv[2] ?? '' });`,
        `const { messageId } = registry.createQueue({ name: 'orders' }).send({ body: 'accepted before the crash' });`,
        `process.stdout.write('accepted ' + messageId + '\\n');`,
        `setInterval(() => {}, 1000);`,
      ].join('\n'),
    );
    const child = spawn(process.execPath, ['--import', 'tsx', childScript, dataDirectory], { cwd: REPOSITORY_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    const acceptedMessageId = await new Promise<string>((resolveAccepted, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        const match = /accepted (\S+)/.exec(chunk.toString());
        if (match?.[1]) resolveAccepted(match[1]);
      });
      child.once('exit', (code) => reject(new Error(`child exited early with ${code}`)));
    });
    const exited = new Promise((resolveExit) => child.once('exit', (_code, signal) => resolveExit(signal)));
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    // The child ran on the real clock: so does the registry that recovers its message.
    registry.close();
    registry = new QueueRegistry({ dataDirectory });
    const [recovered] = registry.createQueue({ name: 'orders' }).receive();
    expect(recovered).toMatchObject({ messageId: acceptedMessageId, body: 'accepted before the crash' });
  });
});
