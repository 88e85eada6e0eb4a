import { Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { STAGES } from '../../lib/config/stages';
import { FLOW_NAMES, ROUTES } from '../../lib/routing';
import { syncStack } from './stack-fixture';

describe('SyncStack', () => {
  it.each(STAGES)('passes cdk-nag AwsSolutions with no unacknowledged finding (stage %s)', (stage) => {
    const { stack } = syncStack(stage);
    const report = new AwsSolutionsChecks(stack).validateScope(stack);
    expect(report.violations.map((violation) => `${violation.ruleName}: ${violation.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('generates one rule per routing-table flow, matching exactly its canonical types', () => {
    const { template } = syncStack('prod');
    const rules = Object.values(template.findResources('AWS::Events::Rule'));
    expect(rules).toHaveLength(FLOW_NAMES.length);
    for (const flow of FLOW_NAMES) {
      template.hasResourceProperties('AWS::Events::Rule', {
        EventBusName: { Ref: Match.stringLikeRegexp('EventsBus') },
        EventPattern: { source: ['odoo-saas-sync'], 'detail-type': [...ROUTES[flow]] },
      });
    }
  });

  it('uses the stage’s flow concurrency, Odoo connection and secrets', () => {
    const { template } = syncStack('prod');
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { ScalingConfig: { MaximumConcurrency: 10 } });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          ODOO_URL: 'https://odoo.example.com',
          ODOO_DB: 'production',
          ODOO_TRANSPORT: 'auto',
          ODOO_API_KEY_SECRET_NAME: 'odoo-saas-sync/prod/odoo-api-key',
          IDEMPOTENCY_TABLE: Match.anyValue(),
          WATERMARK_TABLE: Match.anyValue(),
          IDENTITY_MAP_TABLE: Match.anyValue(),
        }),
      },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ STRIPE_WEBHOOK_SECRET_NAME: 'odoo-saas-sync/prod/stripe-webhook-secret', EVENT_BUS_NAME: Match.anyValue() }) },
    });
  });

  it('lets the Stripe ingest put events on the bus and read its signing secret, and nothing of Odoo', () => {
    const { stack, template } = syncStack('prod');
    const ingestPolicy = Object.entries(template.findResources('AWS::IAM::Policy')).find(([id]) => id.startsWith('StripeIngest'));
    const statements = JSON.stringify(ingestPolicy?.[1].Properties.PolicyDocument.Statement);
    expect(statements).toContain('events:PutEvents');
    expect(statements).toContain('secret:odoo-saas-sync/prod/stripe-webhook-secret-??????');
    expect(statements).not.toContain('odoo-api-key');
    expect(statements).not.toContain('dynamodb');
    expect(stack.stripeIngest.fn.runtime.name).toBe('nodejs22.x');
  });

  it('keeps data on delete in prod and staging, and removes it in dev and local', () => {
    for (const stage of ['prod', 'staging'] as const) {
      for (const table of Object.values(syncStack(stage).template.findResources('AWS::DynamoDB::GlobalTable'))) expect(table.DeletionPolicy).toBe('Retain');
    }
    for (const stage of ['dev', 'local'] as const) {
      for (const table of Object.values(syncStack(stage).template.findResources('AWS::DynamoDB::GlobalTable'))) expect(table.DeletionPolicy).toBe('Delete');
    }
  });

  it('outputs the Stripe webhook URL', () => {
    const { template } = syncStack('prod');
    expect(JSON.stringify(template.findOutputs('*'))).toContain('/webhooks/stripe');
  });
});

describe('rejected events', () => {
  it('keeps signed events the stack cannot apply in an alarmed queue the Stripe ingest may write to', () => {
    const { template } = syncStack('prod');
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ REJECTED_EVENTS_QUEUE_URL: { Ref: Match.stringLikeRegexp('RejectedEvents') } }) },
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('RejectedEvents'), 'QueueName'] } }],
    });
  });
});
