import type { RemovalPolicy } from 'aws-cdk-lib';
import { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface AlarmTopicProps {
  readonly email: string;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * Where every alarm of the stack notifies: an encrypted SNS topic with an email subscription.
 * The key is customer managed because CloudWatch alarms cannot publish to a topic encrypted
 * with the AWS managed `alias/aws/sns` key.
 */
export class AlarmTopic extends Construct {
  readonly topic: Topic;
  readonly key: Key;
  private readonly action: SnsAction;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    this.key = new Key(this, 'Key', {
      description: 'odoo-saas-sync alarm notifications',
      enableKeyRotation: true,
      removalPolicy: props.removalPolicy,
    });
    this.key.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.topic = new Topic(this, 'Topic', { masterKey: this.key, enforceSSL: true });
    this.topic.addSubscription(new EmailSubscription(props.email));
    this.action = new SnsAction(this.topic);
  }

  /** Routes an alarm (and its recovery) to the topic. */
  notify(alarm: Alarm): Alarm {
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    return alarm;
  }
}
