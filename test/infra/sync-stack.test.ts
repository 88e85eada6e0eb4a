import { identityConfigSchema } from '../../functions/domain/identity-config';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { resolveStage, STAGES } from '../../lib/config/stages';
import { FLOW_NAMES, ROUTES, SAGA_NAMES } from '../../lib/routing';
import { dealConfigSchema } from '../../functions/domain/deal-config';
import { SyncStack } from '../../lib/sync-stack';
import { syncStack } from './stack-fixture';

const STAGES_CONFIG = { prod: resolveStage('prod').config };

describe('SyncStack', () => {
  it.each(STAGES)('passes cdk-nag AwsSolutions with no unacknowledged finding (stage %s)', (stage) => {
    const { stack } = syncStack(stage);
    const report = new AwsSolutionsChecks(stack).validateScope(stack);
    expect(report.violations.map((violation) => `${violation.ruleName}: ${violation.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('generates one rule per routing-table flow and saga, matching exactly its canonical types', () => {
    const { template } = syncStack('prod');
    const busRules = Object.values(template.findResources('AWS::Events::Rule')).filter((rule) => rule.Properties.EventPattern !== undefined);
    expect(busRules).toHaveLength(FLOW_NAMES.length + SAGA_NAMES.length);
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
    expect(stack.ingests.stripe!.fn.runtime.name).toBe('nodejs22.x');
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

describe('billing flows', () => {
  const consumerVariables = (template: ReturnType<typeof syncStack>['template'], flow: string) => {
    const fn = Object.entries(template.findResources('AWS::Lambda::Function')).find(([id]) => id.startsWith(`Flow${flow.replace('-', '')}`));
    return fn?.[1].Properties.Environment.Variables as Record<string, unknown>;
  };

  it('gives the billing and subscription consumers the stage’s billing mapping, and only billing the Stripe API key', () => {
    const { template } = syncStack('prod');
    const billing = consumerVariables(template, 'billing-sync');
    const subscriptions = consumerVariables(template, 'subscription-sync');
    const customers = consumerVariables(template, 'customer-sync');
    expect(JSON.parse(String(billing['BILLING_CONFIG']))).toEqual(STAGES_CONFIG.prod.billing);
    expect(JSON.parse(String(subscriptions['BILLING_CONFIG']))).toEqual(STAGES_CONFIG.prod.billing);
    expect(billing['STRIPE_API_KEY_SECRET_NAME']).toBe('odoo-saas-sync/prod/stripe-api-key');
    expect(subscriptions['STRIPE_API_KEY_SECRET_NAME']).toBeUndefined();
    expect(customers['BILLING_CONFIG']).toBeUndefined();
  });

  it('gives the deal consumer its mapping (the first billing company when the stage names none) and the bus for deal.won, and the subscription consumer the bus for subscription.amended', () => {
    const { template } = syncStack('prod');
    const deals = consumerVariables(template, 'deal-sync');
    const config = JSON.parse(String(deals['DEAL_CONFIG']));
    expect(dealConfigSchema.parse(config)).toEqual({ companyId: STAGES_CONFIG.prod.billing.companies[0]!.companyId, products: {} });
    expect(deals['EVENT_BUS_NAME']).toEqual({ Ref: expect.stringMatching(/^EventsBus/) });
    expect(consumerVariables(template, 'subscription-sync')['EVENT_BUS_NAME']).toEqual({ Ref: expect.stringMatching(/^EventsBus/) });
    expect(consumerVariables(template, 'billing-sync')['EVENT_BUS_NAME']).toBeUndefined();
  });

  it('gives every consumer that writes a customer’s partner the stage’s one-customer settings, valid for the flows', () => {
    const { template } = syncStack('prod');
    for (const flow of ['customer-sync', 'billing-sync'] as const) {
      const identity = JSON.parse(String(consumerVariables(template, flow)['IDENTITY_CONFIG']));
      expect(identity).toEqual(STAGES_CONFIG.prod.identity);
      expect(identityConfigSchema.safeParse(identity).success).toBe(true);
    }
  });

  it('gives the support flows the support policy and the desk’s API (no billing key), and the entitlements flow the bus', () => {
    const { template } = syncStack('local');
    const entitlements = consumerVariables(template, 'entitlements');
    const tickets = consumerVariables(template, 'support-tickets');
    const billing = consumerVariables(template, 'billing-sync');
    const local = resolveStage('local').config;
    expect(JSON.parse(String(entitlements['SUPPORT_POLICY']))).toEqual(local.support);
    expect(JSON.parse(String(tickets['SUPPORT_POLICY']))).toEqual(local.support);
    expect(entitlements).toMatchObject({ PROVIDER_SYSTEMS: 'zendesk', ZENDESK_API_CREDENTIALS_SECRET_NAME: 'odoo-saas-sync/local/zendesk-api-credentials', ZENDESK_REQUESTS_PER_MINUTE: '700', EVENT_BUS_NAME: expect.anything() });
    expect(entitlements['STRIPE_API_KEY_SECRET_NAME']).toBeUndefined();
    expect(tickets['EVENT_BUS_NAME']).toBeUndefined();
    expect(billing['ZENDESK_API_CREDENTIALS_SECRET_NAME']).toBeUndefined();
    expect(String(billing['PROVIDER_SYSTEMS'])).not.toContain('zendesk');
    // A stage without a desk: the support flows derive and publish, and are told of no provider.
    expect(consumerVariables(syncStack('prod').template, 'entitlements')['PROVIDER_SYSTEMS']).toBeUndefined();
  });
});

describe('Odoo protection', () => {
  it('gives every flow consumer and the reconciliation the stage’s Odoo rate limit, concurrency and batching per container', () => {
    // Prepare: values unlike the client's defaults (10/s, 4), so a setting that is not passed through shows.
    const { config } = resolveStage('prod');
    const throttled = { ...config, odoo: { ...config.odoo, maxRequestsPerSecond: 2.5, maxConcurrentRequests: 2, batchWindowMs: 7, maxBatchSize: 13 } };
    // Act
    const stack = new SyncStack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Throttled', { stage: 'prod', config: throttled, env: config.env });
    // Assess
    const functions = Object.entries(Template.fromStack(stack).findResources('AWS::Lambda::Function'));
    const odooCallers = functions.filter(([id]) => FLOW_NAMES.some((flow) => id.startsWith(`Flow${flow.replace('-', '')}`)) || id.startsWith('ReconciliationFunction'));
    expect(odooCallers).toHaveLength(FLOW_NAMES.length + 1);
    for (const [id, fn] of odooCallers) {
      expect({ id, ...fn.Properties.Environment.Variables }).toMatchObject({ id, ODOO_MAX_REQUESTS_PER_SECOND: '2.5', ODOO_MAX_CONCURRENT_REQUESTS: '2', ODOO_BATCH_WINDOW_MS: '7', ODOO_MAX_BATCH_SIZE: '13' });
    }
  });

  it('keeps the Odoo settings away from the ingest, which never calls Odoo', () => {
    const { stack } = syncStack('prod');
    const variables = Template.fromStack(stack).findResources('AWS::Lambda::Function');
    const ingest = Object.entries(variables).find(([id]) => id.startsWith('StripeIngest'));
    expect(ingest?.[1].Properties.Environment.Variables).not.toHaveProperty('ODOO_MAX_REQUESTS_PER_SECOND');
  });
});

describe('reconciliation', () => {
  it('runs the reconcile function on the stage’s schedule, with a DLQ for failed invocations', () => {
    const { template } = syncStack('prod');
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: STAGES_CONFIG.prod.reconcileSchedule,
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('ReconciliationFunction'), 'Arn'] }, DeadLetterConfig: Match.anyValue(), RetryPolicy: Match.anyValue() })],
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          STRIPE_API_KEY_SECRET_NAME: 'odoo-saas-sync/prod/stripe-api-key',
          ODOO_API_KEY_SECRET_NAME: 'odoo-saas-sync/prod/odoo-api-key',
          ODOO_URL: 'https://odoo.example.com',
          EVENT_BUS_NAME: Match.anyValue(),
        }),
      },
      Timeout: 600,
    });
  });

  it('alarms on drift and on a failed run', () => {
    const { template } = syncStack('prod');
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'OdooSaasSync',
      MetricName: 'ReconciliationDrift',
      Dimensions: [{ Name: 'service', Value: 'reconcile' }],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: Match.anyValue(),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Namespace: 'AWS/Lambda',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: Match.stringLikeRegexp('ReconciliationFunction') } }],
      AlarmActions: Match.anyValue(),
    });
  });
});
