import { arnFor, type LocalAwsIdentity } from '../local-aws-identity';
import type { LocalResourceValues } from './intrinsics';

/**
 * What `Ref` and `Fn::GetAtt` return for the resource types the stack uses, as CloudFormation documents
 * them, built from the local identity and the emulators' endpoints. The runtime fills the intrinsic
 * context with these before resolving function environments, rule targets and mappings.
 */
export interface LocalEndpoints {
  /** The SQS emulator's base URL; queue URLs are `<sqs>/<account>/<name>`. */
  readonly sqs?: string;
}

export function localResourceValues(
  resourceType: string,
  physicalName: string,
  identity: LocalAwsIdentity,
  endpoints: LocalEndpoints = {},
): LocalResourceValues | undefined {
  switch (resourceType) {
    case 'AWS::SQS::Queue': {
      const queueUrl = `${endpoints.sqs ?? 'http://127.0.0.1'}/${identity.accountId}/${physicalName}`;
      return { ref: queueUrl, attributes: { Arn: arnFor(identity, 'sqs', physicalName), QueueName: physicalName, QueueUrl: queueUrl } };
    }
    case 'AWS::DynamoDB::Table':
    case 'AWS::DynamoDB::GlobalTable': {
      const tableArn = arnFor(identity, 'dynamodb', `table/${physicalName}`);
      return { ref: physicalName, attributes: { Arn: tableArn, StreamArn: `${tableArn}/stream/1970-01-01T00:00:00.000` } };
    }
    case 'AWS::Lambda::Function':
      return { ref: physicalName, attributes: { Arn: arnFor(identity, 'lambda', `function:${physicalName}`) } };
    case 'AWS::StepFunctions::StateMachine': {
      const stateMachineArn = arnFor(identity, 'states', `stateMachine:${physicalName}`);
      return { ref: stateMachineArn, attributes: { Arn: stateMachineArn, Name: physicalName } };
    }
    case 'AWS::Events::EventBus':
      return { ref: physicalName, attributes: { Arn: arnFor(identity, 'events', `event-bus/${physicalName}`), Name: physicalName } };
    case 'AWS::Events::Archive':
      return { ref: physicalName, attributes: { Arn: arnFor(identity, 'events', `archive/${physicalName}`) } };
    case 'AWS::SecretsManager::Secret': {
      const secretArn = arnFor(identity, 'secretsmanager', `secret:${physicalName}`);
      return { ref: secretArn, attributes: { Id: secretArn } };
    }
    case 'AWS::IAM::Role':
      return { ref: physicalName, attributes: { Arn: `arn:${identity.partition}:iam::${identity.accountId}:role/${physicalName}`, RoleId: physicalName } };
    case 'AWS::Logs::LogGroup':
      return { ref: physicalName, attributes: { Arn: arnFor(identity, 'logs', `log-group:${physicalName}:*`) } };
    case 'AWS::SNS::Topic': {
      const topicArn = arnFor(identity, 'sns', physicalName);
      return { ref: topicArn, attributes: { TopicArn: topicArn, TopicName: physicalName } };
    }
    default:
      return undefined;
  }
}
