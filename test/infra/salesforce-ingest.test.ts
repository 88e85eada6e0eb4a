import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { resolveStage, SALESFORCE_WRITE_BACK_DEFAULTS, type StageConfig } from '../../lib/config/stages';
import { SyncStack } from '../../lib/sync-stack';

const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] };
const SOURCE = 'aws.partner/salesforce.com/00D5f000005KcCnEAK/0YL5f000000CabWGAS';
const SALESFORCE: NonNullable<StageConfig['salesforce']> = {
  partnerEventSource: SOURCE,
  instanceUrl: 'https://acme.my.salesforce.com',
  apiVersion: '62.0',
  credentialsSecretName: 'odoo-saas-sync/prod/salesforce-client-credentials',
  clientName: 'odoo-saas-sync',
  corporateCurrency: 'EUR',
  multiCurrency: true,
};

function prodStack(salesforce: StageConfig['salesforce']): { stack: SyncStack; template: Template } {
  const { config } = resolveStage('prod');
  const stack = new SyncStack(new App({ context: NO_BUNDLING }), 'SalesforceStack', { stage: 'prod', config: { ...config, salesforce }, env: config.env });
  return { stack, template: Template.fromStack(stack) };
}

const functionsOf = (template: Template) => Object.entries(template.findResources('AWS::Lambda::Function'));
const ingestOf = (template: Template) => functionsOf(template).find(([id]) => id.startsWith('SalesforceIngest'));

describe('Salesforce ingest (Event Relay)', () => {
  it('is absent from a stage without Salesforce settings', () => {
    const { template } = prodStack(undefined);
    expect(ingestOf(template)).toBeUndefined();
    expect(Object.values(template.findResources('AWS::Events::EventBus')).some((bus) => bus.Properties.EventSourceName !== undefined)).toBe(false);
  });

  it('creates the partner event bus of the configured source and a rule of the four change events to the ingest, with a dead-letter queue', () => {
    const { template } = prodStack(SALESFORCE);
    template.hasResourceProperties('AWS::Events::EventBus', { Name: SOURCE, EventSourceName: SOURCE });
    const [ingestId, ingest] = ingestOf(template)!;
    const busId = Object.entries(template.findResources('AWS::Events::EventBus')).find(([, bus]) => bus.Properties.EventSourceName === SOURCE)![0];
    const dlqId = Object.keys(template.findResources('AWS::SQS::Queue')).find((id) => id.startsWith('SalesforceIngestDeadLetters'))!;
    expect(dlqId).toBeDefined();
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: busId },
      EventPattern: { source: [SOURCE], 'detail-type': ['AccountChangeEvent', 'ContactChangeEvent', 'OpportunityChangeEvent', 'OpportunityLineItemChangeEvent'] },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [ingestId, 'Arn'] }, DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlqId, 'Arn'] } }, RetryPolicy: { MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 185 } })],
    });
    // A failed invocation, after Lambda's own retries, lands in the same queue.
    expect(ingest.Properties.DeadLetterConfig).toEqual({ TargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] } });
    expect(ingest.Properties.Environment.Variables).toMatchObject({
      SALESFORCE_ORG_ID: '00D5f000005KcCnEAK',
      SALESFORCE_INSTANCE_URL: 'https://acme.my.salesforce.com',
      SALESFORCE_API_VERSION: '62.0',
      SALESFORCE_CLIENT_NAME: 'odoo-saas-sync',
      SALESFORCE_CORPORATE_CURRENCY: 'EUR',
      SALESFORCE_MULTI_CURRENCY: 'true',
      SALESFORCE_CREDENTIALS_SECRET_NAME: SALESFORCE.credentialsSecretName,
      // No Account fields of the org's own configured: none read.
      SALESFORCE_ACCOUNT_FIELDS: '{"links":{}}',
    });
    // Only the ingest reads Salesforce: no flow holds its credentials.
    const billingSync = functionsOf(template).find(([id]) => id.startsWith('Flowbillingsync'))![1];
    expect(billingSync.Properties.Environment.Variables['SALESFORCE_CREDENTIALS_SECRET_NAME']).toBeUndefined();
  });

  it('passes the org’s own Account fields (billing customer links, tax id) the stage names to the ingest', () => {
    const { template } = prodStack({ ...SALESFORCE, accountFields: { links: { Stripe_Customer_Id__c: 'stripe' }, taxId: 'VAT_Number__c' } });
    const [, ingest] = ingestOf(template)!;
    expect(JSON.parse(ingest.Properties.Environment.Variables.SALESFORCE_ACCOUNT_FIELDS)).toEqual({ links: { Stripe_Customer_Id__c: 'stripe' }, taxId: 'VAT_Number__c' });
  });

  it('grants the ingest no more than it uses: its secret, PutEvents on the canonical bus, the rejected events and dead-letter queues', () => {
    const { template } = prodStack(SALESFORCE);
    const roleId = Object.keys(template.findResources('AWS::IAM::Role')).find((id) => id.startsWith('SalesforceIngest'))!;
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((policy) => JSON.stringify(policy.Properties.Roles).includes(roleId))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as { Action: string | string[] }[]);
    const actions = new Set(statements.flatMap((statement) => [statement.Action].flat()));
    expect([...actions].sort()).toEqual(
      ['events:PutEvents', 'logs:CreateLogStream', 'logs:PutLogEvents', 'secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments'].sort(),
    );
    expect(JSON.stringify(statements)).toContain('secret:odoo-saas-sync/prod/salesforce-client-credentials-??????');
  });

  it('passes cdk-nag AwsSolutions with Salesforce configured', () => {
    const { stack } = prodStack(SALESFORCE);
    const report = new AwsSolutionsChecks(stack).validateScope(stack);
    expect(report.violations.map((violation) => `${violation.ruleName}: ${violation.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
  });

  it('refuses a stage whose partner event source is not a Salesforce org’s', () => {
    const { config } = resolveStage('local');
    const withSource = (partnerEventSource: string) => ({ local: { ...config, salesforce: { ...SALESFORCE, partnerEventSource } }, dev: config, staging: config, prod: config });
    expect(resolveStage('local', withSource(SOURCE)).config.salesforce?.partnerEventSource).toBe(SOURCE);
    expect(() => resolveStage('local', withSource('aws.partner/appflow.test/salesforce.com/364228160620/CustomSF'))).toThrow(/salesforce\.partnerEventSource/);
  });

  it('gives the write-back flows (crm-sync, customer-sync) the connected app, our client name and the write-back fields', () => {
    const { template } = prodStack(SALESFORCE);
    for (const flow of ['Flowcrmsync', 'Flowcustomersync']) {
      const variables = functionsOf(template).find(([id]) => id.startsWith(flow))![1].Properties.Environment.Variables as Record<string, string>;
      expect(variables, flow).toMatchObject({
        CRM_SYSTEMS: 'salesforce',
        SALESFORCE_CREDENTIALS_SECRET_NAME: SALESFORCE.credentialsSecretName,
        SALESFORCE_INSTANCE_URL: SALESFORCE.instanceUrl,
        SALESFORCE_API_VERSION: SALESFORCE.apiVersion,
        // The name the ingest drops changes by: the write-back's own changes come back with it.
        SALESFORCE_CLIENT_NAME: SALESFORCE.clientName,
      });
      expect(JSON.parse(variables['SALESFORCE_CRM_WRITE_BACK']!)).toEqual(SALESFORCE_WRITE_BACK_DEFAULTS);
    }
  });
});
