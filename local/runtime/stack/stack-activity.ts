/**
 * What the ops console shows that no emulator keeps by itself: counts of deliveries and invocations,
 * and the most recent events put on the buses with their correlation ids. In memory, per run of the
 * runtime (the durable state, queues and archive, is shown from the emulators themselves).
 */

export interface RecentEvent {
  readonly eventId: string;
  readonly busName: string;
  readonly source: string;
  readonly detailType: string;
  readonly correlationId?: string;
  readonly subject?: string;
  readonly receivedAt: string;
  readonly matchedRules: string[];
  readonly replayName?: string;
}

export interface FunctionActivity {
  invocations: number;
  errors: number;
  running: number;
  totalDurationMs: number;
}

export interface FinishedInvocation {
  readonly functionName: string;
  readonly event: unknown;
  /** Wall time of the invocation as its caller sees it (waiting for an execution, hand-offs, the handler). */
  readonly durationMs: number;
  /** When the runtime was asked to invoke, and when the result was back: epoch ms, sub-millisecond. */
  readonly startedAt: number;
  readonly endedAt: number;
  /** When the handler itself ran, measured in the worker (absent if it never ran). */
  readonly handlerStartedAt?: number;
  readonly handlerEndedAt?: number;
}

export type InvocationListener = (invocation: FinishedInvocation) => void;

/**
 * Points on an event's way through the runtime, for the bench's per-hop breakdown. `subject` is what the
 * hop carries (a request body, a message body), for the listener to recognise its events in.
 */
export type HopName =
  /** The API received a request (`at`: the request's arrival, before its body was read). */
  | 'api.request'
  /** The API finished answering it. */
  | 'api.response'
  /** A PutEvents request reached the EventBridge endpoint (`subject`: the entry's Detail). */
  | 'events.received'
  /** The bus answered it: archived, and delivered to every matching target. */
  | 'events.answered'
  /** A message became receivable in a queue: on disk, and the pollers woken. */
  | 'sqs.visible'
  /** An event source mapping is done with a batch: result back, messages deleted or failed. */
  | 'mapping.settled';

export interface Hop {
  readonly hop: HopName;
  readonly at: number;
  readonly subject: string;
}

export type HopListener = (hop: Hop) => void;

/** Milliseconds since the epoch with sub-millisecond precision, comparable with the workers' own. */
export function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

const RECENT_EVENT_LIMIT = 100;

export class StackActivity {
  private readonly recent: RecentEvent[] = [];
  private readonly matchesBeforeRecord = new Map<string, string[]>();
  private readonly ruleDeliveries = new Map<string, number>();
  private readonly deliveryFailures = new Map<string, number>();
  private readonly functionActivity = new Map<string, FunctionActivity>();
  private readonly invocationListeners = new Set<InvocationListener>();
  private readonly hopListeners = new Set<HopListener>();

  recordEvent(event: RecentEvent): void {
    // Rules match while PutEvents runs, before its answer (and so this record) exists.
    const matchedDuringPut = this.matchesBeforeRecord.get(event.eventId);
    this.matchesBeforeRecord.delete(event.eventId);
    if (matchedDuringPut) event.matchedRules.push(...matchedDuringPut.filter((rule) => !event.matchedRules.includes(rule)));
    this.recent.unshift(event);
    if (this.recent.length > RECENT_EVENT_LIMIT) this.recent.length = RECENT_EVENT_LIMIT;
  }

  recordDelivery(ruleName: string, eventId: string): void {
    this.ruleDeliveries.set(ruleName, (this.ruleDeliveries.get(ruleName) ?? 0) + 1);
    const event = this.recent.find((candidate) => candidate.eventId === eventId);
    if (event) {
      if (!event.matchedRules.includes(ruleName)) event.matchedRules.push(ruleName);
      return;
    }
    this.matchesBeforeRecord.set(eventId, [...(this.matchesBeforeRecord.get(eventId) ?? []), ruleName]);
    // Replayed events are never recorded as put: keep the map bounded.
    if (this.matchesBeforeRecord.size > RECENT_EVENT_LIMIT) this.matchesBeforeRecord.delete(this.matchesBeforeRecord.keys().next().value as string);
  }

  recordDeliveryFailure(ruleName: string): void {
    this.deliveryFailures.set(ruleName, (this.deliveryFailures.get(ruleName) ?? 0) + 1);
  }

  /** Told of every finished invocation with its event and wall time (the bench attributes time per event). */
  onInvocation(listener: InvocationListener): () => void {
    this.invocationListeners.add(listener);
    return () => this.invocationListeners.delete(listener);
  }

  /** Told of the hops events take through the runtime (the bench's breakdown); nothing is traced without one. */
  onHop(listener: HopListener): () => void {
    this.hopListeners.add(listener);
    return () => this.hopListeners.delete(listener);
  }

  /** Whether anyone listens to hops: callers skip building a subject otherwise. */
  get tracing(): boolean {
    return this.hopListeners.size > 0;
  }

  recordHop(hop: HopName, subject: string, at: number = epochNow()): void {
    for (const listener of this.hopListeners) listener({ hop, at, subject });
  }

  /** Wraps an invocation so its count, errors, concurrency and duration are recorded. */
  async recordInvocation<T extends { status: string; timing?: { handlerStartedAt: number; handlerEndedAt: number } }>(
    functionName: string,
    invocation: () => Promise<T>,
    event?: unknown,
  ): Promise<T> {
    const activity = this.activityOf(functionName);
    activity.invocations += 1;
    activity.running += 1;
    const startedAt = epochNow();
    let timing: T['timing'];
    try {
      const result = await invocation();
      timing = result.timing;
      if (result.status === 'failed') activity.errors += 1;
      return result;
    } catch (error) {
      activity.errors += 1;
      throw error;
    } finally {
      activity.running -= 1;
      const endedAt = epochNow();
      const durationMs = endedAt - startedAt;
      activity.totalDurationMs += durationMs;
      for (const listener of this.invocationListeners) listener({ functionName, event, durationMs, startedAt, endedAt, ...timing });
    }
  }

  recentEvents(): readonly RecentEvent[] {
    return this.recent;
  }

  deliveriesOf(ruleName: string): { delivered: number; failed: number } {
    return { delivered: this.ruleDeliveries.get(ruleName) ?? 0, failed: this.deliveryFailures.get(ruleName) ?? 0 };
  }

  activityOf(functionName: string): FunctionActivity {
    let activity = this.functionActivity.get(functionName);
    if (!activity) {
      activity = { invocations: 0, errors: 0, running: 0, totalDurationMs: 0 };
      this.functionActivity.set(functionName, activity);
    }
    return activity;
  }
}
