import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { arnFor, DEFAULT_LOCAL_IDENTITY, type LocalAwsIdentity } from '../local-aws-identity';
import { DurableJournal } from '../storage/durable-journal';
import { md5OfBody, md5OfMessageAttributes, type MessageAttributes } from './message-digest';
import { SqsError } from './sqs-error';

/**
 * One SQS queue (standard or FIFO) whose state lives in an append-only journal under the data dir.
 * Hand-written: the SQS emulators (ElasticMQ, LocalStack) need a JVM or Docker, which `npm start` must not.
 *
 * Durability: a message is fsynced before SendMessage answers, so an accepted message survives `kill -9`
 * (and a power cut). It becomes visible to receivers at that same moment, never before: nothing can be
 * received that a crash could still lose, and messages become visible in the order they were sent. The
 * fsync is a group commit off the event loop (`DurableJournal.appendDurably`): concurrent sends share one.
 * Receives, visibility changes and deletes are journaled without fsync: losing one on a crash only makes
 * a message visible again, which is SQS's at-least-once contract anyway.
 */

export interface RedrivePolicy {
  readonly deadLetterTargetArn: string;
  readonly maxReceiveCount: number;
}

export interface QueueSettings {
  /** A name ending in `.fifo` makes a FIFO queue, as in SQS. */
  readonly name: string;
  readonly visibilityTimeoutSeconds?: number;
  readonly messageRetentionSeconds?: number;
  readonly delaySeconds?: number;
  readonly contentBasedDeduplication?: boolean;
  readonly redrivePolicy?: RedrivePolicy;
}

export interface SendMessageRequest {
  readonly body: string;
  readonly delaySeconds?: number;
  readonly messageAttributes?: MessageAttributes;
  readonly messageGroupId?: string;
  readonly messageDeduplicationId?: string;
}

export interface SendMessageResult {
  readonly messageId: string;
  readonly md5OfBody: string;
  readonly md5OfMessageAttributes?: string;
  readonly sequenceNumber?: string;
}

/** System attributes as SQS names them, values as strings, as on the wire. */
export interface ReceivedMessage {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string;
  readonly md5OfBody: string;
  readonly md5OfMessageAttributes?: string;
  readonly messageAttributes: MessageAttributes;
  readonly attributes: Readonly<Record<string, string>>;
}

/** A message as kept on disk; exposed read-only for inspection (e.g. why a DLQ message failed). */
export interface StoredMessage {
  readonly messageId: string;
  readonly body: string;
  readonly md5OfBody: string;
  readonly md5OfMessageAttributes?: string;
  readonly messageAttributes: MessageAttributes;
  readonly sentTimestamp: number;
  visibleAt: number;
  receiveCount: number;
  firstReceiveTimestamp?: number;
  receiptHandle?: string;
  readonly messageGroupId?: string;
  readonly messageDeduplicationId?: string;
  readonly sequenceNumber?: string;
  /** The last processing error reported for this message; carried into the DLQ. */
  lastError?: string;
  /** Set on a message moved to a DLQ: the queue it came from (SQS's `DeadLetterQueueSourceArn`). */
  readonly deadLetterQueueSourceArn?: string;
}

function promiseWithResolvers(): { promise: Promise<void>; resolve: () => void; reject: (error: Error) => void } {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((onResolve, onReject) => {
    resolve = onResolve;
    reject = onReject;
  });
  return { promise, resolve, reject };
}

function sendResultFor(message: StoredMessage): SendMessageResult {
  return {
    messageId: message.messageId,
    md5OfBody: message.md5OfBody,
    ...(message.md5OfMessageAttributes ? { md5OfMessageAttributes: message.md5OfMessageAttributes } : {}),
    ...(message.sequenceNumber ? { sequenceNumber: message.sequenceNumber } : {}),
  };
}

/** A message as another queue takes it over: its content and history, not its delivery state here. */
export type TransferredMessage = Omit<StoredMessage, 'visibleAt' | 'receiveCount' | 'firstReceiveTimestamp' | 'receiptHandle'>;

export function withoutDeliveryState(message: StoredMessage): TransferredMessage {
  const { visibleAt: _visibleAt, receiveCount: _receiveCount, firstReceiveTimestamp: _first, receiptHandle: _handle, ...transferred } = message;
  return transferred;
}

type QueueJournalRecord =
  | { readonly type: 'sent'; readonly message: StoredMessage }
  | {
      readonly type: 'received';
      readonly messageId: string;
      readonly receiptHandle: string;
      readonly visibleAt: number;
      readonly receiveCount: number;
      readonly firstReceiveTimestamp: number;
    }
  | { readonly type: 'visibility-changed'; readonly messageId: string; readonly visibleAt: number }
  | { readonly type: 'failure-recorded'; readonly messageId: string; readonly error: string }
  | { readonly type: 'removed'; readonly messageId: string }
  | { readonly type: 'purged' }
  | { readonly type: 'deduplication-seen'; readonly deduplicationId: string; readonly messageId: string; readonly seenAt: number };

/** FIFO deduplication interval, fixed by SQS. */
const DEDUPLICATION_WINDOW_MS = 5 * 60 * 1000;
/** A ReceiveMessage call returns at most 10 messages, as in SQS. */
const MAX_MESSAGES_PER_RECEIVE = 10;
/** How often a long poll re-checks for messages whose delay or visibility timeout ran out. */
const LONG_POLL_RECHECK_MS = 50;

export interface DurableQueueOptions {
  readonly settings: QueueSettings;
  readonly dataDirectory: string;
  readonly identity?: LocalAwsIdentity;
  /** Finds the DLQ named by the redrive policy; the registry owns every queue. */
  readonly findQueueByArn?: (arn: string) => DurableQueue | undefined;
  readonly now?: () => number;
  /** Told when a message becomes receivable (durable and in the queue): for tracing, must not throw. */
  readonly onMessageVisible?: (queue: DurableQueue, message: StoredMessage) => void;
}

interface PendingSend {
  readonly message: StoredMessage;
  /** Settles when the message is on disk (or its fsync failed). */
  readonly durable: Promise<void>;
}

export class DurableQueue {
  readonly name: string;
  readonly arn: string;
  readonly isFifo: boolean;
  readonly createdTimestamp: number;
  private readonly settings: Required<Omit<QueueSettings, 'redrivePolicy'>> & Pick<QueueSettings, 'redrivePolicy'>;
  private readonly messages = new Map<string, StoredMessage>();
  private readonly deduplication = new Map<string, { messageId: string; seenAt: number }>();
  private readonly journal: DurableJournal<QueueJournalRecord>;
  private readonly waiters = new Set<() => void>();
  /** Sent, written, waiting for their fsync: not receivable yet. */
  private readonly pendingSends = new Map<string, PendingSend>();
  /** A purge drops the sends still waiting for their fsync, as the journal's order says on replay. */
  private purgeGeneration = 0;
  private lastSequenceNumber = 0n;
  private readonly now: () => number;

  constructor(private readonly options: DurableQueueOptions) {
    const { settings } = options;
    this.name = settings.name;
    this.isFifo = settings.name.endsWith('.fifo');
    this.arn = arnFor(options.identity ?? DEFAULT_LOCAL_IDENTITY, 'sqs', settings.name);
    this.now = options.now ?? Date.now;
    this.createdTimestamp = this.now();
    this.settings = {
      name: settings.name,
      visibilityTimeoutSeconds: settings.visibilityTimeoutSeconds ?? 30,
      messageRetentionSeconds: settings.messageRetentionSeconds ?? 345_600,
      delaySeconds: settings.delaySeconds ?? 0,
      contentBasedDeduplication: settings.contentBasedDeduplication ?? false,
      redrivePolicy: settings.redrivePolicy,
    };
    this.journal = new DurableJournal(join(options.dataDirectory, `${settings.name}.jsonl`));
    this.restoreFromJournal();
  }

  /** Where this queue dead-letters, if anywhere: what a redrive of that DLQ sends back here. */
  get redrivePolicy(): RedrivePolicy | undefined {
    return this.settings.redrivePolicy;
  }

  /**
   * SendMessage: resolves once the message is on disk, when it also becomes receivable. Everything that
   * decides the answer (validation, deduplication, the FIFO sequence number, the journal write) happens
   * before this returns its promise, so calls made one after the other keep their order.
   */
  async send(request: SendMessageRequest): Promise<SendMessageResult> {
    const now = this.now();
    const deduplicationId = this.deduplicationIdFor(request);
    if (deduplicationId !== undefined) {
      const seen = this.deduplication.get(deduplicationId);
      if (seen && now - seen.seenAt < DEDUPLICATION_WINDOW_MS) {
        // SQS accepts a duplicate within the window and answers as for the original, without enqueuing
        // it; the body digest stays the request's own, which is what the SDK checks. The answer waits
        // until the original is on disk: an acknowledged duplicate must not outlive its original.
        const pending = this.pendingSends.get(seen.messageId);
        if (pending) await pending.durable;
        const original = this.messages.get(seen.messageId) ?? pending?.message;
        return { ...(original ? sendResultFor(original) : { messageId: seen.messageId }), md5OfBody: md5OfBody(request.body) };
      }
    }
    const delaySeconds = this.isFifo ? this.settings.delaySeconds : (request.delaySeconds ?? this.settings.delaySeconds);
    const md5OfAttributes = md5OfMessageAttributes(request.messageAttributes);
    const message: StoredMessage = {
      messageId: randomUUID(),
      body: request.body,
      md5OfBody: md5OfBody(request.body),
      ...(md5OfAttributes ? { md5OfMessageAttributes: md5OfAttributes } : {}),
      messageAttributes: request.messageAttributes ?? {},
      sentTimestamp: now,
      visibleAt: now + delaySeconds * 1000,
      receiveCount: 0,
      ...(this.isFifo ? { messageGroupId: request.messageGroupId, sequenceNumber: this.nextSequenceNumber() } : {}),
      ...(deduplicationId !== undefined ? { messageDeduplicationId: deduplicationId } : {}),
    };
    await this.acceptDurably(message);
    return sendResultFor(message);
  }

  /** Receives up to `maxMessages` visible messages, hiding them for the visibility timeout. */
  receive(options: { maxMessages?: number; visibilityTimeoutSeconds?: number } = {}): ReceivedMessage[] {
    const now = this.now();
    this.expireMessagesPastRetention(now);
    const limit = Math.min(options.maxMessages ?? 1, MAX_MESSAGES_PER_RECEIVE);
    const visibilityTimeoutMs = (options.visibilityTimeoutSeconds ?? this.settings.visibilityTimeoutSeconds) * 1000;
    const received: ReceivedMessage[] = [];
    // FIFO: a group with a message in flight (or still delayed) at its head delivers nothing else.
    const blockedGroups = new Set<string>();
    for (const message of [...this.messages.values()]) {
      if (received.length >= limit) break;
      const group = message.messageGroupId;
      if (this.isFifo && group !== undefined && blockedGroups.has(group)) continue;
      if (message.visibleAt > now) {
        if (this.isFifo && group !== undefined) blockedGroups.add(group);
        continue;
      }
      if (this.moveToDeadLetterQueueIfExhausted(message)) continue;
      received.push(this.markReceived(message, now, visibilityTimeoutMs));
    }
    return received;
  }

  /** ReceiveMessage with `WaitTimeSeconds`: waits until a message is available or the time is up. */
  async receiveWaiting(options: { maxMessages?: number; visibilityTimeoutSeconds?: number; waitTimeSeconds: number }): Promise<ReceivedMessage[]> {
    const deadline = performance.now() + options.waitTimeSeconds * 1000;
    for (;;) {
      const received = this.receive(options);
      const remaining = deadline - performance.now();
      if (received.length > 0 || remaining <= 0) return received;
      await this.waitForChange(Math.min(remaining, LONG_POLL_RECHECK_MS));
    }
  }

  /** A stale receipt handle (the message was received again since) succeeds without deleting, as in SQS. */
  delete(receiptHandle: string): void {
    const message = this.messageForReceiptHandle(receiptHandle);
    if (!message || message.receiptHandle !== receiptHandle) return;
    this.remove(message.messageId);
  }

  changeVisibility(receiptHandle: string, visibilityTimeoutSeconds: number): void {
    const message = this.messageForReceiptHandle(receiptHandle);
    if (!message || message.receiptHandle !== receiptHandle || message.visibleAt <= this.now()) {
      throw new SqsError('MessageNotInflight', 'Value for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.');
    }
    message.visibleAt = this.now() + visibilityTimeoutSeconds * 1000;
    this.journal.append({ type: 'visibility-changed', messageId: message.messageId, visibleAt: message.visibleAt }, { sync: false });
    this.notifyWaiters();
  }

  /** Remembers why processing failed, so that a message that ends in the DLQ says why. */
  recordFailure(receiptHandle: string, error: string): void {
    const message = this.messageForReceiptHandle(receiptHandle);
    if (!message) return;
    message.lastError = error;
    this.journal.append({ type: 'failure-recorded', messageId: message.messageId, error }, { sync: false });
  }

  purge(): void {
    this.purgeGeneration += 1;
    this.messages.clear();
    this.journal.append({ type: 'purged' }, { sync: true });
  }

  /**
   * Takes over a message from another queue (DLQ move, redrive), fsynced before this returns (the source
   * forgets it right after): same id, body and attributes, visible at once and never received here.
   */
  acceptTransferred(message: TransferredMessage): void {
    const accepted: StoredMessage = { ...message, visibleAt: this.now(), receiveCount: 0 };
    // The synchronous fsync also covers the sends written before it: they become visible first, in order.
    this.journal.append({ type: 'sent', message: accepted }, { sync: true });
    this.makeVisible(accepted);
  }

  /** Every message with its bookkeeping, oldest first: for operators (DLQ inspection) and redrive. */
  storedMessages(): readonly StoredMessage[] {
    this.expireMessagesPastRetention(this.now());
    return [...this.messages.values()];
  }

  remove(messageId: string): void {
    if (!this.messages.delete(messageId)) return;
    this.journal.append({ type: 'removed', messageId }, { sync: false });
  }

  /**
   * Makes every received-but-not-deleted message visible now. For a restart of the local runtime: the
   * consumers holding those receipts died with the previous process, so nothing will delete them, and
   * waiting out the visibility timeout (minutes for a flow queue) would only stall the developer. The
   * receive count is kept, as after any failed delivery. Returns how many messages were released.
   */
  releaseInFlightMessages(): number {
    const now = this.now();
    let released = 0;
    for (const message of this.messages.values()) {
      if (!message.receiptHandle || message.visibleAt <= now) continue;
      message.visibleAt = now;
      message.receiptHandle = undefined;
      this.journal.append({ type: 'visibility-changed', messageId: message.messageId, visibleAt: now }, { sync: false });
      released += 1;
    }
    if (released > 0) this.notifyWaiters();
    return released;
  }

  /** The attributes GetQueueAttributes reports, as strings. */
  attributes(): Record<string, string> {
    const now = this.now();
    this.expireMessagesPastRetention(now);
    let visible = 0;
    let inFlight = 0;
    let delayed = 0;
    for (const message of this.messages.values()) {
      if (message.visibleAt <= now) visible += 1;
      else if (message.receiptHandle) inFlight += 1;
      else delayed += 1;
    }
    return {
      QueueArn: this.arn,
      ApproximateNumberOfMessages: String(visible),
      ApproximateNumberOfMessagesNotVisible: String(inFlight),
      ApproximateNumberOfMessagesDelayed: String(delayed),
      VisibilityTimeout: String(this.settings.visibilityTimeoutSeconds),
      MessageRetentionPeriod: String(this.settings.messageRetentionSeconds),
      DelaySeconds: String(this.settings.delaySeconds),
      CreatedTimestamp: String(Math.floor(this.createdTimestamp / 1000)),
      ...(this.settings.redrivePolicy ? { RedrivePolicy: JSON.stringify(this.settings.redrivePolicy) } : {}),
      ...(this.isFifo
        ? { FifoQueue: 'true', ContentBasedDeduplication: String(this.settings.contentBasedDeduplication) }
        : {}),
    };
  }

  close(): void {
    this.journal.close();
  }

  /** Writes the message at once; it becomes receivable when its fsync completes, unless a purge came first. */
  private acceptDurably(message: StoredMessage): Promise<void> {
    const generation = this.purgeGeneration;
    // Registered now, not when durable: a duplicate sent meanwhile must find the original.
    this.rememberDeduplication(message);
    const { promise, resolve, reject } = promiseWithResolvers();
    this.pendingSends.set(message.messageId, { message, durable: promise });
    // A failed fsync rejects the send (the SDK retries it) and any duplicate waiting on it; this only keeps
    // the rejection from counting as unhandled while nobody but the pending entry holds it.
    promise.catch(() => undefined);
    this.journal.appendDurably({ type: 'sent', message }, (error) => {
      this.pendingSends.delete(message.messageId);
      if (error) return reject(error);
      if (generation === this.purgeGeneration) this.makeVisible(message);
      resolve();
    });
    return promise;
  }

  private makeVisible(message: StoredMessage): void {
    this.applySent(message);
    this.options.onMessageVisible?.(this, message);
    this.notifyWaiters();
  }

  private rememberDeduplication(message: StoredMessage): void {
    if (message.messageDeduplicationId !== undefined) {
      this.deduplication.set(message.messageDeduplicationId, { messageId: message.messageId, seenAt: message.sentTimestamp });
    }
  }

  private applySent(message: StoredMessage): void {
    this.messages.set(message.messageId, { ...message });
    this.rememberDeduplication(message);
    if (message.sequenceNumber !== undefined && BigInt(message.sequenceNumber) > this.lastSequenceNumber) {
      this.lastSequenceNumber = BigInt(message.sequenceNumber);
    }
  }

  private deduplicationIdFor(request: SendMessageRequest): string | undefined {
    if (!this.isFifo) return undefined;
    if (request.messageGroupId === undefined) {
      throw new SqsError('MissingParameter', 'The request must contain the parameter MessageGroupId.');
    }
    if (request.messageDeduplicationId !== undefined) return request.messageDeduplicationId;
    if (this.settings.contentBasedDeduplication) return md5OfBody(request.body);
    throw new SqsError(
      'InvalidParameterValue',
      'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
    );
  }

  private nextSequenceNumber(): string {
    this.lastSequenceNumber += 1n;
    return this.lastSequenceNumber.toString().padStart(20, '0');
  }

  private markReceived(message: StoredMessage, now: number, visibilityTimeoutMs: number): ReceivedMessage {
    message.receiveCount += 1;
    message.firstReceiveTimestamp ??= now;
    message.visibleAt = now + visibilityTimeoutMs;
    message.receiptHandle = Buffer.from(`${message.messageId}:${randomUUID()}`).toString('base64url');
    this.journal.append(
      {
        type: 'received',
        messageId: message.messageId,
        receiptHandle: message.receiptHandle,
        visibleAt: message.visibleAt,
        receiveCount: message.receiveCount,
        firstReceiveTimestamp: message.firstReceiveTimestamp,
      },
      { sync: false },
    );
    return {
      messageId: message.messageId,
      receiptHandle: message.receiptHandle,
      body: message.body,
      md5OfBody: message.md5OfBody,
      ...(message.md5OfMessageAttributes ? { md5OfMessageAttributes: message.md5OfMessageAttributes } : {}),
      messageAttributes: message.messageAttributes,
      attributes: {
        SenderId: this.options.identity?.accountId ?? DEFAULT_LOCAL_IDENTITY.accountId,
        SentTimestamp: String(message.sentTimestamp),
        ApproximateReceiveCount: String(message.receiveCount),
        ApproximateFirstReceiveTimestamp: String(message.firstReceiveTimestamp),
        ...(message.messageGroupId !== undefined ? { MessageGroupId: message.messageGroupId } : {}),
        ...(message.messageDeduplicationId !== undefined ? { MessageDeduplicationId: message.messageDeduplicationId } : {}),
        ...(message.sequenceNumber !== undefined ? { SequenceNumber: message.sequenceNumber } : {}),
        ...(message.deadLetterQueueSourceArn !== undefined ? { DeadLetterQueueSourceArn: message.deadLetterQueueSourceArn } : {}),
      },
    };
  }

  /**
   * SQS moves a message to the DLQ when a receive finds it already received `maxReceiveCount` times.
   * The DLQ copy is fsynced before the source forgets it: a crash in between duplicates, never loses.
   */
  private moveToDeadLetterQueueIfExhausted(message: StoredMessage): boolean {
    const policy = this.settings.redrivePolicy;
    if (!policy || message.receiveCount < policy.maxReceiveCount) return false;
    const deadLetterQueue = this.options.findQueueByArn?.(policy.deadLetterTargetArn);
    if (!deadLetterQueue) {
      throw new SqsError('QueueDoesNotExist', `The dead-letter queue ${policy.deadLetterTargetArn} of ${this.name} does not exist.`);
    }
    deadLetterQueue.acceptTransferred({ ...withoutDeliveryState(message), deadLetterQueueSourceArn: this.arn });
    this.remove(message.messageId);
    return true;
  }

  private expireMessagesPastRetention(now: number): void {
    const retentionMs = this.settings.messageRetentionSeconds * 1000;
    for (const message of this.messages.values()) {
      if (message.sentTimestamp + retentionMs <= now) this.remove(message.messageId);
    }
  }

  private messageForReceiptHandle(receiptHandle: string): StoredMessage | undefined {
    const decoded = Buffer.from(receiptHandle, 'base64url').toString('utf8');
    const separator = decoded.indexOf(':');
    if (separator <= 0) throw new SqsError('ReceiptHandleIsInvalid', `The input receipt handle "${receiptHandle}" is not a valid receipt handle.`);
    return this.messages.get(decoded.slice(0, separator));
  }

  private waitForChange(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, timeoutMs);
      this.waiters.add(wake);
    });
  }

  private notifyWaiters(): void {
    for (const wake of [...this.waiters]) wake();
  }

  /** Rebuilds the queue from its journal, then compacts it to one record per live message. */
  private restoreFromJournal(): void {
    for (const record of this.journal.readAll()) this.applyJournalRecord(record);
    const now = this.now();
    // Deduplication ids of messages already consumed still guard the window; live messages carry theirs.
    const liveDeduplication = [...this.deduplication.entries()].filter(
      ([, seen]) => now - seen.seenAt < DEDUPLICATION_WINDOW_MS && !this.messages.has(seen.messageId),
    );
    this.journal.rewrite([
      ...[...this.messages.values()].map((message): QueueJournalRecord => ({ type: 'sent', message })),
      ...liveDeduplication.map(([deduplicationId, seen]): QueueJournalRecord => ({ type: 'deduplication-seen', deduplicationId, ...seen })),
    ]);
  }

  private applyJournalRecord(record: QueueJournalRecord): void {
    switch (record.type) {
      case 'sent':
        return this.applySent(record.message);
      case 'received': {
        const message = this.messages.get(record.messageId);
        if (!message) return;
        message.receiptHandle = record.receiptHandle;
        message.visibleAt = record.visibleAt;
        message.receiveCount = record.receiveCount;
        message.firstReceiveTimestamp = record.firstReceiveTimestamp;
        return;
      }
      case 'visibility-changed': {
        const message = this.messages.get(record.messageId);
        if (message) message.visibleAt = record.visibleAt;
        return;
      }
      case 'failure-recorded': {
        const message = this.messages.get(record.messageId);
        if (message) message.lastError = record.error;
        return;
      }
      case 'removed':
        this.messages.delete(record.messageId);
        return;
      case 'purged':
        this.messages.clear();
        return;
      case 'deduplication-seen':
        this.deduplication.set(record.deduplicationId, { messageId: record.messageId, seenAt: record.seenAt });
        return;
    }
  }
}
