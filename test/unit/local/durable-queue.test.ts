import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
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
  it('hides a received message for the visibility timeout, then redelivers it with a higher receive count', async () => {
    const queue = registry.createQueue({ name: 'invoices', visibilityTimeoutSeconds: 30 });
    const { messageId } = await queue.send({ body: 'invoice 1' });

    const [first] = queue.receive();
    expect(first).toMatchObject({ messageId, body: 'invoice 1', attributes: { ApproximateReceiveCount: '1' } });
    expect(queue.receive()).toEqual([]);

    advanceSeconds(31);
    const [second] = queue.receive();
    expect(second?.attributes['ApproximateReceiveCount']).toBe('2');
    expect(second?.receiptHandle).not.toBe(first?.receiptHandle);
  });

  it('deletes with the latest receipt handle only; an older one succeeds without deleting, as in SQS', async () => {
    const queue = registry.createQueue({ name: 'invoices', visibilityTimeoutSeconds: 1 });
    await queue.send({ body: 'invoice 1' });
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

  it('holds a message back for its DelaySeconds', async () => {
    const queue = registry.createQueue({ name: 'invoices' });
    await queue.send({ body: 'later', delaySeconds: 10 });
    expect(queue.receive()).toEqual([]);
    expect(queue.attributes()['ApproximateNumberOfMessagesDelayed']).toBe('1');
    advanceSeconds(10);
    expect(queue.receive().map((message) => message.body)).toEqual(['later']);
  });

  it('drops messages older than the retention period', async () => {
    const queue = registry.createQueue({ name: 'invoices', messageRetentionSeconds: 60 });
    await queue.send({ body: 'stale' });
    advanceSeconds(61);
    expect(queue.receive()).toEqual([]);
    expect(queue.attributes()['ApproximateNumberOfMessages']).toBe('0');
  });

  it('changes the visibility of an in-flight message', async () => {
    const queue = registry.createQueue({ name: 'invoices', visibilityTimeoutSeconds: 300 });
    await queue.send({ body: 'retry me soon' });
    const [message] = queue.receive();
    queue.changeVisibility(message?.receiptHandle ?? '', 5);
    advanceSeconds(5);
    expect(queue.receive()).toHaveLength(1);
  });
});

describe('dead-letter queue and redrive', () => {
  it('moves a message to the DLQ after maxReceiveCount receives, with its last error, and redrives it back', async () => {
    const deadLetterQueue = registry.createQueue({ name: 'invoices-dlq' });
    const queue = registry.createQueue({
      name: 'invoices',
      visibilityTimeoutSeconds: 10,
      redrivePolicy: { deadLetterTargetArn: deadLetterQueue.arn, maxReceiveCount: 2 },
    });
    const { messageId } = await queue.send({ body: 'poison' });
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
  it('delivers a group in order and holds the group while one of its messages is in flight', async () => {
    const queue = registry.createQueue({ name: 'customers.fifo', visibilityTimeoutSeconds: 30 });
    await queue.send({ body: 'a1', messageGroupId: 'a', messageDeduplicationId: 'a1' });
    await queue.send({ body: 'a2', messageGroupId: 'a', messageDeduplicationId: 'a2' });
    await queue.send({ body: 'b1', messageGroupId: 'b', messageDeduplicationId: 'b1' });

    const [a1] = queue.receive();
    expect(a1?.body).toBe('a1');
    expect(a1?.attributes).toMatchObject({ MessageGroupId: 'a', MessageDeduplicationId: 'a1', SequenceNumber: expect.stringMatching(/^\d{20}$/) });
    // a2 waits behind the in-flight a1; group b is free.
    expect(queue.receive({ maxMessages: 10 }).map((message) => message.body)).toEqual(['b1']);

    queue.delete(a1?.receiptHandle ?? '');
    expect(queue.receive({ maxMessages: 10 }).map((message) => message.body)).toEqual(['a2']);
  });

  it('returns several messages of one group in order in one batch', async () => {
    const queue = registry.createQueue({ name: 'customers.fifo', contentBasedDeduplication: true });
    for (const body of ['1', '2', '3']) await queue.send({ body, messageGroupId: 'g' });
    expect(queue.receive({ maxMessages: 10 }).map((message) => message.body)).toEqual(['1', '2', '3']);
  });

  it('drops a duplicate within five minutes and answers with the original message id', async () => {
    const queue = registry.createQueue({ name: 'customers.fifo' });
    const original = await queue.send({ body: 'created', messageGroupId: 'c', messageDeduplicationId: 'evt_1' });
    const duplicate = await queue.send({ body: 'created', messageGroupId: 'c', messageDeduplicationId: 'evt_1' });
    expect(duplicate.messageId).toBe(original.messageId);
    const received = queue.receive({ maxMessages: 10 });
    expect(received).toHaveLength(1);
    queue.delete(received[0]?.receiptHandle ?? '');

    advanceSeconds(301);
    await queue.send({ body: 'created again', messageGroupId: 'c', messageDeduplicationId: 'evt_1' });
    expect(queue.attributes()['ApproximateNumberOfMessages']).toBe('1');
  });

  it('requires a group id and a deduplication id (or content-based deduplication)', async () => {
    const queue = registry.createQueue({ name: 'customers.fifo' });
    await expect(queue.send({ body: 'x' })).rejects.toThrow(/MessageGroupId/);
    await expect(queue.send({ body: 'x', messageGroupId: 'g' })).rejects.toThrow(/ContentBasedDeduplication/);
  });
});

describe('sending: durable before receivable', () => {
  it('makes a message receivable only once its send has answered, which is once it is on disk', async () => {
    const queue = registry.createQueue({ name: 'invoices' });
    const sending = queue.send({ body: 'invoice 1' });
    // Written to the journal, its fsync still running: no receiver may get a message a crash could lose.
    expect(queue.receive()).toEqual([]);
    expect(readFileSync(join(dataDirectory, 'sqs', 'invoices.jsonl'), 'utf8')).toContain('invoice 1');

    const { messageId } = await sending;
    expect(queue.receive()).toMatchObject([{ messageId, body: 'invoice 1' }]);
  });

  it('wakes a waiting receive as soon as a message is sent, without waiting for a timer', async () => {
    const queue = registry.createQueue({ name: 'invoices' });
    // Timers never fire while faked: only the send can end this 20-second long poll.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const waiting = queue.receiveWaiting({ waitTimeSeconds: 20 });
      const { messageId } = await queue.send({ body: 'wake up' });
      expect(await waiting).toMatchObject([{ messageId, body: 'wake up' }]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('keeps the order of sends made one after the other without waiting for each (FIFO)', async () => {
    const queue = registry.createQueue({ name: 'customers.fifo', contentBasedDeduplication: true });
    await Promise.all(['1', '2', '3'].map((body) => queue.send({ body, messageGroupId: 'g' })));
    expect(queue.receive({ maxMessages: 10 }).map((message) => message.body)).toEqual(['1', '2', '3']);
  });

  it('answers a duplicate of a message still being written only once the original is on disk, with its id', async () => {
    const queue = registry.createQueue({ name: 'customers.fifo' });
    const original = queue.send({ body: 'created', messageGroupId: 'c', messageDeduplicationId: 'evt_1' });
    const duplicate = queue.send({ body: 'created', messageGroupId: 'c', messageDeduplicationId: 'evt_1' });
    const first = await Promise.race([duplicate.then(() => 'duplicate'), original.then(() => 'original')]);
    expect(first).toBe('original');
    expect((await duplicate).messageId).toBe((await original).messageId);
    expect(queue.receive({ maxMessages: 10 })).toHaveLength(1);
  });

  it('lets a purge drop a send still waiting for its fsync, as the journal replays it', async () => {
    const queue = registry.createQueue({ name: 'invoices' });
    const sending = queue.send({ body: 'sent before the purge' });
    queue.purge();
    await sending;
    expect(queue.receive()).toEqual([]);

    registry.close();
    registry = openRegistry();
    expect(registry.createQueue({ name: 'invoices' }).receive()).toEqual([]);
  });

  it('still has every answered message after the registry is closed and reopened', async () => {
    const queue = registry.createQueue({ name: 'invoices' });
    const sent = await Promise.all(Array.from({ length: 20 }, (_, index) => queue.send({ body: `invoice ${index}` })));
    registry.close();
    registry = openRegistry();
    const reopened = registry.createQueue({ name: 'invoices' });
    expect(reopened.storedMessages().map((message) => message.messageId)).toEqual(sent.map((result) => result.messageId));
  });
});

describe('durability', () => {
  it('restores messages, their receive counts and FIFO deduplication after a restart', async () => {
    const queue = registry.createQueue({ name: 'customers.fifo', visibilityTimeoutSeconds: 30 });
    const { messageId } = await queue.send({ body: 'kept', messageGroupId: 'g', messageDeduplicationId: 'd1' });
    queue.receive();
    registry.close();

    registry = openRegistry();
    const reopened = registry.createQueue({ name: 'customers.fifo', visibilityTimeoutSeconds: 30 });
    expect(reopened.receive()).toEqual([]);
    expect((await reopened.send({ body: 'kept', messageGroupId: 'g', messageDeduplicationId: 'd1' })).messageId).toBe(messageId);
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
        `void registry.createQueue({ name: 'orders' }).send({ body: 'accepted before the crash' }).then(({ messageId }) => {`,
        `  process.stdout.write('accepted ' + messageId + '\\n');`,
        `});`,
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
