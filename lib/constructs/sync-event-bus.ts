import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import { ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { Archive, EventBus } from 'aws-cdk-lib/aws-events';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { AlarmTopic } from './alarm-topic';

export interface SyncEventBusProps {
  readonly eventSource: string;
  /** Days the archive keeps events; 0 keeps them forever. */
  readonly archiveRetentionDays: number;
  readonly removalPolicy: RemovalPolicy;
  readonly alarms: AlarmTopic;
}

/**
 * The canonical event bus, its archive (every canonical event, for replay) and the dead-letter
 * queue that rule targets use when EventBridge cannot deliver (e.g. a queue policy mistake).
 */
export class SyncEventBus extends Construct {
  readonly bus: EventBus;
  readonly archive: Archive;
  /** Where EventBridge puts events it could not deliver to a rule target. */
  readonly targetDlq: Queue;

  constructor(scope: Construct, id: string, props: SyncEventBusProps) {
    super(scope, id);
    this.bus = new EventBus(this, 'Bus', { description: 'odoo-saas-sync canonical events' });
    this.archive = this.bus.archive('Archive', {
      description: 'every canonical event, for replay',
      eventPattern: { source: [props.eventSource] },
      retention: props.archiveRetentionDays === 0 ? undefined : Duration.days(props.archiveRetentionDays),
    });
    this.targetDlq = new Queue(this, 'TargetDlq', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: props.removalPolicy,
    });
    props.alarms.notify(
      this.targetDlq.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' })
        .createAlarm(this, 'TargetDlqNotEmpty', {
          alarmDescription: 'EventBridge could not deliver canonical events to a flow queue: inspect the messages and redrive.',
          threshold: 0,
          comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
    );
  }
}
