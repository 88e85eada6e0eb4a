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

export type InvocationListener = (invocation: { functionName: string; event: unknown; durationMs: number }) => void;

const RECENT_EVENT_LIMIT = 100;

export class StackActivity {
  private readonly recent: RecentEvent[] = [];
  private readonly matchesBeforeRecord = new Map<string, string[]>();
  private readonly ruleDeliveries = new Map<string, number>();
  private readonly deliveryFailures = new Map<string, number>();
  private readonly functionActivity = new Map<string, FunctionActivity>();
  private readonly invocationListeners = new Set<InvocationListener>();

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

  /** Wraps an invocation so its count, errors, concurrency and duration are recorded. */
  async recordInvocation<T extends { status: string }>(functionName: string, invocation: () => Promise<T>, event?: unknown): Promise<T> {
    const activity = this.activityOf(functionName);
    activity.invocations += 1;
    activity.running += 1;
    const startedAt = performance.now();
    try {
      const result = await invocation();
      if (result.status === 'failed') activity.errors += 1;
      return result;
    } catch (error) {
      activity.errors += 1;
      throw error;
    } finally {
      activity.running -= 1;
      const durationMs = performance.now() - startedAt;
      activity.totalDurationMs += durationMs;
      for (const listener of this.invocationListeners) listener({ functionName, event, durationMs });
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
