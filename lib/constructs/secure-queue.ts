import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import { type Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { Queue, QueueEncryption, type QueueProps } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { AlarmTopic } from './alarm-topic';

/** Every queue of the stack: SSE (SQS managed, which EventBridge can deliver to) and TLS-only access. */
export function secureQueue(scope: Construct, id: string, props: Omit<QueueProps, 'encryption' | 'enforceSSL'> & { removalPolicy: RemovalPolicy }): Queue {
  return new Queue(scope, id, { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true, ...props });
}

/** A queue that holds what failed (a DLQ): kept 14 days, SQS's maximum, so a long weekend loses nothing. */
export function deadLetterQueue(scope: Construct, id: string, removalPolicy: RemovalPolicy): Queue {
  return secureQueue(scope, id, { retentionPeriod: Duration.days(14), removalPolicy });
}

/** Alarms as soon as one message is visible in the queue: each one is something an operator must look at. */
export function alarmWhenNotEmpty(scope: Construct, id: string, queue: Queue, alarms: AlarmTopic, description: string): Alarm {
  return alarms.notify(
    queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }).createAlarm(scope, id, {
      alarmDescription: description,
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    }),
  );
}
