import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import { EventBus, type IEventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue, Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { StageConfig } from '../config/stages';
import type { PartnerEventProviderRow } from '../providers';
import type { AlarmTopic } from './alarm-topic';
import { alarmWhenNotEmpty, deadLetterQueue } from './secure-queue';
import { SyncFunction } from './sync-function';

export interface PartnerEventIngestProps {
  readonly provider: PartnerEventProviderRow;
  /** Absolute path of the provider's ingest handler. */
  readonly entry: string;
  readonly config: StageConfig;
  /** The canonical bus the ingest publishes to. */
  readonly bus: IEventBus;
  /** Where an event that can never be applied is kept whole, with the reason. */
  readonly rejectedEvents: IQueue;
  /** The EventBridge `source` of canonical events. */
  readonly eventSource: string;
  readonly alarms: AlarmTopic;
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * A provider's partner-event ingest: the partner event bus of the stage's event source (an `EventBus` with
 * `eventSourceName`: the provider's relay puts its events there, nobody else can), a rule letting the provider's
 * event types through to the ingest function, and one dead-letter queue for what could not be ingested.
 *
 * Failures: EventBridge retries a delivery it could not make (throttling, a missing permission) for 24 h, then puts
 * the event in the dead-letter queue (the target's `DeadLetterConfig`). Lambda took the event once delivered: a
 * failed invocation (the provider's API unavailable) is retried by Lambda twice with backoff, then put in the same
 * queue (the function's `DeadLetterConfig`). The queue alarms when not empty; its messages are redriven.
 */
export class PartnerEventIngest extends Construct {
  readonly partnerBus: EventBus;
  readonly rule: Rule;
  readonly function: SyncFunction;
  readonly deadLetters: Queue;

  constructor(scope: Construct, props: PartnerEventIngestProps) {
    const { provider, config } = props;
    super(scope, `${provider.name}Ingest`);
    const eventSourceName = provider.partnerEventSource(config);

    this.deadLetters = deadLetterQueue(this, 'DeadLetters', props.removalPolicy);
    alarmWhenNotEmpty(
      this,
      'DeadLettersNotEmpty',
      this.deadLetters,
      props.alarms,
      `${provider.name} events could not be ingested after EventBridge's and Lambda's retries: each message names the error; redrive once the cause is fixed.`,
    );

    this.function = new SyncFunction(this, 'Default', {
      entry: props.entry,
      serviceName: `${provider.system}-ingest`,
      memorySize: 512,
      // A change's reads: a token and at most three calls (a queryAll, a read, a query), each bounded by the REST
      // client's 20 s retry budget: the run ends (and fails, to be retried) before Lambda cuts it.
      timeout: Duration.seconds(90),
      environment: { EVENT_SOURCE: props.eventSource, ...provider.ingestEnvironment(config) },
      deadLetterQueue: this.deadLetters,
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    props.rejectedEvents.grantSendMessages(this.function.fn);
    this.function.fn.addEnvironment('REJECTED_EVENTS_QUEUE_URL', props.rejectedEvents.queueUrl);
    this.function.bindEventBus(props.bus, 'EVENT_BUS_NAME');
    for (const secret of provider.ingestSecrets) {
      this.function.bindSecret(Secret.fromSecretNameV2(scope, secret.id, secret.secretName(config)), secret.environmentVariable);
    }

    // The bus's name must be the event source's: that is how EventBridge ties the partner's source to it.
    this.partnerBus = new EventBus(this, 'PartnerBus', { eventSourceName, description: `${provider.name} partner events` });
    this.rule = new Rule(this, 'Rule', {
      eventBus: this.partnerBus,
      description: `${provider.name} events to its ingest`,
      eventPattern: { source: [eventSourceName], detailType: [...provider.detailTypes] },
      targets: [new LambdaFunction(this.function.fn, { deadLetterQueue: this.deadLetters, retryAttempts: 185, maxEventAge: Duration.hours(24) })],
    });
  }
}
