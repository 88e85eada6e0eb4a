import { randomUUID } from 'node:crypto';
import { arnFor, DEFAULT_LOCAL_IDENTITY, type LocalAwsIdentity } from '../local-aws-identity';
import type { EventArchive } from './event-archive';
import { matchesEventPattern, parseEventPattern, type EventPattern } from './event-pattern';
import { renderTargetInput, type TargetInputSettings } from './target-input';

/**
 * An EventBridge bus in process: PutEvents builds the envelope AWS builds, matches every enabled rule,
 * renders each target's input and hands it to the dispatcher of the target's kind (SQS, Lambda,
 * Step Functions), which the runtime wires to its emulators. Hand-written because no npm package
 * emulates EventBridge in process.
 */

export type TargetKind = 'sqs' | 'lambda' | 'sfn';

export interface RuleTarget extends TargetInputSettings {
  readonly id: string;
  readonly arn: string;
  readonly kind: TargetKind;
  /** `SqsParameters.MessageGroupId`, required by AWS for a FIFO queue target. */
  readonly sqsMessageGroupId?: string;
}

export interface BusRule {
  readonly name: string;
  readonly eventPattern: EventPattern | string;
  readonly targets: readonly RuleTarget[];
  readonly state: 'ENABLED' | 'DISABLED';
}

/** One PutEvents entry, in the API's own casing so SDK inputs can be passed through unchanged. */
export interface PutEventsEntry {
  readonly Source?: string;
  readonly DetailType?: string;
  readonly Detail?: string;
  readonly Resources?: readonly string[];
  readonly Time?: Date | string;
  readonly EventBusName?: string;
}

export interface EntryRejection {
  readonly ErrorCode: string;
  readonly ErrorMessage: string;
}

export type PutEventsResultEntry = { readonly EventId: string } | EntryRejection;

export interface PutEventsResult {
  readonly FailedEntryCount: number;
  readonly Entries: PutEventsResultEntry[];
}

export type BusEvent = Readonly<Record<string, unknown>> & { readonly id: string };

export interface TargetDelivery {
  readonly ruleName: string;
  readonly target: RuleTarget;
  /** The rendered input, a string as the target service receives it (SQS body, Lambda payload...). */
  readonly input: string;
  readonly event: BusEvent;
}

export type TargetDispatcher = (delivery: TargetDelivery) => Promise<void>;

export interface LocalEventBusOptions {
  readonly name: string;
  readonly dispatchers: Readonly<Record<TargetKind, TargetDispatcher>>;
  readonly archive?: EventArchive;
  readonly identity?: LocalAwsIdentity;
  /**
   * Called when a dispatcher throws. AWS would retry for up to 24 hours then use the target's DLQ;
   * locally the failure is surfaced at once so the developer sees it. Defaults to `console.error`.
   */
  readonly onDeliveryFailure?: (delivery: TargetDelivery, error: unknown) => void;
  readonly now?: () => Date;
}

export interface ReplayRequest {
  readonly replayName: string;
  readonly from: Date;
  readonly to: Date;
  /** Only these rules receive the replayed events (the replay's `FilterArns`); all rules when absent. */
  readonly ruleNames?: readonly string[];
}

interface RegisteredRule {
  readonly rule: BusRule;
  readonly pattern: EventPattern;
  readonly arn: string;
}

export class LocalEventBus {
  readonly arn: string;
  private readonly rules = new Map<string, RegisteredRule>();
  private readonly identity: LocalAwsIdentity;
  private readonly now: () => Date;

  constructor(private readonly options: LocalEventBusOptions) {
    this.identity = options.identity ?? DEFAULT_LOCAL_IDENTITY;
    this.now = options.now ?? (() => new Date());
    this.arn = arnFor(this.identity, 'events', `event-bus/${options.name}`);
  }

  /** Adds or replaces a rule; an invalid pattern throws here, as PutRule rejects it. */
  putRule(rule: BusRule): void {
    const resource = this.options.name === 'default' ? `rule/${rule.name}` : `rule/${this.options.name}/${rule.name}`;
    this.rules.set(rule.name, {
      rule,
      pattern: parseEventPattern(rule.eventPattern),
      arn: arnFor(this.identity, 'events', resource),
    });
  }

  removeRule(ruleName: string): void {
    this.rules.delete(ruleName);
  }

  /**
   * Accepts, archives and delivers the entries; resolves once every event is archived on disk and every
   * matching target has been called. Archiving and delivery run side by side, as on AWS, where the
   * archive is not in the delivery path: the archive's fsync and an SQS target's fsync overlap.
   */
  async putEvents(entries: readonly PutEventsEntry[]): Promise<PutEventsResult> {
    const receivedAt = this.now();
    const resultEntries: PutEventsResultEntry[] = [];
    const work: Promise<void>[] = [];
    for (const entry of entries) {
      const built = this.buildEvent(entry, receivedAt);
      if ('rejection' in built) {
        resultEntries.push(built.rejection);
        continue;
      }
      // Delivery first: an SQS target's journal write (and fsync) starts before the archive's.
      work.push(this.deliver(built.event, receivedAt, () => true));
      if (this.options.archive) work.push(this.options.archive.record(built.event, receivedAt));
      resultEntries.push({ EventId: built.event.id });
    }
    await Promise.all(work);
    return {
      FailedEntryCount: resultEntries.filter((entry) => 'ErrorCode' in entry).length,
      Entries: resultEntries,
    };
  }

  /**
   * Re-delivers the archived events of the window, each carrying `replay-name` as AWS adds it, to all
   * rules or to the named ones. Replayed events are not archived again.
   */
  async replay(request: ReplayRequest): Promise<{ replayedEventCount: number }> {
    const archive = this.options.archive;
    if (!archive) throw new Error(`Event bus ${this.options.name} has no archive to replay from`);
    const selectedRules = request.ruleNames ? new Set(request.ruleNames) : undefined;
    const archived = archive.eventsArchivedBetween(request.from, request.to);
    for (const { event, archivedAt } of archived) {
      const replayed: BusEvent = { ...event, id: String(event['id']), 'replay-name': request.replayName };
      await this.deliver(replayed, new Date(archivedAt), (ruleName) => !selectedRules || selectedRules.has(ruleName));
    }
    return { replayedEventCount: archived.length };
  }

  private buildEvent(entry: PutEventsEntry, receivedAt: Date): { event: BusEvent } | { rejection: EntryRejection } {
    if (!entry.Source) return { rejection: invalidArgument('Source') };
    if (!entry.DetailType) return { rejection: invalidArgument('DetailType') };
    let detail: unknown;
    try {
      detail = JSON.parse(entry.Detail ?? '');
    } catch {
      return { rejection: MALFORMED_DETAIL };
    }
    if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) return { rejection: MALFORMED_DETAIL };
    const event: BusEvent = {
      version: '0',
      id: randomUUID(),
      'detail-type': entry.DetailType,
      source: entry.Source,
      account: this.identity.accountId,
      time: toEventTime(entry.Time ?? receivedAt),
      region: this.identity.region,
      resources: [...(entry.Resources ?? [])],
      detail,
    };
    return { event };
  }

  private async deliver(event: BusEvent, receivedAt: Date, ruleSelected: (ruleName: string) => boolean): Promise<void> {
    const deliveries: Promise<void>[] = [];
    for (const { rule, pattern, arn } of this.rules.values()) {
      if (rule.state !== 'ENABLED' || !ruleSelected(rule.name) || !matchesEventPattern(pattern, event)) continue;
      for (const target of rule.targets) {
        const input = renderTargetInput(target, event, {
          ruleName: rule.name,
          ruleArn: arn,
          ingestionTime: receivedAt.toISOString(),
        });
        const delivery: TargetDelivery = { ruleName: rule.name, target, input, event };
        deliveries.push(
          this.options.dispatchers[target.kind](delivery).catch((error: unknown) => this.reportDeliveryFailure(delivery, error)),
        );
      }
    }
    await Promise.all(deliveries);
  }

  private reportDeliveryFailure(delivery: TargetDelivery, error: unknown): void {
    if (this.options.onDeliveryFailure) return this.options.onDeliveryFailure(delivery, error);
    console.error(`[eventbridge] rule ${delivery.ruleName} failed to deliver event ${delivery.event.id} to ${delivery.target.arn}`, error);
  }
}

const MALFORMED_DETAIL: EntryRejection = { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };

function invalidArgument(parameter: string): EntryRejection {
  return { ErrorCode: 'InvalidArgument', ErrorMessage: `Parameter ${parameter} is not valid. Reason: ${parameter} is a required argument.` };
}

/** EventBridge writes `time` with second precision: `2017-10-02T16:24:49Z`. */
function toEventTime(time: Date | string): string {
  return new Date(time).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
