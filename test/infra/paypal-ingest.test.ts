import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { resolveStage, type StageConfig } from '../../lib/config/stages';
import { SyncStack } from '../../lib/sync-stack';

const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] };
const PAYPAL: NonNullable<StageConfig['paypal']> = {
  webhookId: '8PT597110X687430LKGECATA',
  apiCredentialsSecretName: 'odoo-saas-sync/prod/paypal-api-credentials',
  apiUrl: 'https://api-m.sandbox.paypal.com',
};

function prodStack(paypal: StageConfig['paypal']): { stack: SyncStack; template: Template } {
  const { config } = resolveStage('prod');
  const stack = new SyncStack(new App({ context: NO_BUNDLING }), 'PaypalStack', { stage: 'prod', config: { ...config, paypal }, env: config.env });
  return { stack, template: Template.fromStack(stack) };
}

const functionsOf = (template: Template) => Object.entries(template.findResources('AWS::Lambda::Function'));
const variablesOf = (template: Template, idPrefix: string) =>
  functionsOf(template).find(([id]) => id.startsWith(idPrefix))?.[1].Properties.Environment.Variables as Record<string, unknown> | undefined;
const routeParts = (template: Template) => Object.values(template.findResources('AWS::ApiGateway::Resource')).map((resource) => resource.Properties.PathPart);

describe('PayPal ingest', () => {
  it('is absent from a stage without PayPal settings: no route, no function, billing-sync reads Stripe only', () => {
    const { template } = prodStack(undefined);
    expect(routeParts(template)).toContain('stripe');
    expect(routeParts(template)).not.toContain('paypal');
    expect(functionsOf(template).some(([id]) => id.startsWith('PayPalIngest'))).toBe(false);
    const billing = variablesOf(template, 'Flowbillingsync')!;
    expect(billing['PROVIDER_SYSTEMS']).toBe('stripe');
    expect(Object.keys(billing).filter((name) => name.startsWith('PAYPAL_'))).toEqual([]);
  });

  it('routes POST /webhooks/paypal to its ingest with the webhook id, and PayPal’s hosts only for certificates', () => {
    const { template } = prodStack(PAYPAL);
    expect(routeParts(template)).toEqual(expect.arrayContaining(['stripe', 'paypal']));
    const ingest = variablesOf(template, 'PayPalIngest')!;
    expect(ingest).toMatchObject({ PAYPAL_WEBHOOK_ID: PAYPAL.webhookId });
    // No certificate origins configured: the handler trusts PayPal's hosts and nothing else.
    expect(ingest['PAYPAL_CERTIFICATE_ORIGINS']).toBeUndefined();
    // No signing secret and no read API credentials: the ingest verifies with PayPal's certificate.
    expect(Object.keys(ingest).filter((name) => name.endsWith('_SECRET_NAME'))).toEqual([]);
  });

  it('gives billing-sync the PayPal read API credentials secret and URL, and tells it which providers the stage runs', () => {
    const { template } = prodStack(PAYPAL);
    expect(variablesOf(template, 'Flowbillingsync')).toMatchObject({
      PROVIDER_SYSTEMS: 'stripe,paypal',
      PAYPAL_API_CREDENTIALS_SECRET_NAME: PAYPAL.apiCredentialsSecretName,
      PAYPAL_API_URL: PAYPAL.apiUrl,
      STRIPE_API_KEY_SECRET_NAME: 'odoo-saas-sync/prod/stripe-api-key',
    });
    expect(variablesOf(template, 'Flowsubscriptionsync')!['PAYPAL_API_CREDENTIALS_SECRET_NAME']).toBeUndefined();
  });

  it('gives the reconciliation every configured provider’s read API secret and settings, and which providers to reconcile', () => {
    const withPaypal = prodStack(PAYPAL).template;
    expect(variablesOf(withPaypal, 'ReconciliationFunction')).toMatchObject({
      PROVIDER_SYSTEMS: 'stripe,paypal',
      PAYPAL_API_CREDENTIALS_SECRET_NAME: PAYPAL.apiCredentialsSecretName,
      PAYPAL_API_URL: PAYPAL.apiUrl,
      STRIPE_API_KEY_SECRET_NAME: 'odoo-saas-sync/prod/stripe-api-key',
    });
    // The grant, not only the name: the reconcile function's role may read the PayPal secret.
    const reconcilePolicies = Object.values(withPaypal.findResources('AWS::IAM::Policy')).filter((policy) => JSON.stringify(policy.Properties.Roles).includes('ReconciliationFunction'));
    expect(JSON.stringify(reconcilePolicies)).toContain('paypal-api-credentials');

    const withoutPaypal = prodStack(undefined).template;
    const variables = variablesOf(withoutPaypal, 'ReconciliationFunction')!;
    expect(variables['PROVIDER_SYSTEMS']).toBe('stripe');
    expect(Object.keys(variables).filter((name) => name.startsWith('PAYPAL_'))).toEqual([]);
  });

  it('passes cdk-nag AwsSolutions with PayPal configured', () => {
    const { stack } = prodStack(PAYPAL);
    const report = new AwsSolutionsChecks(stack).validateScope(stack);
    expect(report.violations.map((violation) => `${violation.ruleName}: ${violation.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
  });
});
