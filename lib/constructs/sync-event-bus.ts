import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import { Archive, EventBus } from 'aws-cdk-lib/aws-events';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { AlarmTopic } from './alarm-topic';
import { alarmWhenNotEmpty, deadLetterQueue } from './secure-queue';

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
    this.targetDlq = deadLetterQueue(this, 'TargetDlq', props.removalPolicy);
    alarmWhenNotEmpty(
      this,
      'TargetDlqNotEmpty',
      this.targetDlq,
      props.alarms,
      'EventBridge could not deliver canonical events to a flow queue: inspect the messages and redrive.',
    );
  }
}
