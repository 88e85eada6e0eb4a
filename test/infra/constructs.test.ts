import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it } from 'vitest';
import { AlarmTopic } from '../../lib/constructs/alarm-topic';
import { StateTables } from '../../lib/constructs/state-tables';
import { SyncEventBus } from '../../lib/constructs/sync-event-bus';
import { MAX_RECEIVE_COUNT, SyncFlow } from '../../lib/constructs/sync-flow';
import { MAX_RECEIVES } from '../../functions/platform/retry-backoff';
import { SyncFunction } from '../../lib/constructs/sync-function';
import { WebhookApi } from '../../lib/constructs/webhook-api';
import { ECHO_HANDLER, emptyStack } from './stack-fixture';

const common = { logRetention: RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.RETAIN };

describe('SyncFunction (the house function)', () => {
  it('fixes runtime, architecture, tracing, logging and the ESM bundle once', () => {
    const stack = emptyStack();
    new SyncFunction(stack, 'Fn', { entry: ECHO_HANDLER, serviceName: 'echo', ...common });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      MemorySize: 256,
      Timeout: 10,
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: { LogFormat: 'JSON', LogGroup: Match.anyValue() },
      Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: 'echo', POWERTOOLS_METRICS_NAMESPACE: 'OdooSaasSync', NODE_OPTIONS: '--enable-source-maps' }) },
    });
    template.hasResource('AWS::Logs::LogGroup', { Properties: { RetentionInDays: 30 }, DeletionPolicy: 'Retain' });
  });

  it('writes logs only to its own log group, without the broad managed policy', () => {
    const stack = emptyStack();
    new SyncFunction(stack, 'Fn', { entry: ECHO_HANDLER, serviceName: 'echo', ...common });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('FnLogs'), 'Arn'] } }),
        ]),
      },
    });
  });

  it('binds a table with item-level actions on the table only, and names it in the environment', () => {
    const stack = emptyStack();
    const tables = new StateTables(stack, 'State', { removalPolicy: RemovalPolicy.DESTROY });
    const fn = new SyncFunction(stack, 'Fn', { entry: ECHO_HANDLER, serviceName: 'echo', ...common }).bindTable(tables.identityMap, 'IDENTITY_MAP_TABLE');
    const template = Template.fromStack(stack);
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (policy) => policy.Properties.PolicyDocument.Statement as Array<{ Action: string[]; Resource: unknown }>,
    );
    const tableStatement = statements.find((statement) => [statement.Action].flat().includes('dynamodb:PutItem'));
    expect(tableStatement?.Action).not.toContain('dynamodb:Scan');
    expect(JSON.stringify(tableStatement?.Resource)).not.toContain('index');
    expect(fn.fn.node.tryFindChild('Resource')).toBeDefined();
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ IDENTITY_MAP_TABLE: { Ref: Match.stringLikeRegexp('IdentityMap') } }) },
    });
  });
});

describe('SyncFlow', () => {
  function flowTemplate() {
    const stack = emptyStack();
    const bus = new EventBus(stack, 'Bus');
    const alarms = new AlarmTopic(stack, 'Alarms', { email: 'ops@example.com', removalPolicy: RemovalPolicy.DESTROY });
    const flow = new SyncFlow(stack, 'Flow', {
      flowName: 'customer-sync',
      bus,
      eventPattern: { source: ['odoo-saas-sync'], detailType: ['customer.upserted', 'customer.deleted'] },
      ruleTargetDlq: new Queue(stack, 'TargetDlq'),
      entry: ECHO_HANDLER,
      maxConcurrency: 7,
      consumerTimeout: Duration.seconds(30),
      maxMessageAge: Duration.minutes(15),
      alarms,
      ...common,
    });
    return { flow, template: Template.fromStack(stack) };
  }

  it('routes the flow’s event types from the bus to its queue, with a DLQ for undeliverable events', () => {
    const { template } = flowTemplate();
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['odoo-saas-sync'], 'detail-type': ['customer.upserted', 'customer.deleted'] },
      Targets: [Match.objectLike({ DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('TargetDlq'), 'Arn'] } } })],
    });
  });

  it('has an encrypted, TLS-only queue with visibility 6 × the consumer timeout and a 14-day DLQ after 20 receives (an hour of backoff fits under it)', () => {
    const { template } = flowTemplate();
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      VisibilityTimeout: 180,
      RedrivePolicy: { maxReceiveCount: MAX_RECEIVE_COUNT, deadLetterTargetArn: Match.anyValue() },
    });
    expect(MAX_RECEIVE_COUNT).toBe(MAX_RECEIVES);
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
    const policies = template.findResources('AWS::SQS::QueuePolicy');
    const denies = Object.values(policies).flatMap((policy) => policy.Properties.PolicyDocument.Statement).filter(
      (statement: { Effect: string; Condition?: { Bool?: Record<string, string> } }) =>
        statement.Effect === 'Deny' && statement.Condition?.Bool?.['aws:SecureTransport'] === 'false',
    );
    expect(denies.length).toBeGreaterThanOrEqual(2);
  });

  it('consumes with partial batch responses and the configured maximum concurrency', () => {
    const { template } = flowTemplate();
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 7 },
      BatchSize: 10,
    });
  });

  it('alarms when a message reaches the DLQ and when messages wait too long', () => {
    const { template } = flowTemplate();
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [{ Ref: Match.stringLikeRegexp('AlarmsTopic') }],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateAgeOfOldestMessage',
      Threshold: 900,
      AlarmActions: [{ Ref: Match.stringLikeRegexp('AlarmsTopic') }],
    });
  });

  it('alarms when Odoo stays unreachable: calls refused by an open breaker in each of 5 minutes', () => {
    const { template } = flowTemplate();
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'OdooSaasSync',
      MetricName: 'OdooCircuitOpen',
      Statistic: 'Sum',
      Period: 60,
      EvaluationPeriods: 5,
      DatapointsToAlarm: 5,
      Threshold: 0,
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: Match.stringLikeRegexp('AlarmsTopic') }],
    });
  });

  it('lets the consumer dead-letter with a reason and tells it its queues', () => {
    const { template } = flowTemplate();
    template.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 30,
      Environment: {
        Variables: Match.objectLike({ QUEUE_URL: { Ref: Match.stringLikeRegexp('FlowQueue') }, DLQ_URL: { Ref: Match.stringLikeRegexp('FlowDlq') }, MAX_RECEIVE_COUNT: '20' }),
      },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: Match.arrayWith(['sqs:SendMessage']), Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('FlowDlq'), 'Arn'] } })]) },
    });
  });
});

describe('WebhookApi', () => {
  function apiTemplate() {
    const stack = emptyStack();
    const api = new WebhookApi(stack, 'Webhooks', { stageName: 'prod', rateLimit: 50, burstLimit: 100, maxBodyBytes: 262144, ...common });
    api.addProvider('stripe', new SyncFunction(stack, 'Ingest', { entry: ECHO_HANDLER, serviceName: 'stripe-ingest', ...common }));
    return Template.fromStack(stack);
  }

  it('serves POST /webhooks/stripe through a Lambda proxy integration', () => {
    const template = apiTemplate();
    template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: 'webhooks' });
    template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: 'stripe' });
    template.hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: 'POST', AuthorizationType: 'NONE', Integration: { Type: 'AWS_PROXY' } });
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { EndpointConfiguration: { Types: ['REGIONAL'] } });
  });

  it('has access logs, tracing and stage throttling', () => {
    apiTemplate().hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'prod',
      TracingEnabled: true,
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
      MethodSettings: [Match.objectLike({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100, DataTraceEnabled: false })],
    });
  });

  it('gives the ingest function the payload limit and outputs the webhook URL', () => {
    const template = apiTemplate();
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ MAX_BODY_BYTES: '262144' }) } });
    const outputs = template.findOutputs('*');
    expect(Object.keys(outputs).some((name) => name.includes('stripeWebhookUrl'))).toBe(true);
    expect(JSON.stringify(Object.values(outputs))).toContain('/webhooks/stripe');
  });
});

describe('StateTables', () => {
  it('creates the identity map with its by-system-id index, idempotency with TTL, and watermarks, all with PITR and encryption', () => {
    const stack = emptyStack();
    new StateTables(stack, 'State', { removalPolicy: RemovalPolicy.RETAIN });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::DynamoDB::GlobalTable', 3);
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
      GlobalSecondaryIndexes: [Match.objectLike({ IndexName: 'bySystemId', KeySchema: [{ AttributeName: 'systemKey', KeyType: 'HASH' }] })],
    });
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
    });
    for (const table of Object.values(template.findResources('AWS::DynamoDB::GlobalTable'))) {
      expect(table.Properties.Replicas[0].PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
      expect(table.Properties.SSESpecification).toEqual({ SSEEnabled: true, SSEType: 'KMS' });
      expect(table.DeletionPolicy).toBe('Retain');
    }
  });
});

describe('SyncEventBus', () => {
  it('archives every canonical event and has an alarmed DLQ for rule targets', () => {
    const stack = emptyStack();
    const alarms = new AlarmTopic(stack, 'Alarms', { email: 'ops@example.com', removalPolicy: RemovalPolicy.DESTROY });
    new SyncEventBus(stack, 'Events', { eventSource: 'odoo-saas-sync', archiveRetentionDays: 0, removalPolicy: RemovalPolicy.RETAIN, alarms });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Events::EventBus', 1);
    template.hasResourceProperties('AWS::Events::Archive', { EventPattern: { source: ['odoo-saas-sync'] }, RetentionDays: 0 }); // 0 = kept forever
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 1209600 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 0 });
  });
});

describe('AlarmTopic', () => {
  it('notifies the stage’s email through a KMS-encrypted, TLS-only topic that CloudWatch may publish to', () => {
    const stack = emptyStack();
    new AlarmTopic(stack, 'Alarms', { email: 'ops@example.com', removalPolicy: RemovalPolicy.RETAIN });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'cloudwatch.amazonaws.com' } })]) },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });
});
