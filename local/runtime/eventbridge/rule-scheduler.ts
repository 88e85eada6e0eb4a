import { randomUUID } from 'node:crypto';
import { arnFor, DEFAULT_LOCAL_IDENTITY, type LocalAwsIdentity } from '../local-aws-identity';
import type { BusEvent, RuleTarget, TargetDelivery, TargetDispatcher, TargetKind } from './event-bus';
import { InvalidScheduleExpressionError, nextRunAfter, parseScheduleExpression, type ScheduleExpression } from './schedule-expression';
import { renderTargetInput } from './target-input';

/**
 * Schedule rules (`ScheduleExpression`) of the default bus: at each due time, in UTC, every target of
 * an enabled rule receives the event EventBridge sends (`Scheduled Event` from `aws.events`, the rule's
 * ARN in `resources`) or the target's `Input`/`InputPath`/`InputTransformer` rendering of it, through
 * the same dispatchers as the bus's rules. As on AWS the event is not put on the bus: no other rule
 * sees it and no archive keeps it, and runs missed while the runtime was down are not caught up.
 *
 * Timers are unref'd (they never keep the process alive) and cleared by `stop()`; a stopped scheduler
 * fires nothing and reports no failure of a run that was cut short by the shutdown.
 */

export interface ScheduledRule {
  readonly name: string;
  readonly scheduleExpression: string;
  readonly targets: readonly RuleTarget[];
  readonly state: 'ENABLED' | 'DISABLED';
}

export interface ScheduledRuleState {
  readonly name: string;
  readonly arn: string;
  readonly scheduleExpression: string;
  readonly state: 'ENABLED' | 'DISABLED';
  /** The next due time while the scheduler runs an enabled rule; `undefined` otherwise, or when a cron's years are past. */
  readonly nextRun: Date | undefined;
}

export interface RuleSchedulerOptions {
  readonly dispatchers: Readonly<Record<TargetKind, TargetDispatcher>>;
  readonly identity?: LocalAwsIdentity;
  /** Called when a dispatcher throws; defaults to `console.error`. */
  readonly onDeliveryFailure?: (delivery: TargetDelivery, error: unknown) => void;
  /** Told of each scheduled event before its targets receive it (the console lists it). */
  readonly onScheduledEvent?: (event: BusEvent, ruleName: string) => void;
  readonly now?: () => Date;
}

/** `setTimeout` takes at most 2^31-1 ms (~24.8 days); a longer wait is re-armed on the way. */
const MAX_TIMER_MS = 2 ** 31 - 1;

interface RegisteredSchedule {
  readonly rule: ScheduledRule;
  readonly schedule: ScheduleExpression;
  readonly arn: string;
  nextRun: Date | undefined;
  timer: ReturnType<typeof setTimeout> | undefined;
  /** When the rule came to exist for this run of the scheduler: a rate counts its periods from here. */
  rateStart: Date | undefined;
}

export class RuleScheduler {
  private readonly rules = new Map<string, RegisteredSchedule>();
  private readonly identity: LocalAwsIdentity;
  private readonly now: () => Date;
  private readonly inFlight = new Set<Promise<void>>();
  private running = false;

  constructor(private readonly options: RuleSchedulerOptions) {
    this.identity = options.identity ?? DEFAULT_LOCAL_IDENTITY;
    this.now = options.now ?? (() => new Date());
  }

  /** Registers a rule (armed at once if the scheduler runs); an invalid expression throws, naming the rule. */
  addRule(rule: ScheduledRule): void {
    let schedule: ScheduleExpression;
    try {
      schedule = parseScheduleExpression(rule.scheduleExpression);
    } catch (error) {
      if (error instanceof InvalidScheduleExpressionError) throw new Error(`Schedule rule ${rule.name}: ${error.message}`, { cause: error });
      throw error;
    }
    this.removeRule(rule.name);
    const registered: RegisteredSchedule = { rule, schedule, arn: arnFor(this.identity, 'events', `rule/${rule.name}`), nextRun: undefined, timer: undefined, rateStart: undefined };
    this.rules.set(rule.name, registered);
    if (this.running) this.arm(registered, this.now());
  }

  removeRule(ruleName: string): void {
    const registered = this.rules.get(ruleName);
    if (registered?.timer) clearTimeout(registered.timer);
    this.rules.delete(ruleName);
  }

  /** Arms every enabled rule. A rate counts its periods from now, as AWS counts from the rule's creation. */
  start(): void {
    if (this.running) return;
    this.running = true;
    const startedAt = this.now();
    for (const registered of this.rules.values()) {
      registered.rateStart = startedAt;
      this.arm(registered, startedAt);
    }
  }

  /** Clears every timer; nothing fires afterwards. Runs in progress are not awaited (their pools close). */
  stop(): void {
    this.running = false;
    for (const registered of this.rules.values()) {
      if (registered.timer) clearTimeout(registered.timer);
      registered.timer = undefined;
      registered.nextRun = undefined;
    }
  }

  describe(): ScheduledRuleState[] {
    return [...this.rules.values()].map(({ rule, arn, nextRun }) => ({
      name: rule.name,
      arn,
      scheduleExpression: rule.scheduleExpression,
      state: rule.state,
      nextRun,
    }));
  }

  /**
   * Sends the rule's scheduled event, stamped `at`, to each of its targets, as the schedule does when
   * the rule is due; resolves once every target's dispatcher has settled. Does nothing once stopped.
   */
  async fire(ruleName: string, at: Date = this.now()): Promise<void> {
    const registered = this.rules.get(ruleName);
    if (!registered) throw new Error(`No schedule rule ${ruleName}`);
    if (!this.running) return;
    const event: BusEvent = {
      version: '0',
      id: randomUUID(),
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: this.identity.accountId,
      time: toEventTime(at),
      region: this.identity.region,
      resources: [registered.arn],
      detail: {},
    };
    this.options.onScheduledEvent?.(event, ruleName);
    const run = Promise.all(
      registered.rule.targets.map((target) => {
        const input = renderTargetInput(target, event, { ruleName, ruleArn: registered.arn, ingestionTime: at.toISOString() });
        const delivery: TargetDelivery = { ruleName, target, input, event };
        return this.options.dispatchers[target.kind](delivery).catch((error: unknown) => this.reportFailure(delivery, error));
      }),
    ).then(() => undefined);
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run));
    return run;
  }

  /** Resolves once the runs started so far have settled (tests). */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all(this.inFlight);
  }

  private arm(registered: RegisteredSchedule, after: Date): void {
    if (registered.timer) clearTimeout(registered.timer);
    registered.timer = undefined;
    registered.nextRun = undefined;
    if (!this.running || registered.rule.state !== 'ENABLED') return;
    registered.rateStart ??= after;
    const nextRun = nextRunAfter(registered.schedule, after, registered.rateStart);
    registered.nextRun = nextRun;
    if (nextRun) this.wait(registered, nextRun);
  }

  private wait(registered: RegisteredSchedule, due: Date): void {
    const delay = Math.min(Math.max(0, due.getTime() - this.now().getTime()), MAX_TIMER_MS);
    registered.timer = setTimeout(() => {
      registered.timer = undefined;
      if (!this.running || this.rules.get(registered.rule.name) !== registered) return;
      const now = this.now();
      if (now.getTime() < due.getTime()) return this.wait(registered, due);
      // The next run is counted from now: after a suspended laptop wakes, the missed runs are not replayed in a burst.
      this.arm(registered, now);
      void this.fire(registered.rule.name, due);
    }, delay);
    registered.timer.unref?.();
  }

  private reportFailure(delivery: TargetDelivery, error: unknown): void {
    // A run cut short by the shutdown (its pool terminated) is no failure of the rule.
    if (!this.running) return;
    if (this.options.onDeliveryFailure) return this.options.onDeliveryFailure(delivery, error);
    console.error(`[eventbridge] schedule rule ${delivery.ruleName} failed to deliver event ${delivery.event.id} to ${delivery.target.arn}`, error);
  }
}

/** EventBridge writes `time` with second precision: `2017-10-02T16:24:49Z`. */
function toEventTime(time: Date): string {
  return time.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
