import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it } from 'vitest';
import { AlarmTopic } from '../../lib/constructs/alarm-topic';
import { LifecycleSaga } from '../../lib/constructs/lifecycle-saga';
import { SAGA_ROUTES } from '../../lib/routing';
import { ECHO_HANDLER, emptyStack, syncStack } from './stack-fixture';

/** A state machine's ASL from the template: the Fn::Join of its DefinitionString, each token shown as `<token>`. */
function definitionOf(resource: { Properties: { DefinitionString: unknown } }): { StartAt: string; States: Record<string, Record<string, unknown>> } {
  const definition = resource.Properties.DefinitionString as string | { 'Fn::Join': [string, unknown[]] };
  const text = typeof definition === 'string' ? definition : definition['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : '<token>')).join('');
  return JSON.parse(text);
}

describe('LifecycleSaga (the dunning saga in the prod template)', () => {
  const { template } = syncStack('prod');
  const machines = template.findResources('AWS::StepFunctions::StateMachine');
  const [logicalId, machine] = Object.entries(machines).find(([id]) => id.includes('dunning'))!;
  const asl = definitionOf(machine as never);

  it('is a Standard state machine with X-Ray and full CloudWatch logging', () => {
    expect(machine.Properties.StateMachineType).toBe('STANDARD');
    expect(machine.Properties.TracingConfiguration).toEqual({ Enabled: true });
    expect(machine.Properties.LoggingConfiguration).toMatchObject({ Level: 'ALL', IncludeExecutionData: true });
    expect(asl.StartAt).toBe('MarkPastDue');
  });

  it('retries a step’s transient errors with capped, jittered backoff for over an hour, and catches permanent ones into the compensations', () => {
    const step = asl.States['MarkPastDue']!;
    expect(step['ResultPath']).toBe('$.markPastDue');
    const retries = step['Retry'] as Record<string, unknown>[];
    expect(retries).toHaveLength(1);
    const [retry] = retries;
    expect(retry).toMatchObject({ ErrorEquals: expect.arrayContaining(['RetryableSyncError', 'Lambda.TooManyRequestsException']), MaxDelaySeconds: 300, JitterStrategy: 'FULL', MaxAttempts: 20 });
    expect(retry!['ErrorEquals']).not.toContain('PermanentSyncError');
    // The recheck fails for good → the owner's task closed → the past-due standing withdrawn → the execution fails with the step's error.
    expect(asl.States['RecheckInvoice']!['Catch']).toEqual([{ ErrorEquals: ['PermanentSyncError'], ResultPath: '$.failure', Next: 'CloseOwnerTask' }]);
    expect(asl.States['CloseOwnerTask']).toMatchObject({ Next: 'WithdrawPastDue', Catch: [{ ErrorEquals: ['States.ALL'], Next: 'WithdrawPastDue' }] });
    // The entitlement's past due is the provider's fact, not undone: a failure right after it withdraws the Odoo standing only.
    expect(asl.States['OpenOwnerTask']!['Catch']).toEqual([expect.objectContaining({ Next: 'WithdrawPastDue' })]);
    expect(asl.States['WithdrawPastDue']).toMatchObject({ Next: 'Failed', Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Failed' }] });
    expect(asl.States['WithdrawPastDue']!['Retry']).toBeDefined();
    expect(asl.States['Failed']).toMatchObject({ Type: 'Fail', ErrorPath: '$.failure.Error', CausePath: '$.failure.Cause' });
    // The first step has nothing before it to undo.
    expect(asl.States['MarkPastDue']!['Catch']).toEqual([{ ErrorEquals: ['PermanentSyncError'], ResultPath: '$.failure', Next: 'Failed' }]);
    // Suspend and Restore come after the task: a permanent failure there closes it and withdraws the standing too.
    expect(asl.States['Suspend']!['Catch']).toEqual([expect.objectContaining({ Next: 'CloseOwnerTask' })]);
    expect(asl.States['Suspend']!['Next']).toBe('SuspendEntitlement');
    expect([asl.States['Restore']!['Next'], asl.States['RestoreEntitlement']!['Next']]).toEqual(['RestoreEntitlement', 'CompleteOwnerTask']);
  });

  it('re-checks the invoice in a loop until it is paid or the grace is over', () => {
    expect(asl.States['Wait before RecheckInvoice']).toMatchObject({ Type: 'Wait', Seconds: 6 * 3600, Next: 'RecheckInvoice' });
    const loop = asl.States['RecheckInvoice?'] as { Choices: { StringEquals: string; Next: string }[] };
    expect(loop.Choices[0]).toMatchObject({ Variable: '$.recheckInvoice.outcome', StringEquals: 'waiting', Next: 'Wait before RecheckInvoice' });
  });

  it('is started by a rule of the routing table’s types through a starter function, with a DLQ on the rule target', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['odoo-saas-sync'], 'detail-type': [...SAGA_ROUTES.dunning] },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('SagadunningStarter'), 'Arn'] }, DeadLetterConfig: Match.anyValue(), RetryPolicy: Match.anyValue() })],
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ STATE_MACHINE_ARN: { Ref: logicalId } }) },
    });
    // The starter may start this state machine's executions, nothing more.
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyName: Match.stringLikeRegexp('SagadunningStarter'),
      PolicyDocument: { Statement: Match.arrayWith([{ Action: 'states:StartExecution', Effect: 'Allow', Resource: { Ref: logicalId } }]) },
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 2, DestinationConfig: { OnFailure: { Destination: Match.anyValue() } } });
  });

  it('alarms on failed and timed-out executions to the stack’s alarm topic', () => {
    for (const metricName of ['ExecutionsFailed', 'ExecutionsTimedOut']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: metricName,
        Namespace: 'AWS/States',
        Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: logicalId } }],
        AlarmActions: [{ Ref: Match.stringLikeRegexp('AlarmsTopic') }],
      });
    }
  });

  it('gives the step functions the stage’s grace period and suspended tag', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ SAGA_STEP: 'Suspend', DUNNING_GRACE_SECONDS: String(14 * 24 * 3600), DUNNING_SUSPENDED_TAG: 'Suspended' }) },
    });
  });
});

describe('LifecycleSaga (the offboarding saga in the prod template)', () => {
  const { template } = syncStack('prod');
  const [logicalId, machine] = Object.entries(template.findResources('AWS::StepFunctions::StateMachine')).find(([id]) => id.includes('offboarding'))!;
  const asl = definitionOf(machine as never);

  it('is a Standard state machine started by subscription ends and customer deletions, whose first step ends a run that is no end', () => {
    expect(machine.Properties.StateMachineType).toBe('STANDARD');
    expect(asl.StartAt).toBe('RecogniseEnd');
    const choice = asl.States['An end to offboard?'] as { Choices: { StringEquals: string; Next: string }[] };
    expect(choice.Choices.map((each) => [each.StringEquals, each.Next])).toEqual([
      ['not-an-end', 'Done An end to offboard?=not-an-end'],
      ['offboard', 'CloseContract'],
    ]);
    expect(['CloseContract', 'RevokeEntitlement', 'MarkFormerCustomer', 'CheckOpenInvoices', 'ArchivePartner'].map((state) => asl.States[state]!['Next'])).toEqual([
      'RevokeEntitlement',
      'MarkFormerCustomer',
      'CheckOpenInvoices',
      'ArchivePartner',
      'Done An end to offboard?=offboard',
    ]);
    // Nothing to compensate: each step applies an end the provider already made.
    expect(asl.States['ArchivePartner']!['Catch']).toEqual([expect.objectContaining({ Next: 'Failed' })]);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['odoo-saas-sync'], 'detail-type': ['subscription.updated', 'customer.deleted'] },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('SagaoffboardingStarter'), 'Arn'] } })],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ExecutionsFailed', Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: logicalId } }] });
  });

  it('gives its steps the entitlements flow’s settings, the desk’s API and the bus', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ SAGA_STEP: 'RevokeEntitlement', SUPPORT_POLICY: Match.anyValue(), BILLING_CONFIG: Match.anyValue(), EVENT_BUS_NAME: Match.anyValue() }) },
    });
    // The stage's choice to archive former customers' partners (off unless configured).
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ SAGA_STEP: 'ArchivePartner', OFFBOARDING_ARCHIVE_PARTNER: 'false' }) },
    });
  });
});

describe('LifecycleSaga (the amendment saga in the prod template)', () => {
  const { template } = syncStack('prod');
  const [logicalId, machine] = Object.entries(template.findResources('AWS::StepFunctions::StateMachine')).find(([id]) => id.includes('amendment'))!;
  const asl = definitionOf(machine as never);

  it('is a Standard state machine started by subscription.amended, whose first step ends a superseded run', () => {
    expect(machine.Properties.StateMachineType).toBe('STANDARD');
    expect(asl.StartAt).toBe('VerifyContractAmended');
    const choice = asl.States['Still the newest amendment?'] as { Choices: { StringEquals: string; Next: string }[] };
    expect(choice.Choices.map((each) => [each.StringEquals, each.Next])).toEqual([
      ['superseded', 'Done Still the newest amendment?=superseded'],
      ['amended', 'RederiveEntitlement'],
    ]);
    expect(asl.States['RederiveEntitlement']!['Next']).toBe('UpdateCrm');
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['odoo-saas-sync'], 'detail-type': ['subscription.amended'] },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('SagaamendmentStarter'), 'Arn'] } })],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ExecutionsFailed', Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: logicalId } }] });
  });

  it('restores the previous lines when a later step fails for good, then fails with the reason', () => {
    const catchOf = (state: string) => (asl.States[state]!['Catch'] as { Next: string }[])[0]!.Next;
    expect(catchOf('VerifyContractAmended')).toBe('Failed');
    expect(catchOf('RederiveEntitlement')).toBe('RestoreContractLines');
    expect(catchOf('UpdateCrm')).toBe('RestoreContractLines');
    expect(asl.States['RestoreContractLines']).toMatchObject({ ResultPath: '$.restoreContractLines', Next: 'Failed' });
  });

  it('gives its steps subscription-sync’s billing mapping, the entitlements flow’s settings, the desk’s API and the bus', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ SAGA_STEP: 'RestoreContractLines', BILLING_CONFIG: Match.anyValue(), EVENT_BUS_NAME: Match.anyValue() }) },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ SAGA_STEP: 'RederiveEntitlement', SUPPORT_POLICY: Match.anyValue(), BILLING_CONFIG: Match.anyValue(), EVENT_BUS_NAME: Match.anyValue() }) },
    });
  });
});

describe('LifecycleSaga (a three-step saga)', () => {
  it('chains each step’s Catch to the compensations of the steps before it, newest first, then the Fail state', () => {
    const stack = emptyStack();
    const bus = new EventBus(stack, 'Bus');
    new LifecycleSaga(stack, 'Saga', {
      sagaName: 'onboarding-test',
      steps: [
        { kind: 'task', name: 'EnsurePartner', entry: ECHO_HANDLER, compensation: { name: 'ArchivePartner', entry: ECHO_HANDLER } },
        { kind: 'task', name: 'ConfirmOrder', entry: ECHO_HANDLER, compensation: { name: 'CancelOrder', entry: ECHO_HANDLER } },
        { kind: 'task', name: 'Subscribe', entry: ECHO_HANDLER },
      ],
      bus,
      eventPattern: { source: ['odoo-saas-sync'], detailType: ['deal.won'] },
      ruleTargetDlq: new Queue(stack, 'TargetDlq'),
      starterEntry: ECHO_HANDLER,
      stepRetry: { intervalSeconds: 1, backoffRate: 2, maxDelaySeconds: 5, maxAttempts: 3 },
      timeout: Duration.hours(1),
      logRetention: RetentionDays.ONE_WEEK,
      removalPolicy: RemovalPolicy.DESTROY,
      alarms: new AlarmTopic(stack, 'Alarms', { email: 'ops@example.com', removalPolicy: RemovalPolicy.DESTROY }),
    });
    const template = Template.fromStack(stack);
    const [machine] = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
    const { StartAt, States } = definitionOf(machine as never);
    const catchOf = (state: string) => (States[state]!['Catch'] as { Next: string }[])[0]!.Next;

    expect(StartAt).toBe('EnsurePartner');
    expect([States['EnsurePartner']!['Next'], States['ConfirmOrder']!['Next'], States['Subscribe']!['Next']]).toEqual(['ConfirmOrder', 'Subscribe', 'Done']);
    expect(catchOf('EnsurePartner')).toBe('Failed');
    expect(catchOf('ConfirmOrder')).toBe('ArchivePartner');
    expect(catchOf('Subscribe')).toBe('CancelOrder');
    expect([States['CancelOrder']!['Next'], States['ArchivePartner']!['Next']]).toEqual(['ArchivePartner', 'Failed']);
    // Each compensation is retried, and one that still fails does not stop those before it.
    expect(States['CancelOrder']!['Retry']).toEqual([expect.objectContaining({ MaxAttempts: 3, MaxDelaySeconds: 5 })]);
    expect(catchOf('CancelOrder')).toBe('ArchivePartner');
    expect(States['Subscribe']!['ResultPath']).toBe('$.subscribe');
  });
});
