import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import { ComparisonOperator, Metric, TreatMissingData, type Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { type IEventBus, type IRule, Rule } from 'aws-cdk-lib/aws-events';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue, Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { AlarmTopic } from './alarm-topic';
import { alarmWhenNotEmpty, deadLetterQueue, secureQueue } from './secure-queue';
import { METRICS_NAMESPACE, SyncFunction } from './sync-function';

/**
 * Deliveries before SQS itself moves a message to the flow's DLQ. The consumer dead-letters a transient failure
 * (with its reason) once it has failed for an hour (functions/platform/retry-backoff.ts); this count is the safety
 * net above the receives an hour of its backoff takes (14 at the shortest delays), so an Odoo outage, restart or
 * upgrade window never burns a message's receives before it ends.
 */
export const MAX_RECEIVE_COUNT = 20;
/** Minutes in a row with calls refused by an open breaker before the alarm says Odoo stays unreachable. */
const BREAKER_OPEN_ALARM_MINUTES = 5;
/** AWS's advice for a Lambda-consumed queue: visibility ≥ 6 × the function timeout. */
const VISIBILITY_TIMEOUT_FACTOR = 6;

export interface SyncFlowProps {
  readonly flowName: string;
  readonly bus: IEventBus;
  /** The rule's event pattern, from the routing table. */
  readonly eventPattern: { source: string[]; detailType: string[] };
  /** Where EventBridge puts events it cannot deliver to the queue. */
  readonly ruleTargetDlq: IQueue;
  readonly entry: string;
  /** Upper bound of concurrent consumers, i.e. of concurrent writers to Odoo. */
  readonly maxConcurrency: number;
  readonly consumerTimeout?: Duration;
  readonly batchSize?: number;
  readonly maxMessageAge: Duration;
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  readonly alarms: AlarmTopic;
}

/**
 * One flow: EventBridge rule → SQS queue (with DLQ) → consumer function, with alarms on the DLQ
 * and on the age of the oldest message. The consumer reports partial batch failures, so one bad
 * record neither blocks nor replays its neighbours.
 */
export class SyncFlow extends Construct {
  readonly rule: IRule;
  readonly queue: Queue;
  readonly dlq: Queue;
  readonly consumer: SyncFunction;
  readonly dlqAlarm: Alarm;
  readonly ageAlarm: Alarm;
  readonly breakerAlarm: Alarm;

  constructor(scope: Construct, id: string, props: SyncFlowProps) {
    super(scope, id);
    const timeout = props.consumerTimeout ?? Duration.seconds(30);

    this.dlq = deadLetterQueue(this, 'Dlq', props.removalPolicy);
    this.queue = secureQueue(this, 'Queue', {
      visibilityTimeout: Duration.seconds(timeout.toSeconds() * VISIBILITY_TIMEOUT_FACTOR),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.dlq, maxReceiveCount: MAX_RECEIVE_COUNT },
      removalPolicy: props.removalPolicy,
    });

    this.rule = new Rule(this, 'Rule', {
      eventBus: props.bus,
      description: `canonical events for the ${props.flowName} flow (lib/routing.ts)`,
      eventPattern: props.eventPattern,
      targets: [new SqsQueue(this.queue, { deadLetterQueue: props.ruleTargetDlq, retryAttempts: 185 })],
    });

    this.consumer = new SyncFunction(this, 'Consumer', {
      entry: props.entry,
      serviceName: props.flowName,
      timeout,
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
      environment: {
        QUEUE_URL: this.queue.queueUrl,
        DLQ_URL: this.dlq.queueUrl,
        MAX_RECEIVE_COUNT: String(MAX_RECEIVE_COUNT),
        // The per-entity write lease outlives any invocation, so a live writer never loses it.
        LEASE_SECONDS: String(timeout.toSeconds() * 2),
      },
    });
    // The consumer dead-letters permanent failures itself, with their reason.
    this.dlq.grantSendMessages(this.consumer.fn);
    this.consumer.fn.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: props.batchSize ?? 10,
        maxBatchingWindow: Duration.seconds(1),
        reportBatchItemFailures: true,
        maxConcurrency: props.maxConcurrency,
      }),
    );

    this.dlqAlarm = alarmWhenNotEmpty(
      this,
      'DlqNotEmpty',
      this.dlq,
      props.alarms,
      `${props.flowName}: messages failed permanently; each carries its reason. Fix the cause, then redrive.`,
    );
    this.ageAlarm = props.alarms.notify(
      this.queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(1), statistic: 'Maximum' })
        .createAlarm(this, 'OldestMessageAge', {
          alarmDescription: `${props.flowName}: events wait too long (Odoo slow or down, or the consumer is throttled).`,
          threshold: props.maxMessageAge.toSeconds(),
          comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 3,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
    );
    // Counted by the consumer (functions/platform/record-policy.ts) each time a record fails fast on an open
    // breaker: events are kept and retried, but someone should know Odoo has been unreachable for minutes.
    this.breakerAlarm = props.alarms.notify(
      new Metric({
        namespace: METRICS_NAMESPACE,
        metricName: 'OdooCircuitOpen',
        dimensionsMap: { service: props.flowName },
        statistic: 'Sum',
        period: Duration.minutes(1),
      }).createAlarm(this, 'OdooBreakerOpen', {
        alarmDescription: `${props.flowName}: Odoo has been unreachable for ${BREAKER_OPEN_ALARM_MINUTES} minutes (circuit breaker open); events wait and are retried for an hour.`,
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: BREAKER_OPEN_ALARM_MINUTES,
        datapointsToAlarm: BREAKER_OPEN_ALARM_MINUTES,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
  }
}
