import { describe, expect, it } from 'vitest';
import {
  resolveIntrinsics,
  UnresolvableIntrinsicError,
  type IntrinsicContext,
} from '../../../local/runtime/cloudformation/intrinsics';
import { localResourceValues } from '../../../local/runtime/cloudformation/local-resource-values';
import { DEFAULT_LOCAL_IDENTITY } from '../../../local/runtime/local-aws-identity';

const identity = DEFAULT_LOCAL_IDENTITY;
const SQS_ENDPOINT = 'http://127.0.0.1:4566';

const context: IntrinsicContext = {
  pseudoParameters: { ...identity, urlSuffix: 'amazonaws.com', stackName: 'OdooSaasSync-local' },
  resources: {
    InvoiceFlowQueue4C5D6E7F: localResourceValues('AWS::SQS::Queue', 'invoice-flow', identity, { sqs: SQS_ENDPOINT })!,
    IdentityMapTable1A2B3C4D: localResourceValues('AWS::DynamoDB::Table', 'identity-map', identity)!,
    SyncBus9F8E7D6C: localResourceValues('AWS::Events::EventBus', 'sync-bus', identity)!,
    OnboardingSagaA1B2C3D4: localResourceValues('AWS::StepFunctions::StateMachine', 'onboarding-saga', identity)!,
  },
  parameters: { BootstrapVersion: '/cdk-bootstrap/hnb659fds/version' },
};

const resolveIn = (value: unknown, path = 'Properties') => resolveIntrinsics(value, context, { resource: 'InvoiceFlowFunction', path });

describe('CloudFormation intrinsics, as CDK writes them', () => {
  it('resolves a function environment of Refs and GetAtts to the local values', () => {
    const environment = {
      Variables: {
        QUEUE_URL: { Ref: 'InvoiceFlowQueue4C5D6E7F' },
        QUEUE_ARN: { 'Fn::GetAtt': ['InvoiceFlowQueue4C5D6E7F', 'Arn'] },
        QUEUE_NAME: { 'Fn::GetAtt': ['InvoiceFlowQueue4C5D6E7F', 'QueueName'] },
        TABLE_NAME: { Ref: 'IdentityMapTable1A2B3C4D' },
        TABLE_STREAM_ARN: { 'Fn::GetAtt': ['IdentityMapTable1A2B3C4D', 'StreamArn'] },
        BUS_ARN: { 'Fn::GetAtt': 'SyncBus9F8E7D6C.Arn' },
        POWERTOOLS_SERVICE_NAME: 'invoice-flow',
      },
    };

    expect(resolveIn(environment)).toEqual({
      Variables: {
        QUEUE_URL: `${SQS_ENDPOINT}/000000000000/invoice-flow`,
        QUEUE_ARN: 'arn:aws:sqs:us-east-1:000000000000:invoice-flow',
        QUEUE_NAME: 'invoice-flow',
        TABLE_NAME: 'identity-map',
        TABLE_STREAM_ARN: expect.stringMatching(/^arn:aws:dynamodb:us-east-1:000000000000:table\/identity-map\/stream\//),
        BUS_ARN: 'arn:aws:events:us-east-1:000000000000:event-bus/sync-bus',
        POWERTOOLS_SERVICE_NAME: 'invoice-flow',
      },
    });
  });

  it('joins pseudo parameters into an ARN', () => {
    const secretArn = {
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':secretsmanager:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':secret:odoo/api-key-??????']],
    };
    expect(resolveIn(secretArn)).toBe('arn:aws:secretsmanager:us-east-1:000000000000:secret:odoo/api-key-??????');
    expect(resolveIn({ 'Fn::Join': ['.', ['sqs', { Ref: 'AWS::Region' }, { Ref: 'AWS::URLSuffix' }]] })).toBe('sqs.us-east-1.amazonaws.com');
  });

  it('substitutes Fn::Sub in both forms, with GetAtt and escaped literals', () => {
    expect(resolveIn({ 'Fn::Sub': 'arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:stateMachine:${OnboardingSagaA1B2C3D4.Name}' })).toBe(
      'arn:aws:states:us-east-1:000000000000:stateMachine:onboarding-saga',
    );
    expect(resolveIn({ 'Fn::Sub': ['${Url}?stack=${AWS::StackName}&raw=${!Literal}', { Url: { Ref: 'InvoiceFlowQueue4C5D6E7F' } }] })).toBe(
      `${SQS_ENDPOINT}/000000000000/invoice-flow?stack=OdooSaasSync-local&raw=\${Literal}`,
    );
    expect(resolveIn({ 'Fn::Sub': '${IdentityMapTable1A2B3C4D}' })).toBe('identity-map');
  });

  it('selects from a split, as CDK does to take a name out of an ARN', () => {
    const queueNameFromArn = { 'Fn::Select': [5, { 'Fn::Split': [':', { 'Fn::GetAtt': ['InvoiceFlowQueue4C5D6E7F', 'Arn'] }] }] };
    expect(resolveIn(queueNameFromArn)).toBe('invoice-flow');
  });

  it('drops a property set to AWS::NoValue and reads template parameters', () => {
    expect(resolveIn({ A: 'kept', B: { Ref: 'AWS::NoValue' }, C: [1, { Ref: 'AWS::NoValue' }, 2] })).toEqual({ A: 'kept', C: [1, 2] });
    expect(resolveIn({ Ref: 'BootstrapVersion' })).toBe('/cdk-bootstrap/hnb659fds/version');
  });

  it('names the resource and the property path of what it cannot resolve', () => {
    const environment = { Variables: { OTHER_QUEUE_URL: { Ref: 'MissingQueue' } } };
    expect(() => resolveIn(environment, 'Properties.Environment')).toThrow(UnresolvableIntrinsicError);
    expect(() => resolveIn(environment, 'Properties.Environment')).toThrow(
      'Cannot resolve {"Ref":"MissingQueue"} in InvoiceFlowFunction at Properties.Environment.Variables.OTHER_QUEUE_URL: no local value for MissingQueue',
    );
    expect(() => resolveIn({ List: [{ 'Fn::GetAtt': ['InvoiceFlowQueue4C5D6E7F', 'DeadLetterArn'] }] })).toThrow(
      /at Properties\.List\[0\]: InvoiceFlowQueue4C5D6E7F has no local attribute DeadLetterArn/,
    );
    expect(() => resolveIn({ 'Fn::ImportValue': 'SharedBus' })).toThrow(/Fn::ImportValue is not supported/);
  });
});
